from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Internal audit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audits import evidence, integration  # noqa: F401  (packs, My tasks, reminders…)
