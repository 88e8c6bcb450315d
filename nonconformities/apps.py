from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NonconformitiesConfig(AppConfig):
    name = "nonconformities"
    verbose_name = _("Nonconformities and actions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from nonconformities import evidence, integration  # noqa: F401  (packs, tasks, reminders, search, files)
