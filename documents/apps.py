from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Document control")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from documents import evidence, integration  # noqa: F401  (packs, tasks, reminders, search, files)
