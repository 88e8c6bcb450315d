from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    INPUTS_COMPILED = "inputs_compiled", _("Inputs compiled")
    HELD = "held", _("Held, minutes in preparation")
    SIGNED = "signed", _("Minutes signed")
    CANCELLED = "cancelled", _("Cancelled")


STATUS_COLOURS = {
    ReviewStatus.PLANNED: "secondary",
    ReviewStatus.INPUTS_COMPILED: "info",
    ReviewStatus.HELD: "primary",
    ReviewStatus.SIGNED: "success",
    ReviewStatus.CANCELLED: "light",
}


class DecisionKind(models.TextChoices):
    """The outputs ISO 9001 clause 9.3.3 asks for."""

    IMPROVEMENT = "improvement", _("Opportunity for improvement")
    QMS_CHANGE = "qms_change", _("Change to the quality management system")
    RESOURCES = "resources", _("Resource need")
