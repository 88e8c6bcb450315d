from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.links import url_for
from qms.visibility import VisibleQuerySet


class EvidencePackQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        # A pack holds what its requester could see when it was built: only they open it,
        # and the download checks the source's visibility again.
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(requested_by=user)


class EvidencePack(models.Model):
    """A ZIP of everything behind an audit or a filtered list, with a SHA-256 manifest."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    source = models.CharField(_("source"), max_length=40)
    # An object's pack (an audit) names it; a list's pack keeps the filter the user applied
    # and the objects it selected, so the download can check every one of them again.
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    query = models.CharField(_("filter"), max_length=1000, blank=True)
    object_ids = models.JSONField(_("objects"), default=list, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    files_total = models.PositiveIntegerField(_("files"), default=0)
    files_done = models.PositiveIntegerField(_("files packed"), default=0)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    storage_name = models.CharField(max_length=300, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = EvidencePackQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("evidence pack")
        verbose_name_plural = _("evidence packs")
        indexes = [models.Index(fields=["source", "object_id", "requested_by"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return url_for("qms:evidence_pack", self.pk)

    @property
    def percent(self) -> int:
        if not self.files_total:
            return 100 if self.status == self.Status.READY else 0
        return min(100, round(100 * self.files_done / self.files_total))
