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


@register(Tags.security, deploy=True)
def cache_is_shared(app_configs, **kwargs):
    if "LocMemCache" in settings.CACHES["default"]["BACKEND"]:
        return [
            Warning(
                "REDIS_URL is not set: each process keeps its own cache. With several web "
                "processes, a role or a department grant taken away reaches the other "
                "processes only within the hour (the access kept between requests), and "
                "tasks run inside the web process.",
                hint="Set REDIS_URL, e.g. redis://:PASSWORD@redis.internal:6379/0, or run "
                "a single web process.",
                id="qms.W002",
            )
        ]
    return []
