from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Quality records")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from records import evidence, integration  # noqa: F401  (packs, tasks, reminders, search, files)
