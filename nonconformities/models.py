"""Nonconformities and corrective action (ISO 9001 clauses 8.7 and 10.2), and the agency's
single action tracker."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from nonconformities.choices import (
    OPEN_ACTION_STATUSES,
    ActionKind,
    ActionStatus,
    Category,
    Severity,
    Source,
    Status,
    VerificationResult,
)
from qms.links import url_for
from qms.models import Department, Signature
from qms.visibility import VisibleQuerySet


class NonconformityQuerySet(VisibleQuerySet):
    visibility_q = "nonconformities.selectors.nonconformity_visibility_q"


class Nonconformity(models.Model):
    """Something that went wrong: contained, its cause found and removed, the removal
    checked for effectiveness."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("what happened"))
    department = models.ForeignKey(
        Department, verbose_name=_("department concerned"), on_delete=models.PROTECT
    )
    procedure = models.ForeignKey(
        "documents.Document",
        verbose_name=_("procedure or process"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    case_reference = models.CharField(_("case or file reference"), max_length=100, blank=True)
    occurred_on = models.DateField(_("when it happened"))
    source = models.CharField(_("source"), max_length=30, choices=Source.choices, db_index=True)
    origin_content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    origin_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    origin = GenericForeignKey("origin_content_type", "origin_object_id")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_(
            "For example about a named official: only the reporter, the owner, named people "
            "and the QMS manager may see it."
        ),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.REPORTED, db_index=True
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, blank=True, db_index=True
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    needs_corrective_action = models.BooleanField(_("needs corrective action"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_nonconformities",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triaged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    correction = models.TextField(_("correction and containment"), blank=True)
    correction_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("correction by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    correction_on = models.DateField(_("correction on"), null=True, blank=True)
    five_whys = models.JSONField(_("five whys"), default=list, blank=True)
    fishbone = models.JSONField(_("fishbone"), default=dict, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    effectiveness_due = models.DateField(_("effectiveness check due"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    search_text = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = NonconformityQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")
        permissions = [
            ("manage_nonconformities", _("Can triage, merge, close and reopen any nonconformity")),
            ("view_all_nonconformities", _("Can see every nonconformity that is not restricted")),
        ]
        indexes = [
            models.Index(fields=["status", "severity"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["department", "category", "reported_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return url_for("nonconformities:nc_detail", self.pk)


class NonconformityUserObjectPermission(UserObjectPermissionBase):
    """A named person allowed to see a restricted nonconformity."""

    content_object = models.ForeignKey(Nonconformity, on_delete=models.CASCADE)


class NonconformityGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Nonconformity, on_delete=models.CASCADE)


class Verification(models.Model):
    """An effectiveness check, signed by a verifier other than the owner."""

    visible_through = "nonconformity"

    nonconformity = models.ForeignKey(
        Nonconformity,
        verbose_name=_("nonconformity"),
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verifier"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(_("result"), max_length=20, choices=VerificationResult.choices)
    evidence = models.TextField(_("evidence"))
    verified_at = models.DateTimeField(_("verified at"), auto_now_add=True)
    signature = models.ForeignKey(
        Signature, verbose_name=_("signature"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["nonconformity", "verified_at"]
        verbose_name = _("effectiveness check")
        verbose_name_plural = _("effectiveness checks")

    def __str__(self) -> str:
        return f"{self.nonconformity.number} {self.get_result_display()}"


class ActionQuerySet(VisibleQuerySet):
    visibility_q = "nonconformities.selectors.action_visibility_q"


class Action(models.Model):
    """One action of the agency's single tracker: corrective, preventive or improvement,
    from a nonconformity, an audit observation, a risk or a management review decision."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    title = models.CharField(_("action"), max_length=300)
    description = models.TextField(_("what will be done"), blank=True)
    expected_result = models.TextField(_("expected result"), blank=True)
    kind = models.CharField(
        _("type of action"),
        max_length=20,
        choices=ActionKind.choices,
        default=ActionKind.CORRECTIVE,
    )
    nonconformity = models.ForeignKey(
        Nonconformity,
        verbose_name=_("nonconformity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    source_content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_content_type", "source_object_id")
    source_label = models.CharField(_("source"), max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_actions",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT
    )
    due_date = models.DateField(_("due date"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ActionStatus.choices,
        default=ActionStatus.PLANNED,
        db_index=True,
    )
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        permissions = [("manage_actions", _("Can see and chase every action of the agency"))]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["department", "status"]),
            # the open actions by due date (the list's "open" filter, reminders): a few
            # thousand among tens of thousands done
            models.Index(
                fields=["due_date"],
                condition=Q(status__in=OPEN_ACTION_STATUSES),
                name="action_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return url_for("nonconformities:action_detail", self.pk)


class ActionNote(models.Model):
    """A progress note on an action (who, when, what was done)."""

    visible_through = "action"

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.PROTECT, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "created_at"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return f"{self.action.number} {self.created_at:%Y-%m-%d}"
