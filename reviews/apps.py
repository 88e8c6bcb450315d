from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Management review")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from reviews import integration  # noqa: F401  (My tasks, reminders, search)
