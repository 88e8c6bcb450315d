"""The agency's working-day calendar: public holidays and make-up working days."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarDay(models.Model):
    """A date that departs from the ordinary week: a day off, or a Saturday worked."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (day off)")
        WORKING_DAY = "working_day", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(
        _("type of day"), max_length=20, choices=Kind.choices, default=Kind.HOLIDAY
    )
    name = models.CharField(_("name"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        permissions = [("manage_calendar", _("Can manage holidays and make-up working days"))]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"
