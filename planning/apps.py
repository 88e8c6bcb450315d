from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Planning: objectives, risks, scope")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from planning import integration  # noqa: F401  (My tasks, reminders, search, dashboard)
