"""The working-day calendar: the one place that counts statutory time limits.

A working day is a weekday outside ``QMS_WEEKEND_DAYS`` that is not a public holiday,
or any day the agency declared a make-up working day. ``add_working_days(d, n)`` is the
n-th working day after ``d`` (before it when n < 0); ``working_days_between(a, b)``
counts the working days passed over walking from ``a`` to ``b``, the start excluded and
the landing day included (negative when walking backwards), so that
``working_days_between(d, add_working_days(d, n)) == n`` for every ``d`` and ``n``.

Within a working day only the office hours count (``QMS_OFFICE_HOURS``, by default
07:30–11:30 and 13:00–17:00, eight hours): ``add_working_time(t, seconds)`` is the moment
after that much office time from ``t`` (in the agency's time zone), and
``working_time_between(a, b)`` the office time between two moments, so that
``working_time_between(t, add_working_time(t, s)) == s``. Service cases count their
statutory time and each step's allowance this way.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from qms.models import CalendarDay

# No real calendar has a year without a working day; this guards a misconfigured one.
_MAX_SCAN_DAYS = 3 * 366


def office_periods() -> list[tuple[time, time]]:
    """``QMS_OFFICE_HOURS`` ("07:30-11:30,13:00-17:00") as (start, end) pairs."""
    periods = []
    for part in settings.QMS_OFFICE_HOURS.split(","):
        start, end = (time.fromisoformat(value.strip()) for value in part.split("-"))
        periods.append((start, end))
    return sorted(periods)


def working_seconds_per_day() -> int:
    return sum(
        (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds
        for start, end in office_periods()
    )


def hours_per_day() -> float:
    return working_seconds_per_day() / 3600


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

    def _periods_of(self, day: date):
        zone = timezone.get_current_timezone()
        for start, end in office_periods():
            yield (
                timezone.make_aware(datetime.combine(day, start), zone),
                timezone.make_aware(datetime.combine(day, end), zone),
            )

    def add_working_time(self, start: datetime, seconds: float) -> datetime:
        """The moment after ``seconds`` of office time from ``start`` (seconds >= 0)."""
        if seconds <= 0:
            return start
        remaining = timedelta(seconds=seconds)
        day = timezone.localtime(start).date()
        for _ in range(_MAX_SCAN_DAYS * 20):
            if self.is_working_day(day):
                for period_start, period_end in self._periods_of(day):
                    begin = max(start, period_start)
                    if begin >= period_end:
                        continue
                    available = period_end - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("The calendar has no working time in range.")

    def working_time_between(self, start: datetime, end: datetime) -> float:
        """Seconds of office time between two moments (negative when ``end`` is earlier)."""
        if end < start:
            return -self.working_time_between(end, start)
        total = timedelta()
        day = timezone.localtime(start).date()
        last = timezone.localtime(end).date()
        while day <= last:
            if self.is_working_day(day):
                for period_start, period_end in self._periods_of(day):
                    overlap = min(end, period_end) - max(start, period_start)
                    if overlap > timedelta():
                        total += overlap
            day += timedelta(days=1)
        return total.total_seconds()

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


def add_working_time(
    start: datetime, seconds: float, *, calendar: WorkingCalendar | None = None
) -> datetime:
    return (calendar or WorkingCalendar()).add_working_time(start, seconds)


def working_time_between(
    start: datetime, end: datetime, *, calendar: WorkingCalendar | None = None
) -> float:
    return (calendar or WorkingCalendar()).working_time_between(start, end)
