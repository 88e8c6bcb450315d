"""Processes (ISO 9001 clause 4.4) and the agency's administrative procedures (clause 8).

A *process* is a box on the process map: its owner, inputs and outputs, the processes it
hands over to, its indicators and the documents that describe it. An *administrative
procedure* is a public service: what the citizen brings (dossier), pays, waits for
(statutory time in working days) and receives, handled in ordered *steps* by named units
within allowances that add up to no more than the statutory time.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from procedures.choices import (
    AllowanceUnit,
    Direction,
    Level,
    Measure,
    ProcedureStatus,
    ProcessType,
    ReviewFlag,
)
from qms.links import url_for
from qms.models import Department
from qms.visibility import VisibleQuerySet


class ProcessQuerySet(VisibleQuerySet):
    visibility_q = "procedures.selectors.everyone_signed_in_q"


class Process(models.Model):
    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        error_messages={"unique": _("This code is already used by another process.")},
    )
    name = models.CharField(_("name"), max_length=200)
    process_type = models.CharField(
        _("process type"), max_length=20, choices=ProcessType.choices, default=ProcessType.CORE
    )
    department = models.ForeignKey(
        Department, verbose_name=_("owner department"), on_delete=models.PROTECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("process owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    purpose = models.TextField(_("purpose"), blank=True)
    inputs = models.TextField(_("inputs"), blank=True)
    outputs = models.TextField(_("outputs"), blank=True)
    hands_over_to = models.ManyToManyField(
        "self",
        verbose_name=_("hands over to"),
        symmetrical=False,
        blank=True,
        related_name="receives_from",
    )
    documents = models.ManyToManyField(
        "documents.Document",
        verbose_name=_("documents that describe it"),
        blank=True,
        related_name="processes",
    )
    is_active = models.BooleanField(_("in use"), default=True)
    search_text = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(m2m_fields=[hands_over_to, documents])
    objects = ProcessQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        permissions = [("manage_processes", _("Can maintain the process map and procedures"))]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return url_for("procedures:process_detail", self.pk)


class ProcessIndicator(models.Model):
    """A KPI of a process: what is measured, the target, which way is better."""

    visible_through = "process"

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("indicator"), max_length=200)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    measure = models.CharField(
        _("measured as"), max_length=20, choices=Measure.choices, default=Measure.MANUAL
    )
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["process", "position", "pk"]
        verbose_name = _("process indicator")
        verbose_name_plural = _("process indicators")

    def __str__(self) -> str:
        return self.name


class ProcedureQuerySet(VisibleQuerySet):
    visibility_q = "procedures.selectors.everyone_signed_in_q"

    def public(self):
        """What the public catalogue shows, without login."""
        return self.filter(is_public=True, status=ProcedureStatus.ACTIVE)


class Procedure(models.Model):
    code = models.CharField(
        _("procedure code"),
        max_length=40,
        unique=True,
        error_messages={"unique": _("This code is already used by another procedure.")},
    )
    national_code = models.CharField(
        _("code in the national database"), max_length=40, blank=True, db_index=True
    )
    name = models.CharField(_("name"), max_length=500)
    field = models.CharField(_("field"), max_length=200, db_index=True)
    level = models.CharField(
        _("level"), max_length=20, choices=Level.choices, default=Level.PROVINCIAL
    )
    process = models.ForeignKey(
        Process,
        verbose_name=_("process"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedures",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department in charge"), on_delete=models.PROTECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    applicants = models.TextField(_("who may apply"), blank=True)
    fees = models.TextField(_("fees and charges"), blank=True)
    statutory_days = models.PositiveSmallIntegerField(_("statutory time (working days)"))
    result = models.TextField(_("result delivered"), blank=True)
    legal_basis = models.ManyToManyField(
        "documents.ExternalDocument",
        verbose_name=_("legal basis"),
        blank=True,
        related_name="procedures",
    )
    documents = models.ManyToManyField(
        "documents.Document",
        verbose_name=_("controlled documents (procedure, forms)"),
        blank=True,
        related_name="procedures",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProcedureStatus.choices,
        default=ProcedureStatus.ACTIVE,
        db_index=True,
    )
    is_public = models.BooleanField(_("shown in the public catalogue"), default=True)
    review_flag = models.CharField(
        _("review needed"), max_length=20, choices=ReviewFlag.choices, blank=True, db_index=True
    )
    review_flag_detail = models.CharField(max_length=100, blank=True, editable=False)
    # Set by the nightly check when late cases or bad ratings repeat; cleared by the QMS
    # manager raising a nonconformity or dismissing it.
    attention = models.BooleanField(_("flagged for corrective action"), default=False)
    attention_since = models.DateField(null=True, blank=True, editable=False)
    attention_late = models.PositiveIntegerField(default=0, editable=False)
    attention_bad = models.PositiveIntegerField(default=0, editable=False)
    search_text = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(m2m_fields=[legal_basis, documents])
    objects = ProcedureQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative procedure")
        verbose_name_plural = _("administrative procedures")
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return url_for("procedures:procedure_detail", self.pk)

    def get_public_url(self) -> str:
        return url_for("public:procedure_detail", self.pk)


class DossierItem(models.Model):
    """One component of the dossier the applicant hands in."""

    visible_through = "procedure"

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE, related_name="dossier"
    )
    position = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("document in the dossier"), max_length=500)
    copies = models.CharField(_("copies"), max_length=100, blank=True)
    required = models.BooleanField(_("required"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["procedure", "position"]
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")

    def __str__(self) -> str:
        return self.name


class ProcedureStep(models.Model):
    """One step of the procedure, with who does it and how long it may take."""

    visible_through = "procedure"

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("step"))
    name = models.CharField(_("step"), max_length=300)
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    role = models.CharField(_("responsible role"), max_length=100, blank=True)
    allowance = models.DecimalField(_("time allowed"), max_digits=6, decimal_places=2)
    unit = models.CharField(
        _("unit"), max_length=10, choices=AllowanceUnit.choices, default=AllowanceUnit.DAYS
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["procedure", "position"]
        verbose_name = _("procedure step")
        verbose_name_plural = _("procedure steps")

    def __str__(self) -> str:
        return self.name

    @property
    def allowance_short(self) -> Decimal:
        return short_number(self.allowance)

    @property
    def allowance_days(self) -> Decimal:
        return allowance_in_days(self.allowance, self.unit)


def short_number(value) -> Decimal:
    """1.5 rather than 1.50, 4 rather than 4.00 (to two decimals at most)."""
    value = Decimal(value).quantize(Decimal("0.01"))
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def allowance_in_days(allowance: Decimal, unit: str) -> Decimal:
    if unit == AllowanceUnit.HOURS:
        from qms.calendar import hours_per_day

        return Decimal(allowance) / Decimal(str(hours_per_day()))
    return Decimal(allowance)
