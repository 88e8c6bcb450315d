"""Quality records (ISO 9001 clause 7.5.3): types with retention, the register, disposal."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from qms.links import url_for
from qms.models import Department, Signature
from qms.visibility import VisibleQuerySet
from records.choices import Access, BatchStatus, Disposition, RecordStatus, Storage


class RecordTypeQuerySet(VisibleQuerySet):
    visibility_q = "records.selectors.record_type_visibility_q"


class RecordType(models.Model):
    """A kind of record the agency keeps, with where it is kept and for how long."""

    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        error_messages={"unique": _("This code is already used by another record type.")},
    )
    name = models.CharField(_("name"), max_length=200)
    form = models.ForeignKey(
        "documents.Document",
        verbose_name=_("form that produces it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    procedure = models.ForeignKey(
        "documents.Document",
        verbose_name=_("procedure or process"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("owning department"), on_delete=models.PROTECT
    )
    storage = models.CharField(
        _("where the original is kept"),
        max_length=20,
        choices=Storage.choices,
        default=Storage.PORTAL,
    )
    location = models.CharField(_("location"), max_length=300, blank=True)
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"), null=True, blank=True
    )
    permanent = models.BooleanField(_("kept permanently"), default=False)
    disposition = models.CharField(
        _("at the end of retention"),
        max_length=20,
        choices=Disposition.choices,
        default=Disposition.DESTROY,
    )
    access = models.CharField(
        _("who may see records of this type"),
        max_length=20,
        choices=Access.choices,
        default=Access.DEPARTMENT,
    )
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.CharField(_("reason for the hold"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = RecordTypeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("record type")
        verbose_name_plural = _("record types")
        permissions = [
            ("manage_records", _("Can define record types, holds and disposal")),
            ("view_all_records", _("Can see every record that is not restricted")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(permanent=True) | Q(retention_years__isnull=False),
                name="record_type_has_a_retention",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return url_for("records:type_detail", self.pk)

    @property
    def retention_label(self) -> str:
        from django.utils.translation import gettext, ngettext

        if self.permanent:
            return gettext("Permanent")
        return ngettext("%(years)s year", "%(years)s years", self.retention_years) % {
            "years": self.retention_years
        }


class RecordTypeUserObjectPermission(UserObjectPermissionBase):
    """A named reader of a restricted record type's records."""

    content_object = models.ForeignKey(RecordType, on_delete=models.CASCADE)


class RecordTypeGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(RecordType, on_delete=models.CASCADE)


class RecordQuerySet(VisibleQuerySet):
    visibility_q = "records.selectors.record_visibility_q"


class Record(models.Model):
    """Evidence that work was done: registered once, corrected only with a reason, never
    edited in place or deleted; at the end of its retention it is disposed of by an
    approved batch, and its metadata stays."""

    record_type = models.ForeignKey(
        RecordType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="records"
    )
    title = models.CharField(_("title"), max_length=300)
    reference = models.CharField(_("reference number"), max_length=100, blank=True)
    record_date = models.DateField(_("date of the record"), db_index=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT
    )
    physical_location = models.CharField(_("physical location"), max_length=300, blank=True)
    related_content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    related_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    related_object = GenericForeignKey("related_content_type", "related_object_id")
    retention_until = models.DateField(_("kept until"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RecordStatus.choices,
        default=RecordStatus.ACTIVE,
        db_index=True,
    )
    legal_hold = models.BooleanField(_("legal hold"), default=False, db_index=True)
    legal_hold_reason = models.CharField(_("reason for the hold"), max_length=300, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    version_number = models.PositiveSmallIntegerField(_("version"), default=1)
    disposed_on = models.DateField(_("disposed on"), null=True, blank=True)
    disposal_method = models.CharField(
        _("disposal method"), max_length=20, choices=Disposition.choices, blank=True
    )
    disposal_batch = models.ForeignKey(
        "DisposalBatch",
        verbose_name=_("disposal batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disposed_records",
    )
    search_text = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-record_date", "-pk"]
        verbose_name = _("record")
        verbose_name_plural = _("records")
        indexes = [
            models.Index(fields=["record_type", "record_date"]),
            models.Index(fields=["department", "record_date"]),
            models.Index(fields=["status", "retention_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return url_for("records:record_detail", self.pk)

    @property
    def held(self) -> bool:
        return self.legal_hold or self.record_type.legal_hold


class DisposalBatchQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        from qms.visibility import has_global_view

        if has_global_view(user, "records.manage_records") or has_global_view(
            user, "records.view_all_records"
        ):
            return self
        return self.none()


class DisposalBatch(models.Model):
    """Records whose retention has ended, proposed together for an approved disposal."""

    number = models.CharField(_("batch"), max_length=30, unique=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=BatchStatus.choices,
        default=BatchStatus.PROPOSED,
        db_index=True,
    )
    proposed_on = models.DateField(_("proposed on"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    signature = models.ForeignKey(
        Signature,
        verbose_name=_("signature"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    certificate = models.ForeignKey(
        Record,
        verbose_name=_("disposal certificate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = DisposalBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_on", "-pk"]
        verbose_name = _("disposal batch")
        verbose_name_plural = _("disposal batches")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return url_for("records:batch_detail", self.pk)


class DisposalItem(models.Model):
    """One record in a disposal batch; it may be taken out of the batch with a reason."""

    visible_through = "batch"

    batch = models.ForeignKey(
        DisposalBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="items"
    )
    record = models.ForeignKey(
        Record, verbose_name=_("record"), on_delete=models.PROTECT, related_name="disposal_items"
    )
    excluded = models.BooleanField(_("left out"), default=False)
    exclusion_reason = models.CharField(_("why it was left out"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["batch", "record__record_type__code", "record__record_date"]
        verbose_name = _("disposal item")
        verbose_name_plural = _("disposal items")
        constraints = [
            models.UniqueConstraint(fields=["batch", "record"], name="record_once_per_batch")
        ]

    def __str__(self) -> str:
        return f"{self.batch} · {self.record}"
