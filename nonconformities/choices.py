from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    INTERNAL_AUDIT = "internal_audit", _("Internal audit")
    EXTERNAL_AUDIT = "external_audit", _("External audit")
    COMPLAINT = "complaint", _("Citizen complaint")
    RATING = "rating", _("Citizen rating")
    LATE_CASE = "late_case", _("Late case")
    MONITORING = "monitoring", _("Process monitoring")
    MANAGEMENT_REVIEW = "management_review", _("Management review")
    STAFF_REPORT = "staff_report", _("Staff report")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class Category(models.TextChoices):
    """Fishbone categories suited to public administration."""

    PEOPLE = "people", _("People")
    PROCEDURE = "procedure", _("Procedures and methods")
    LEGAL = "legal", _("Legal basis")
    IT_SYSTEM = "it_system", _("IT system")
    MATERIALS = "materials", _("Materials and forms")
    ENVIRONMENT = "environment", _("Environment")


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    TRIAGED = "triaged", _("Triaged")
    CAUSE_ANALYSIS = "cause_analysis", _("Cause analysis")
    ACTIONS_PLANNED = "actions_planned", _("Actions planned")
    IMPLEMENTING = "implementing", _("Implementing")
    EFFECTIVENESS_CHECK = "effectiveness_check", _("Effectiveness check")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another")


OPEN_STATUSES = [
    Status.REPORTED,
    Status.TRIAGED,
    Status.CAUSE_ANALYSIS,
    Status.ACTIONS_PLANNED,
    Status.IMPLEMENTING,
    Status.EFFECTIVENESS_CHECK,
]
BOARD_COLUMNS = OPEN_STATUSES + [Status.CLOSED]
STATUS_COLOURS = {
    Status.REPORTED: "danger",
    Status.TRIAGED: "warning",
    Status.CAUSE_ANALYSIS: "warning",
    Status.ACTIONS_PLANNED: "info",
    Status.IMPLEMENTING: "primary",
    Status.EFFECTIVENESS_CHECK: "info",
    Status.CLOSED: "success",
    Status.MERGED: "secondary",
}
SEVERITY_COLOURS = {
    Severity.MINOR: "secondary",
    Severity.MAJOR: "warning",
    Severity.CRITICAL: "danger",
}


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", _("Corrective action")
    PREVENTIVE = "preventive", _("Preventive action")
    IMPROVEMENT = "improvement", _("Improvement")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


ACTION_COLOURS = {
    ActionStatus.PLANNED: "secondary",
    ActionStatus.IN_PROGRESS: "primary",
    ActionStatus.DONE: "success",
    ActionStatus.CANCELLED: "light",
}
OPEN_ACTION_STATUSES = [ActionStatus.PLANNED, ActionStatus.IN_PROGRESS]


class VerificationResult(models.TextChoices):
    EFFECTIVE = "effective", _("Effective: the cause is removed")
    NOT_EFFECTIVE = "not_effective", _("Not effective: it happened again or could happen again")
