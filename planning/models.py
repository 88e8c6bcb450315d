"""Planning (ISO 9001 clause 6): the QMS scope and conformity announcements, quality
objectives with their measurements, and the register of risks and opportunities."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from planning import matrix
from planning.choices import (
    Direction,
    Frequency,
    Measure,
    ObjectiveStatus,
    RiskKind,
    RiskLevel,
    RiskStatus,
    ScoreMetric,
    Treatment,
)
from qms.links import url_for
from qms.models import Department
from qms.visibility import VisibleQuerySet


class ScopeQuerySet(VisibleQuerySet):
    visibility_q = "planning.selectors.staff_q"


class Scope(models.Model):
    """One version of the QMS scope statement. A change is a new version, never an edit,
    so each conformity announcement keeps the scope it announced."""

    statement = models.TextField(_("scope of the quality management system"))
    exclusions = models.TextField(_("requirements not applicable, and why"), blank=True)
    departments = models.ManyToManyField(
        Department, verbose_name=_("departments covered"), blank=True, related_name="+"
    )
    procedures = models.ManyToManyField(
        "procedures.Procedure", verbose_name=_("procedures covered"), blank=True, related_name="+"
    )
    effective_from = models.DateField(_("effective from"))
    reason = models.TextField(_("reason for the change"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[departments, procedures])
    objects = ScopeQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from", "-pk"]
        get_latest_by = ["effective_from", "pk"]
        verbose_name = _("QMS scope")
        verbose_name_plural = _("QMS scope versions")
        permissions = [
            ("manage_planning", _("Can keep the QMS scope, objectives, risks and scorecard"))
        ]

    def __str__(self) -> str:
        return _("Scope from %(date)s") % {"date": self.effective_from.isoformat()}


class Announcement(models.Model):
    """The agency's announcement that its QMS conforms to ISO 9001 (in Viet Nam the
    "công bố hệ thống quản lý chất lượng phù hợp"), for the scope then in force."""

    visible_through = "scope"

    scope = models.ForeignKey(
        Scope,
        verbose_name=_("scope announced"),
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    announced_on = models.DateField(_("announced on"))
    decision_number = models.CharField(_("decision number"), max_length=60)
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-announced_on", "-pk"]
        verbose_name = _("conformity announcement")
        verbose_name_plural = _("conformity announcements")
        constraints = [
            models.UniqueConstraint(
                fields=["decision_number"], name="one_announcement_per_decision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.announced_on.isoformat()})"


class ObjectiveQuerySet(VisibleQuerySet):
    visibility_q = "planning.selectors.staff_q"


class Objective(models.Model):
    """A quality objective of a year, for the whole agency or one department."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Leave empty for an objective of the whole agency."),
    )
    statement = models.TextField(_("objective"))
    indicator = models.CharField(_("indicator"), max_length=300)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    frequency = models.CharField(
        _("measured"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure = models.CharField(
        _("values come from"), max_length=30, choices=Measure.choices, default=Measure.MANUAL
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For an on-time rate or satisfaction of one procedure only."),
    )
    within_days = models.PositiveSmallIntegerField(
        _("within (days)"),
        null=True,
        blank=True,
        help_text=_("For nonconformities closed within N days."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ObjectiveStatus.choices,
        default=ObjectiveStatus.NOT_MEASURED,
        db_index=True,
    )
    last_value = models.DecimalField(
        _("latest value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    last_period_end = models.DateField(_("latest period"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why it was withdrawn"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "number"]
        verbose_name = _("quality objective")
        verbose_name_plural = _("quality objectives")
        indexes = [
            models.Index(fields=["year", "status"]),
            models.Index(fields=["year", "department"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.indicator}"

    def get_absolute_url(self) -> str:
        return url_for("planning:objective_detail", self.pk)

    @property
    def is_live(self) -> bool:
        return self.measure != Measure.MANUAL


class Measurement(models.Model):
    """The objective's value for one period (entered, or computed by the portal)."""

    visible_through = "objective"

    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective"),
        on_delete=models.PROTECT,
        related_name="measurements",
    )
    period_end = models.DateField(_("period ending"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the portal computed the value."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["objective", "period_end"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(fields=["objective", "period_end"], name="one_value_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.objective.number} {self.period_end.isoformat()}: {self.value}"


class RiskQuerySet(VisibleQuerySet):
    visibility_q = "planning.selectors.risk_visibility_q"


class Risk(models.Model):
    """A risk or an opportunity of a process or department (ISO 9001 clause 6.1)."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=RiskKind.choices, default=RiskKind.RISK
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    consequence = models.TextField(_("consequence"), blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT
    )
    process = models.ForeignKey(
        "procedures.Process",
        verbose_name=_("process"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risks",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    score = models.PositiveSmallIntegerField(_("score"), default=0, editable=False, db_index=True)
    treatment = models.CharField(_("treatment"), max_length=20, choices=Treatment.choices)
    treatment_plan = models.TextField(_("how it is treated"), blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(
        _("likelihood after treatment"), null=True, blank=True
    )
    residual_impact = models.PositiveSmallIntegerField(
        _("impact after treatment"), null=True, blank=True
    )
    residual_score = models.PositiveSmallIntegerField(
        _("score after treatment"), null=True, blank=True, editable=False
    )
    review_date = models.DateField(_("next review"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RiskStatus.choices,
        default=RiskStatus.OPEN,
        db_index=True,
    )
    closed_reason = models.CharField(_("why it was closed"), max_length=300, blank=True)
    identified_on = models.DateField(_("identified on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    search_text = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "number"]
        verbose_name = _("risk or opportunity")
        verbose_name_plural = _("risks and opportunities")
        permissions = [("view_all_risks", _("Can see the whole risk register"))]
        indexes = [
            models.Index(fields=["status", "kind", "score"]),
            models.Index(fields=["department", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return url_for("planning:risk_detail", self.pk)

    @property
    def level(self) -> str:
        return matrix.level(self.score)

    @property
    def level_label(self) -> str:
        return str(RiskLevel(self.level).label) if self.level else ""

    @property
    def residual_level(self) -> str:
        return matrix.level(self.residual_score)

    @property
    def current_score(self) -> int:
        """What the risk weighs now: after treatment where that is assessed."""
        return self.residual_score or self.score


class RiskReview(models.Model):
    """A periodic review of a risk: re-scored, with what was found."""

    visible_through = "risk"

    risk = models.ForeignKey(
        Risk, verbose_name=_("risk"), on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_on = models.DateField(_("reviewed on"))
    score = models.PositiveSmallIntegerField(_("score"))
    residual_score = models.PositiveSmallIntegerField(
        _("score after treatment"), null=True, blank=True
    )
    note = models.TextField(_("what the review found"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["risk", "-reviewed_on", "-pk"]
        verbose_name = _("risk review")
        verbose_name_plural = _("risk reviews")

    def __str__(self) -> str:
        return f"{self.risk.number} {self.reviewed_on.isoformat()}"


class CriterionQuerySet(VisibleQuerySet):
    visibility_q = "planning.selectors.staff_q"


class ScorecardCriterion(models.Model):
    """One weighted criterion of the agency's scorecard, computed per unit from live data.

    A unit's points for the criterion are ``weight × min(1, value / target)`` (or
    ``target / value`` when lower is better); its score is the sum over the criteria,
    out of the sum of the weights, as a percentage."""

    name = models.CharField(_("criterion"), max_length=200)
    metric = models.CharField(_("measured as"), max_length=30, choices=ScoreMetric.choices)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    target = models.DecimalField(
        _("target (%)"),
        max_digits=6,
        decimal_places=2,
        help_text=_("The value that earns full points."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()
    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("scorecard criterion")
        verbose_name_plural = _("scorecard criteria")

    def __str__(self) -> str:
        return self.name
