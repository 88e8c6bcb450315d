from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcessType(models.TextChoices):
    MANAGEMENT = "management", _("Management process")
    CORE = "core", _("Core (service) process")
    SUPPORT = "support", _("Support process")


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class ProcedureStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    ABOLISHED = "abolished", _("Abolished")


class AllowanceUnit(models.TextChoices):
    DAYS = "days", _("working days")
    HOURS = "hours", _("working hours")


class ReviewFlag(models.TextChoices):
    NONE = "", _("No review needed")
    LEGAL_AMENDED = "legal_amended", _("Legal basis amended")
    LEGAL_REPEALED = "legal_repealed", _("Legal basis repealed")


class Measure(models.TextChoices):
    """Where an indicator's actual value comes from."""

    MANUAL = "manual", _("Measured outside the portal")
    ON_TIME = "on_time", _("On-time rate of the process's cases (%)")
    SATISFACTION = "satisfaction", _("Satisfaction index of the process's cases (%)")
    AVERAGE_DAYS = "average_days", _("Average working days per case")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


PROCESS_COLOURS = {
    ProcessType.MANAGEMENT: "primary",
    ProcessType.CORE: "success",
    ProcessType.SUPPORT: "secondary",
}
STATUS_COLOURS = {
    ProcedureStatus.ACTIVE: "success",
    ProcedureStatus.SUSPENDED: "warning",
    ProcedureStatus.ABOLISHED: "secondary",
}
