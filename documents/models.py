"""Documented information (ISO 9001 clause 7.5): the register and its revisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from documents.choices import (
    Confidentiality,
    DocumentStatus,
    DocumentType,
    ExternalKind,
    LegalStatus,
    ReviewFlag,
    ReviewOutcome,
    RevisionStatus,
    StepDecision,
    StepRole,
)
from qms.db import PortalQuerySet
from qms.links import url_for
from qms.models import Attachment, Department, IsoClause, Signature
from qms.visibility import VisibleQuerySet


class DocumentTypeSetting(models.Model):
    """How documents of one type are coded and who reviews and approves them by default."""

    document_type = models.CharField(
        _("document type"), max_length=20, choices=DocumentType.choices, unique=True
    )
    prefix = models.CharField(
        _("code prefix"),
        max_length=10,
        help_text=_("For example QT gives QT-01, QT-02…"),
    )
    numbered_under_parent = models.BooleanField(
        _("numbered under its parent document"),
        default=False,
        help_text=_("Forms of procedure QT-07 become BM-07-01, BM-07-02…"),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"), default=12
    )
    default_reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("default reviewers"),
        blank=True,
        related_name="+",
    )
    default_approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("default approvers"),
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(m2m_fields=[default_reviewers, default_approvers])

    class Meta:
        ordering = ["document_type"]
        verbose_name = _("document type setting")
        verbose_name_plural = _("document type settings")

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} ({self.prefix})"


class ExternalDocumentQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        return self if external_documents_open_to(user) else self.none()


def external_documents_open_to(user) -> bool:
    """Laws, decrees and standards are public texts that every civil servant may read; an
    external auditor reads the agency's documents they were granted, not its register of
    external ones (pages name the laws to them without linking them)."""
    from qms.visibility import is_active_user, role_slugs

    return is_active_user(user) and role_slugs(user) != {"external_auditor"}


class ExternalDocument(models.Model):
    """A law, decree, circular, decision or standard the agency must follow."""

    kind = models.CharField(_("kind"), max_length=20, choices=ExternalKind.choices)
    number = models.CharField(_("number and symbol"), max_length=100)
    title = models.CharField(_("title"), max_length=500)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    effective_on = models.DateField(_("effective date"), null=True, blank=True)
    legal_status = models.CharField(
        _("status"), max_length=20, choices=LegalStatus.choices, default=LegalStatus.IN_FORCE
    )
    status_note = models.CharField(_("amended or repealed by"), max_length=300, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = ExternalDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("external document")
        verbose_name_plural = _("external documents")
        permissions = [("manage_external", _("Can maintain the external documents register"))]
        indexes = [models.Index(fields=["legal_status"])]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    def get_absolute_url(self) -> str:
        return url_for("documents:external_detail", self.pk)


class DocumentQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        from documents.selectors import document_visibility_q

        q = document_visibility_q(user)
        if q is None:
            return self
        return self.filter(q)


class Document(models.Model):
    """A controlled document in the register. Its content lives in its revisions."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        error_messages={"unique": _("This code is already used by another document.")},
    )
    title = models.CharField(_("title"), max_length=300)
    document_type = models.CharField(
        _("document type"), max_length=20, choices=DocumentType.choices, db_index=True
    )
    department = models.ForeignKey(
        Department, verbose_name=_("owning department"), on_delete=models.PROTECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_documents",
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.INTERNAL,
    )
    clauses = models.ManyToManyField(IsoClause, verbose_name=_("ISO 9001 clauses"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("For a form: the procedure it belongs to."),
    )
    related_documents = models.ManyToManyField(
        "self", verbose_name=_("related documents"), blank=True, symmetrical=True
    )
    legal_basis = models.ManyToManyField(
        ExternalDocument,
        verbose_name=_("legal basis"),
        blank=True,
        related_name="dependent_documents",
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"), default=12
    )
    next_review_date = models.DateField(_("next review"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DocumentStatus.choices,
        default=DocumentStatus.DRAFT,
        db_index=True,
    )
    effective_revision = models.ForeignKey(
        "Revision",
        verbose_name=_("effective revision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    review_flag = models.CharField(
        _("review prompted by"), max_length=20, choices=ReviewFlag.choices, blank=True
    )
    review_flag_detail = models.CharField(_("prompted by (detail)"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    search_text = models.TextField(editable=False, blank=True)  # code and title, folded
    # the effective revision's text, folded: searched apart from code and title, so that
    # a title match is found without reading every document's whole text
    file_text = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    # file_text is derived from the revision's file, which has its own history
    history = HistoricalRecords(m2m_fields=[clauses, legal_basis], excluded_fields=["file_text"])
    objects = DocumentQuerySet.as_manager()
    large_fields = ("file_text",)

    class Meta:
        ordering = ["code"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        permissions = [
            ("manage_register", _("Can register documents and keep the register")),
            ("view_all_documents", _("Can see every non-restricted document")),
            ("view_restricted", _("Can see restricted documents")),
            ("view_old_revisions", _("Can open superseded and obsolete revisions")),
        ]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["status", "confidentiality"]),
            models.Index(fields=["owner", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return url_for("documents:document_detail", self.pk)

    @property
    def review_flag_text(self) -> str:
        """Why the document needs its owner's attention, in the reader's language."""
        from django.utils.translation import gettext

        texts = {
            ReviewFlag.NEEDS_REVISION: gettext("Periodic review: needs revision"),
            ReviewFlag.LEGAL_AMENDED: gettext("Legal basis %(number)s was amended"),
            ReviewFlag.LEGAL_REPEALED: gettext("Legal basis %(number)s was repealed"),
        }
        text = texts.get(self.review_flag, "")
        return text % {"number": self.review_flag_detail} if "%(number)s" in text else text


class DocumentUserObjectPermission(UserObjectPermissionBase):
    """A named reader of a restricted document."""

    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)


class DocumentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)


class RevisionQuerySet(VisibleQuerySet):
    visibility_q = "documents.selectors.revision_visibility_q"


class Revision(models.Model):
    """One issue of a document: immutable once submitted; a change is a new revision."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RevisionStatus.choices,
        default=RevisionStatus.DRAFT,
        db_index=True,
    )
    change_summary = models.TextField(_("summary of changes"))
    file = models.ForeignKey(
        Attachment,
        verbose_name=_("file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("extracted text"), blank=True, editable=False)
    planned_effective_date = models.DateField(
        _("planned effective date"),
        null=True,
        blank=True,
        help_text=_("Leave empty to make it effective as soon as it is approved."),
    )
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    superseded_date = models.DateField(_("superseded on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = RevisionQuerySet.as_manager()
    large_fields = ("text",)  # the whole text of the file

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="revision_number_unique"),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status="effective"),
                name="one_effective_revision_per_document",
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status__in=["draft", "in_review", "approved"]),
                name="one_open_revision_per_document",
            ),
        ]
        indexes = [models.Index(fields=["status", "planned_effective_date"])]

    def __str__(self) -> str:
        from django.utils.translation import gettext

        return gettext("%(code)s revision %(number)s") % {
            "code": self.document.code,
            "number": f"{self.number:02d}",
        }

    def get_absolute_url(self) -> str:
        return url_for("documents:revision_detail", self.pk)

    @property
    def label(self) -> str:
        return f"{self.number:02d}"


class ApprovalStep(models.Model):
    """One reviewer's or approver's turn on a revision; decided once, in order."""

    visible_through = "revision"

    revision = models.ForeignKey(
        Revision, verbose_name=_("revision"), on_delete=models.PROTECT, related_name="steps"
    )
    role = models.CharField(_("role"), max_length=10, choices=StepRole.choices)
    round = models.PositiveSmallIntegerField(
        _("round"), default=1, help_text=_("Each submission after a return starts a new round.")
    )
    position = models.PositiveSmallIntegerField(_("order"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="approval_steps",
    )
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=StepDecision.choices,
        default=StepDecision.PENDING,
        db_index=True,
    )
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    signature = models.ForeignKey(
        Signature,
        verbose_name=_("signature"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = PortalQuerySet.as_manager()

    class Meta:
        ordering = ["revision", "round", "position"]
        verbose_name = _("review or approval step")
        verbose_name_plural = _("review and approval steps")
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "round", "position"], name="step_position_unique"
            )
        ]
        indexes = [models.Index(fields=["user", "decision"])]

    def __str__(self) -> str:
        return f"{self.revision} {self.get_role_display()} {self.position}"


class DistributionEntry(models.Model):
    """Who must read and acknowledge the document: a department, a role or a person."""

    visible_through = "document"

    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="distribution",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department (and its units)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    role = models.CharField(_("role"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = PortalQuerySet.as_manager()

    class Meta:
        ordering = ["document", "pk"]
        verbose_name = _("distribution entry")
        verbose_name_plural = _("distribution list")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(department__isnull=False, role="", user__isnull=True)
                    | Q(department__isnull=True, user__isnull=True) & ~Q(role="")
                    | Q(department__isnull=True, role="", user__isnull=False)
                ),
                name="distribution_exactly_one_target",
            )
        ]

    def __str__(self) -> str:
        if self.department_id:
            return str(self.department)
        if self.user_id:
            return str(self.user)
        from qms.roles import role_name

        return role_name(self.role)


# A request still standing: one withdrawn (its reader taken off the distribution list
# before reading) stays as a record of having been asked, and asks nothing.
STANDING = Q(withdrawn_at__isnull=True)


class AcknowledgementQuerySet(PortalQuerySet):
    def asked(self) -> AcknowledgementQuerySet:
        return self.filter(STANDING)

    def outstanding(self) -> AcknowledgementQuerySet:
        return self.asked().filter(acknowledged_at__isnull=True)


class Acknowledgement(models.Model):
    """A person's "read and understood" of an effective revision (the record itself)."""

    visible_through = "revision"

    revision = models.ForeignKey(
        Revision,
        verbose_name=_("revision"),
        on_delete=models.PROTECT,
        related_name="acknowledgements",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="acknowledgements",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("request withdrawn at"), null=True, blank=True)

    objects = AcknowledgementQuerySet.as_manager()

    class Meta:
        ordering = ["revision", "user"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["revision", "user"], name="one_ack_per_person")
        ]
        indexes = [models.Index(fields=["user", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.revision} · {self.user}"


class DocumentReview(models.Model):
    """A periodic review of a document: is it still valid?"""

    visible_through = "document"

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_on = models.DateField(_("reviewed on"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices)
    comment = models.TextField(_("comment"), blank=True)
    next_review_date = models.DateField(_("next review"), null=True, blank=True)

    history = HistoricalRecords()
    objects = PortalQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        verbose_name = _("periodic review")
        verbose_name_plural = _("periodic reviews")

    def __str__(self) -> str:
        return f"{self.document.code} {self.reviewed_on}"
