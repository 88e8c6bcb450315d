from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.choices import Direction  # noqa: F401  (one meaning of "higher is better")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Measure(models.TextChoices):
    """Where an objective's values come from: entered by hand, or computed by the portal."""

    MANUAL = "manual", _("Entered by hand")
    ON_TIME = "on_time", _("On-time rate of service cases (%)")
    SATISFACTION = "satisfaction", _("Citizen satisfaction index (%)")
    NC_CLOSED_WITHIN = "nc_closed_within", _("Nonconformities closed within N days (%)")
    DOCUMENTS_REVIEWED = "documents_reviewed", _("Documents reviewed on time (%)")
    AUDIT_PROGRAMME = "audit_programme", _("Audit programme completed (%)")


class ObjectiveStatus(models.TextChoices):
    NOT_MEASURED = "not_measured", _("Not measured yet")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OBJECTIVE_COLOURS = {
    ObjectiveStatus.NOT_MEASURED: "secondary",
    ObjectiveStatus.ON_TRACK: "success",
    ObjectiveStatus.AT_RISK: "warning",
    ObjectiveStatus.OFF_TRACK: "danger",
    ObjectiveStatus.WITHDRAWN: "light",
}


class RiskKind(models.TextChoices):
    RISK = "risk", _("Risk")
    OPPORTUNITY = "opportunity", _("Opportunity")


class Treatment(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REDUCE = "reduce", _("Reduce")
    AVOID = "avoid", _("Avoid")
    TRANSFER = "transfer", _("Transfer")
    PURSUE = "pursue", _("Pursue (opportunity)")


RISK_TREATMENTS = [Treatment.ACCEPT, Treatment.REDUCE, Treatment.AVOID, Treatment.TRANSFER]
OPPORTUNITY_TREATMENTS = [Treatment.PURSUE, Treatment.ACCEPT]


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


LEVEL_COLOURS = {
    RiskLevel.LOW: "success",
    RiskLevel.MEDIUM: "warning",
    RiskLevel.HIGH: "orange",
    RiskLevel.CRITICAL: "danger",
}

#: the words for each step of a five-step scale; other sizes show numbers
LIKELIHOOD_WORDS = [_("Rare"), _("Unlikely"), _("Possible"), _("Likely"), _("Almost certain")]
IMPACT_WORDS = [_("Negligible"), _("Minor"), _("Moderate"), _("Major"), _("Severe")]


class ScoreMetric(models.TextChoices):
    """What a scorecard criterion measures per unit and period (all as percentages)."""

    PUBLICITY = "publicity", _("Procedures published in the public catalogue (%)")
    ON_TIME = "on_time", _("Cases completed on time (%)")
    SATISFACTION = "satisfaction", _("Citizen satisfaction index (%)")
    NC_CLOSED = "nc_closed", _("Nonconformities closed of those raised in the last 12 months (%)")
    ACTIONS_ON_TIME = "actions_on_time", _("Open actions not overdue (%)")
    DOCUMENTS_REVIEWED = "documents_reviewed", _("Effective documents not overdue for review (%)")
    AUDIT_PROGRAMME = "audit_programme", _("Audit programme of the year completed (%)")
