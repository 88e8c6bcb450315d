"""Electronic signatures: who signed what, when, meaning what, over which content."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Signature(models.Model):
    """A signature given by re-entering the password.

    ``content_sha256`` is the hash of exactly what was signed (a file, or a canonical
    rendering of a record); comparing it with the content's hash now shows whether the
    signed content changed afterwards. Signatures are never changed or deleted.
    """

    class Meaning(models.TextChoices):
        REVIEWED = "reviewed", _("Reviewed")
        APPROVED = "approved", pgettext_lazy("signature meaning", "Approved")
        REJECTED = "rejected", _("Rejected")
        VERIFIED_EFFECTIVE = "verified_effective", _("Verified effective")
        VERIFIED_NOT_EFFECTIVE = "verified_not_effective", _("Verified not effective")
        DISPOSAL_APPROVED = "disposal_approved", _("Disposal approved")
        REPORT_SIGNED = "report_signed", _("Report signed")
        MINUTES_SIGNED = "minutes_signed", _("Minutes signed")
        PROGRAMME_APPROVED = "programme_approved", _("Programme approved")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    signed_object = GenericForeignKey("content_type", "object_id")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    signer_name = models.CharField(_("name at signing"), max_length=300)
    signer_title = models.CharField(_("job title at signing"), max_length=150, blank=True)
    meaning = models.CharField(_("meaning"), max_length=30, choices=Meaning.choices)
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)
    content_sha256 = models.CharField(_("SHA-256 of the signed content"), max_length=64)
    content_label = models.CharField(_("what was signed"), max_length=300, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.signer_name} · {self.get_meaning_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("Signatures are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Signatures are never deleted.")
