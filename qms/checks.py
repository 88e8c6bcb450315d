"""Deployment checks of the portal's own (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def email_is_configured(app_configs, **kwargs):
    if settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
        return [
            Warning(
                "EMAIL_URL is not set: e-mails (set-password links, reminders) are only "
                "printed to the log.",
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@mail.example:587",
                id="qms.W001",
            )
        ]
    return []
