"""The working-day calendar: the one place that counts statutory time limits.

A working day is a weekday outside ``QMS_WEEKEND_DAYS`` that is not a public holiday,
or any day the agency declared a make-up working day. ``add_working_days(d, n)`` is the
n-th working day after ``d`` (before it when n < 0); ``working_days_between(a, b)``
counts the working days passed over walking from ``a`` to ``b``, the start excluded and
the landing day included (negative when walking backwards), so that
``working_days_between(d, add_working_days(d, n)) == n`` for every ``d`` and ``n``.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings

from qms.models import CalendarDay

# No real calendar has a year without a working day; this guards a misconfigured one.
_MAX_SCAN_DAYS = 3 * 366


class WorkingCalendar:
    """Holidays and make-up days, loaded one year at a time and kept for reuse.

    Build one per request (or per sweep) and pass it along: every deadline computed
    with it costs no further queries for years already loaded.
    """

    def __init__(self, weekend_days: list[int] | None = None) -> None:
        self.weekend_days = frozenset(
            settings.QMS_WEEKEND_DAYS if weekend_days is None else weekend_days
        )
        self._kinds: dict[date, str] = {}
        self._years: set[int] = set()

    def _load_year(self, year: int) -> None:
        if year in self._years:
            return
        rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
        self._kinds.update(rows)
        self._years.add(year)

    def is_working_day(self, day: date) -> bool:
        self._load_year(day.year)
        kind = self._kinds.get(day)
        if kind == CalendarDay.Kind.WORKING_DAY:
            return True
        if kind == CalendarDay.Kind.HOLIDAY:
            return False
        return day.weekday() not in self.weekend_days

    def add_working_days(self, start: date, days: int) -> date:
        step = 1 if days >= 0 else -1
        remaining = abs(days)
        current = start
        since_last_working_day = 0
        while remaining:
            current += timedelta(days=step)
            if self.is_working_day(current):
                remaining -= 1
                since_last_working_day = 0
            else:
                since_last_working_day += 1
                if since_last_working_day > _MAX_SCAN_DAYS:
                    raise ValueError("The calendar has no working days in range.")
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days passed over going from ``start`` to ``end``, landing day included."""
        step = 1 if end >= start else -1
        count = 0
        current = start
        while current != end:
            current += timedelta(days=step)
            if self.is_working_day(current):
                count += 1
        return count * step


def add_working_days(start: date, days: int, *, calendar: WorkingCalendar | None = None) -> date:
    return (calendar or WorkingCalendar()).add_working_days(start, days)


def working_days_between(start: date, end: date, *, calendar: WorkingCalendar | None = None) -> int:
    return (calendar or WorkingCalendar()).working_days_between(start, end)


def is_working_day(day: date, *, calendar: WorkingCalendar | None = None) -> bool:
    return (calendar or WorkingCalendar()).is_working_day(day)
