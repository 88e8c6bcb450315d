"""The working-day calendar: hand-checked examples and properties over random dates."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qms.calendar import WorkingCalendar, add_working_days, is_working_day, working_days_between
from qms.models import CalendarDay

pytestmark = pytest.mark.django_db

TET_2026 = [date(2026, 2, d) for d in (16, 17, 18, 19, 20)]


@pytest.fixture
def tet(db):
    for day in TET_2026:
        CalendarDay.objects.create(date=day, name="Tết Nguyên đán")
    # A Saturday declared a make-up working day.
    CalendarDay.objects.create(
        date=date(2026, 2, 28), kind=CalendarDay.Kind.WORKING_DAY, name="Làm bù"
    )


def test_weekend_is_skipped():
    friday = date(2026, 11, 20)
    assert add_working_days(friday, 1) == date(2026, 11, 23)  # Monday
    assert add_working_days(friday, 5) == date(2026, 11, 27)
    assert working_days_between(friday, date(2026, 11, 23)) == 1


def test_zero_days_is_the_same_day():
    saturday = date(2026, 11, 21)
    assert add_working_days(saturday, 0) == saturday


def test_case_received_before_lunar_new_year(tet):
    # Received Thursday 12 Feb 2026, 3 working days: Fri 13, (Tết week off), Mon 23, Tue 24.
    assert add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert working_days_between(date(2026, 2, 12), date(2026, 2, 24)) == 3


def test_make_up_saturday_counts(tet):
    # From Thursday 26 Feb: Fri 27, Sat 28 (make-up), Mon 2 Mar.
    assert add_working_days(date(2026, 2, 26), 2) == date(2026, 2, 28)
    assert add_working_days(date(2026, 2, 26), 3) == date(2026, 3, 2)
    assert is_working_day(date(2026, 2, 28))
    assert not is_working_day(date(2026, 2, 17))


def test_counting_backwards(tet):
    # One working day before Monday 23 Feb is Friday 13 Feb (the Tết week is off).
    assert add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)
    assert working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == -1


def test_calendar_loads_each_year_once(tet, django_assert_num_queries):
    calendar = WorkingCalendar()
    with django_assert_num_queries(2):  # 2026 and 2027
        calendar.add_working_days(date(2026, 12, 20), 30)
        calendar.add_working_days(date(2026, 1, 5), 100)
        calendar.working_days_between(date(2026, 3, 1), date(2027, 1, 10))


def test_a_calendar_without_working_days_fails_loudly():
    calendar = WorkingCalendar(weekend_days=[0, 1, 2, 3, 4, 5, 6])
    with pytest.raises(ValueError, match="no working days"):
        calendar.add_working_days(date(2026, 1, 1), 1)


dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
offsets = st.integers(min_value=-60, max_value=120)


@pytest.fixture(scope="module")
def holiday_calendar():
    """A calendar with holidays and a make-up day, built without the database."""
    calendar = WorkingCalendar()
    for year in (2024, 2025, 2026, 2027, 2028):
        calendar._years.add(year)
    for day in TET_2026 + [date(2025, 1, 1), date(2026, 9, 2), date(2027, 4, 30)]:
        calendar._kinds[day] = CalendarDay.Kind.HOLIDAY
    calendar._kinds[date(2026, 2, 28)] = CalendarDay.Kind.WORKING_DAY
    return calendar


@settings(max_examples=300, deadline=None)
@given(start=dates, days=offsets)
def test_between_inverts_add(holiday_calendar, start, days):
    end = holiday_calendar.add_working_days(start, days)
    assert holiday_calendar.working_days_between(start, end) == days


@settings(max_examples=300, deadline=None)
@given(start=dates, days=st.integers(min_value=1, max_value=120))
def test_result_is_a_working_day_after_the_start(holiday_calendar, start, days):
    end = holiday_calendar.add_working_days(start, days)
    assert end > start
    assert holiday_calendar.is_working_day(end)
    # The day before the due date still had fewer working days elapsed.
    assert holiday_calendar.working_days_between(start, end - timedelta(days=1)) == days - 1


@settings(max_examples=200, deadline=None)
@given(start=dates, a=st.integers(0, 60), b=st.integers(0, 60))
def test_adding_in_two_steps_equals_adding_once(holiday_calendar, start, a, b):
    once = holiday_calendar.add_working_days(start, a + b)
    twice = holiday_calendar.add_working_days(holiday_calendar.add_working_days(start, a), b)
    assert once == twice


@settings(max_examples=200, deadline=None)
@given(start=dates, end=dates)
def test_between_never_exceeds_calendar_days(holiday_calendar, start, end):
    assert abs(holiday_calendar.working_days_between(start, end)) <= abs((end - start).days)


# --- Office time within working days (service cases) -----------------------------------

HOUR = 3600
DAY = 8 * HOUR


def _at(day: date, hour: int, minute: int = 0):
    from datetime import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def test_a_case_received_before_tet_is_due_after_it(tet):
    calendar = WorkingCalendar()
    # Received Thursday 12 Feb 2026 at 09:00, 3 working days: Fri 13, then Mon 23, Tue 24.
    due = calendar.add_working_time(_at(date(2026, 2, 12), 9), 3 * DAY)
    assert due == _at(date(2026, 2, 24), 9)
    assert calendar.working_time_between(_at(date(2026, 2, 12), 9), due) == 3 * DAY


def test_office_hours_skip_lunch_evening_and_weekend():
    calendar = WorkingCalendar()
    friday = date(2026, 11, 20)
    # Four hours from Friday 10:00: 10:00–11:30 (1.5 h), 13:00–15:30 (2.5 h).
    assert calendar.add_working_time(_at(friday, 10), 4 * HOUR) == _at(friday, 15, 30)
    # Received after hours on Friday: the clock starts Monday 07:30.
    assert calendar.add_working_time(_at(friday, 18), 1 * HOUR) == _at(date(2026, 11, 23), 8, 30)
    # Received in the lunch break: counted from 13:00.
    assert calendar.add_working_time(_at(friday, 12), 30 * 60) == _at(friday, 13, 30)
    assert calendar.working_time_between(_at(friday, 16), _at(date(2026, 11, 23), 8)) == 1.5 * HOUR


def test_make_up_saturday_has_office_hours(tet):
    calendar = WorkingCalendar()
    friday = date(2026, 2, 27)
    assert calendar.add_working_time(_at(friday, 16), 2 * HOUR) == _at(date(2026, 2, 28), 8, 30)


moments = st.builds(
    lambda day, minute: _at(day, minute // 60, minute % 60),
    dates,
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
durations = st.integers(min_value=1, max_value=40 * DAY)


@settings(max_examples=200, deadline=None)
@given(start=moments, seconds=durations)
def test_working_time_between_inverts_add(holiday_calendar, start, seconds):
    end = holiday_calendar.add_working_time(start, seconds)
    assert end > start
    assert holiday_calendar.working_time_between(start, end) == seconds
    # the end falls inside office hours of a working day
    assert holiday_calendar.is_working_day(end.astimezone(start.tzinfo).date())


@settings(max_examples=150, deadline=None)
@given(start=moments, a=durations, b=durations)
def test_adding_office_time_in_two_steps_equals_once(holiday_calendar, start, a, b):
    once = holiday_calendar.add_working_time(start, a + b)
    twice = holiday_calendar.add_working_time(holiday_calendar.add_working_time(start, a), b)
    assert once == twice
