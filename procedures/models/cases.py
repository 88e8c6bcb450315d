"""Service cases: every dossier a citizen or business hands in, tracked step by step.

A case copies its procedure's step plan when it is received, so a later change to the
procedure never changes a running case. Time is counted in office time of working days
(``qms.calendar``): the case is due ``statutory_days`` after it was received, each step
its allowance after it started; a pause for a supplement stops the clock.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from procedures.models.catalogue import Procedure
from qms.links import url_for
from qms.models import Department
from qms.visibility import VisibleQuerySet


class CaseStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    PAUSED = "paused", _("Waiting for a supplement")
    COMPLETED = "completed", _("Completed")
    RETURNED = "returned", _("Returned (refused)")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")


OPEN_STATUSES = (CaseStatus.IN_PROGRESS, CaseStatus.PAUSED)
CLOSED_STATUSES = (CaseStatus.COMPLETED, CaseStatus.RETURNED, CaseStatus.WITHDRAWN)


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Individual")
    ORGANISATION = "organisation", _("Organisation")


class Channel(models.TextChoices):
    DESK = "desk", _("At the one-stop desk")
    ONLINE = "online", _("Online")
    POST = "post", _("By post")


class CaseQuerySet(VisibleQuerySet):
    visibility_q = "procedures.selectors.case_visibility_q"

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class ServiceCase(models.Model):
    receipt_code = models.CharField(_("receipt code"), max_length=40, unique=True)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="cases"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department in charge"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant_kind = models.CharField(
        _("applicant"), max_length=20, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    applicant_name = models.CharField(_("name of the applicant"), max_length=300)
    applicant_id_number = models.CharField(_("ID or tax number"), max_length=40, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=30)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_address = models.CharField(_("address"), max_length=300, blank=True)
    channel = models.CharField(
        _("received"), max_length=20, choices=Channel.choices, default=Channel.DESK
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    statutory_days = models.PositiveSmallIntegerField(_("statutory time (working days)"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CaseStatus.choices,
        default=CaseStatus.IN_PROGRESS,
        db_index=True,
    )
    current_step = models.ForeignKey(
        "procedures.CaseStep",
        verbose_name=_("current step"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, db_index=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    working_days_used = models.DecimalField(
        _("working days used"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    outcome_reason = models.TextField(_("reason"), blank=True)
    late_reason = models.TextField(_("reason for the delay"), blank=True)
    apology_issued_at = models.DateTimeField(_("apology letter issued"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    search_text = models.TextField(editable=False, blank=True)

    history = HistoricalRecords()
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("service case")
        verbose_name_plural = _("service cases")
        permissions = [("view_all_cases", _("Can see every service case"))]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            # a status filter with the default newest-first order (the overdue cases)
            models.Index(fields=["status", "received_at"], name="case_status_received"),
            models.Index(fields=["procedure", "received_at"]),
            models.Index(fields=["department", "received_at"]),
            # a unit's overdue cases among the open ones: counting them read a province's
            # whole department index (800,000 entries) for 113 cases (35 ms → 0.4 ms)
            models.Index(
                fields=["department", "due_at"],
                condition=Q(status="in_progress"),
                name="case_open_department_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_code} {self.applicant_name}"

    def get_absolute_url(self) -> str:
        return url_for("procedures:case_detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.status == CaseStatus.IN_PROGRESS and self.due_at < timezone.now()


class CaseStep(models.Model):
    """One step of a case: copied from the procedure, then timed as it is handled."""

    visible_through = "case"

    case = models.ForeignKey(
        ServiceCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("step"))
    name = models.CharField(_("step"), max_length=300)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("responsible role"), max_length=100, blank=True)
    allowance_days = models.DecimalField(
        _("time allowed (working days)"), max_digits=6, decimal_places=3
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    working_days_used = models.DecimalField(
        _("working days used"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    on_time = models.BooleanField(_("within its allowance"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "position"]
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="case_step_unique")
        ]
        # who sees a case (procedures.selectors.case_visibility_q): answered index-only
        indexes = [
            models.Index(fields=["department", "case"], name="case_step_department_case"),
            models.Index(fields=["handler", "case"], name="case_step_handler_case"),
            # the steps being handled now (My tasks, reminders): thousands among millions
            models.Index(
                fields=["due_at"],
                condition=Q(finished_at__isnull=True, started_at__isnull=False),
                name="case_step_open_due",
            ),
            # … a person's, and a department's with nobody named (My tasks): with only
            # the department's index of all its steps, PostgreSQL read 256,000 entries of a
            # province's department to find its 218 open steps (35 ms → 0.3 ms)
            models.Index(
                fields=["handler", "due_at"],
                condition=Q(finished_at__isnull=True, started_at__isnull=False),
                name="case_step_open_handler",
            ),
            models.Index(
                fields=["department", "due_at"],
                condition=Q(finished_at__isnull=True, started_at__isnull=False, handler=None),
                name="case_step_open_unassigned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.receipt_code} {self.position}. {self.name}"


class CaseDossierItem(models.Model):
    """A document of the procedure's dossier and whether the applicant handed it in."""

    visible_through = "case"

    case = models.ForeignKey(
        ServiceCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="dossier"
    )
    position = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("document"), max_length=500)
    required = models.BooleanField(_("required"), default=True)
    received = models.BooleanField(_("handed in"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "position"]
        verbose_name = _("case dossier document")
        verbose_name_plural = _("case dossier documents")

    def __str__(self) -> str:
        return self.name


class CasePause(models.Model):
    """A supplement requested: the clock stops from ``started_at`` to ``ended_at``."""

    visible_through = "case"

    case = models.ForeignKey(
        ServiceCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="pauses"
    )
    reason = models.TextField(_("what is missing"))
    notified_on = models.DateField(_("applicant notified on"))
    started_at = models.DateTimeField(_("paused at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    working_days = models.DecimalField(
        _("working days paused"), max_digits=7, decimal_places=3, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "started_at"]
        verbose_name = _("case pause")
        verbose_name_plural = _("case pauses")

    def __str__(self) -> str:
        return f"{self.case.receipt_code} {self.started_at:%Y-%m-%d}"


class CaseNote(models.Model):
    """A remark on a case, also after it is closed (a closed case is never edited)."""

    visible_through = "case"

    case = models.ForeignKey(
        ServiceCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notes"
    )
    text = models.TextField(_("note"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "written_at"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return self.text[:60]
