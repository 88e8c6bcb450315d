from django.db import models
from django.utils.translation import gettext_lazy as _


class Storage(models.TextChoices):
    PORTAL = "portal", _("In this portal")
    ARCHIVE = "archive", _("Archive room")
    OTHER_SYSTEM = "system", _("Another system")


class Disposition(models.TextChoices):
    DESTROY = "destroy", _("Destroy")
    TRANSFER = "transfer", _("Transfer to the historical archive")
    REVIEW = "review", _("Review again")


class Access(models.TextChoices):
    AGENCY = "agency", _("Everyone in the agency")
    DEPARTMENT = "department", _("The record's department (and its units)")
    RESTRICTED = "restricted", _("Named readers only")


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("Kept")
    DISPOSED = "disposed", _("Disposed of")


class BatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved and carried out")
    CANCELLED = "cancelled", _("Cancelled")


BATCH_COLOURS = {
    BatchStatus.PROPOSED: "warning",
    BatchStatus.APPROVED: "success",
    BatchStatus.CANCELLED: "secondary",
}
