"""The append-only, hash-chained log of security-relevant events."""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityEvent(models.Model):
    """One security-relevant event. Rows are never changed or removed.

    Each row stores the hash of the previous row and a hash over its own content, so
    ``manage.py verify_audit_log`` finds any row edited or removed after the fact.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGOUT = "logout", _("Signed out")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOCKED_OUT = "locked_out", _("Locked out")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset")
        USER_CREATED = "user_created", _("User created")
        USER_ACTIVATED = "user_activated", _("User activated")
        USER_DEACTIVATED = "user_deactivated", _("User deactivated")
        ROLES_CHANGED = "roles_changed", _("Roles changed")
        PERMISSION_CHANGED = "permission_changed", _("Permission changed")
        SIGNATURE = "signature", _("Electronic signature")
        SIGNATURE_FAILED = "signature_failed", _("Failed signature (wrong password)")
        EXPORT = "export", _("Export")
        DISPOSAL = "disposal", _("Disposal")

    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    occurred_at = models.DateTimeField(_("time"), db_index=True, editable=False)
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    target = models.CharField(_("object"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        permissions = [("view_activity", _("Can view the agency-wide activity"))]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind} {self.username}"

    def save(self, *args, **kwargs):
        # The chain is only sound if rows are written once, by qms.security_log.record().
        if not self._state.adding:
            raise RuntimeError("Security events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Security events are append-only.")

    def canonical_content(self) -> str:
        """The exact text the hash covers; any change to a stored field changes it."""
        return json.dumps(
            {
                "sequence": self.sequence,
                "occurred_at": self.occurred_at.isoformat(),
                "kind": self.kind,
                "actor": self.actor_id,
                "username": self.username,
                "ip_address": self.ip_address,
                "target": self.target,
                "details": self.details,
                "previous_hash": self.previous_hash,
            },
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical_content().encode()).hexdigest()
