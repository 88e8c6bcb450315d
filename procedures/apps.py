from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Processes and procedures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from procedures import integration  # noqa: F401  (tasks, search, legal changes)
