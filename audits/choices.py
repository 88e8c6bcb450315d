from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditType(models.TextChoices):
    INTERNAL = "internal", _("Internal audit")
    CERTIFICATION = "certification", _("External certification audit")
    SURVEILLANCE = "surveillance", _("Surveillance audit")
    INSPECTION = "inspection", _("Inspection")


class AuditStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PREPARED = "prepared", _("Prepared")
    IN_PROGRESS = "in_progress", _("In progress")
    FINDINGS_CONFIRMED = "findings_confirmed", _("Findings confirmed")
    REPORTED = "reported", _("Reported")
    CLOSED = "closed", _("Closed")


AUDIT_COLOURS = {
    AuditStatus.PLANNED: "secondary",
    AuditStatus.PREPARED: "info",
    AuditStatus.IN_PROGRESS: "primary",
    AuditStatus.FINDINGS_CONFIRMED: "warning",
    AuditStatus.REPORTED: "success",
    AuditStatus.CLOSED: "dark",
}


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class ItemResult(models.TextChoices):
    CONFORMING = "conforming", _("Conforming")
    OBSERVATION = "observation", _("Observation")
    OFI = "ofi", _("Opportunity for improvement")
    MINOR_NC = "minor_nc", _("Minor nonconformity")
    MAJOR_NC = "major_nc", _("Major nonconformity")


FINDING_KINDS = [
    (ItemResult.OBSERVATION, ItemResult.OBSERVATION.label),
    (ItemResult.OFI, ItemResult.OFI.label),
    (ItemResult.MINOR_NC, ItemResult.MINOR_NC.label),
    (ItemResult.MAJOR_NC, ItemResult.MAJOR_NC.label),
]
RESULT_COLOURS = {
    ItemResult.CONFORMING: "success",
    ItemResult.OBSERVATION: "info",
    ItemResult.OFI: "primary",
    ItemResult.MINOR_NC: "warning",
    ItemResult.MAJOR_NC: "danger",
}
