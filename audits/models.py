"""Internal audit (ISO 9001 clause 9.2): the programme, audits, checklists and findings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from audits.choices import AuditStatus, AuditType, ItemResult, ProgrammeStatus
from qms.links import url_for
from qms.models import Department, IsoClause, Signature
from qms.visibility import VisibleQuerySet


class ProgrammeQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        from qms.visibility import is_active_user, role_slugs

        if not is_active_user(user) or role_slugs(user) == {"external_auditor"}:
            return self.none()
        return self  # the programme is the agency's plan: every civil servant may read it


class AuditProgramme(models.Model):
    """The year's plan of which departments and processes are audited when."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, error_messages={"unique": _("This year already has a programme.")}
    )
    objectives = models.TextField(_("objectives and method"), blank=True)
    cycle_years = models.PositiveSmallIntegerField(
        _("cycle (years)"),
        default=3,
        help_text=_("Every department and ISO clause must be audited within this many years."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
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
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("audit programme")
        verbose_name_plural = _("audit programmes")
        permissions = [
            ("manage_audits", _("Can draft the audit programme and plan audits")),
            ("approve_programme", _("Can approve the audit programme")),
            ("view_all_audits", _("Can see every audit")),
        ]

    def __str__(self) -> str:
        from django.utils.translation import gettext

        return gettext("Audit programme %(year)s") % {"year": self.year}

    def get_absolute_url(self) -> str:
        return url_for("audits:programme_detail", self.pk)


class AuditQuerySet(VisibleQuerySet):
    visibility_q = "audits.selectors.audit_visibility_q"


class Audit(models.Model):
    """One audit: scope, criteria, team, schedule, checklist, findings, report."""

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    programme = models.ForeignKey(
        AuditProgramme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits",
    )
    audit_type = models.CharField(
        _("type"), max_length=20, choices=AuditType.choices, default=AuditType.INTERNAL
    )
    title = models.CharField(_("title"), max_length=300)
    scope_departments = models.ManyToManyField(
        Department, verbose_name=_("departments audited"), related_name="audits"
    )
    scope_procedures = models.ManyToManyField(
        "documents.Document",
        verbose_name=_("processes and procedures audited"),
        blank=True,
        related_name="audits_in_scope",
    )
    criteria_clauses = models.ManyToManyField(
        IsoClause, verbose_name=_("ISO 9001 clauses"), blank=True, related_name="audits"
    )
    criteria_documents = models.ManyToManyField(
        "documents.Document",
        verbose_name=_("internal documents as criteria"),
        blank=True,
        related_name="audits_as_criteria",
    )
    legal_criteria = models.ManyToManyField(
        "documents.ExternalDocument",
        verbose_name=_("legal requirements"),
        blank=True,
        related_name="audits",
    )
    start_date = models.DateField(_("from"), db_index=True)
    end_date = models.DateField(_("to"))
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead auditor"),
        on_delete=models.PROTECT,
        related_name="led_audits",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("audit team"),
        blank=True,
        related_name="audit_teams",
    )
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=AuditStatus.choices,
        default=AuditStatus.PLANNED,
        db_index=True,
    )
    summary = models.TextField(_("summary"), blank=True)
    conclusion = models.TextField(_("conclusion on conformity and effectiveness"), blank=True)
    # 1 once signed; a correction after signature is a new signed version, the old PDF kept
    report_version = models.PositiveSmallIntegerField(_("report version"), default=0)
    correction_reason = models.TextField(_("reason for the latest correction"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(m2m_fields=[scope_departments, team])
    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        indexes = [models.Index(fields=["status", "start_date"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return url_for("audits:audit_detail", self.pk)


class AuditUserObjectPermission(UserObjectPermissionBase):
    """An external auditor (or anyone else) assigned to see one audit."""

    content_object = models.ForeignKey(Audit, on_delete=models.CASCADE)


class AuditGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Audit, on_delete=models.CASCADE)


class AuditSession(models.Model):
    """A slot of the audit plan: which department is met, when, about what."""

    visible_through = "audit"

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.PROTECT, related_name="sessions"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    topic = models.CharField(_("topic"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "starts_at"]
        verbose_name = _("audit session")
        verbose_name_plural = _("audit plan")

    def __str__(self) -> str:
        return f"{self.audit.reference} {self.department} {self.starts_at:%Y-%m-%d %H:%M}"


class ChecklistItemQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        return self.filter(audit__in=Audit.objects.visible_to(user))


class ChecklistItem(models.Model):
    """A question of the audit's checklist, answered during the audit."""

    visible_through = "audit"

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.PROTECT, related_name="checklist"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    clause = models.ForeignKey(
        IsoClause, verbose_name=_("clause"), on_delete=models.PROTECT, null=True, blank=True
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, blank=True
    )
    # Empty for a generated question: it is worded when shown, in the reader's language.
    question = models.TextField(_("question"), blank=True)
    result = models.CharField(_("result"), max_length=20, choices=ItemResult.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    evidence = models.TextField(_("evidence seen"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        ordering = ["audit", "position"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist")

    def __str__(self) -> str:
        return f"{self.audit.reference} #{self.position}"

    def get_absolute_url(self) -> str:
        return self.audit.get_absolute_url() + f"#item-{self.position}"

    @property
    def display_question(self) -> str:
        if self.question:
            return self.question
        from django.utils.translation import gettext

        from qms.iso import TITLES

        if self.clause_id is None:
            return ""
        # the audit's page reads the clause's number as a column of the checklist's query
        number = self.__dict__.get("clause_number") or self.clause.number
        return gettext(
            "%(clause)s %(title)s: show how the department meets this requirement, with evidence."
        ) % {"clause": number, "title": TITLES.get(number, "")}


class FindingQuerySet(models.QuerySet):
    def current(self):
        """Findings that stand: not withdrawn before the closing meeting."""
        return self.filter(withdrawn_at__isnull=True)


class Finding(models.Model):
    """An audit finding; a nonconformity finding raises a nonconformity when confirmed.

    Until the findings are confirmed the audit team may correct a finding or withdraw it
    with a reason; a withdrawn finding is kept (and stays in the history and the evidence
    pack), it just no longer counts.
    """

    visible_through = "audit"

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.PROTECT, related_name="findings"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=ItemResult.choices)
    clause = models.ForeignKey(
        IsoClause, verbose_name=_("clause"), on_delete=models.PROTECT, null=True, blank=True
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT
    )
    checklist_item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("checklist item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    requirement = models.TextField(_("requirement"))
    evidence = models.TextField(_("evidence"))
    statement = models.TextField(_("finding"))
    nonconformity = models.OneToOneField(
        "nonconformities.Nonconformity",
        verbose_name=_("nonconformity raised"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_finding",
    )
    action = models.ForeignKey(
        "nonconformities.Action",
        verbose_name=_("action"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["audit", "number"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="finding_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.audit.reference} F{self.number:02d}"

    def get_absolute_url(self) -> str:
        return self.audit.get_absolute_url() + f"#finding-{self.number}"
