"""In-app notifications and the record of reminders already sent."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to one user, shown under the bell and (optionally) e-mailed.

    The text is stored as an untranslated message id plus parameters and translated
    when shown, so each recipient reads it in their own language.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    message = models.CharField(_("message"), max_length=300)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    send_email = models.BooleanField(_("send by e-mail"), default=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["created_at"],
                name="qms_notif_email_pending",
                condition=models.Q(send_email=True, emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        try:
            return gettext(self.message) % self.params
        except (KeyError, TypeError, ValueError):
            return gettext(self.message)

    def text_in(self, language: str) -> str:
        with translation.override(language):
            return self.text


class Reminder(models.Model):
    """A reminder already sent. The unique key makes a sweep that runs twice harmless."""

    key = models.CharField(_("key"), max_length=255, unique=True)
    sweep = models.CharField(_("sweep"), max_length=100, db_index=True)
    notification = models.OneToOneField(
        Notification, verbose_name=_("notification"), on_delete=models.PROTECT
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return self.key
