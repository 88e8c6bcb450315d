"""The "My tasks" registry: each module contributes the current user's open tasks.

A provider is ``(user, today) -> iterable of Task`` and must use a fixed number of
queries whatever the data size (tests/qms/test_queries.py checks the home page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from qms.prepared import planned_each_time
from qms.reminders import years_missing_calendar


@dataclass(frozen=True)
class Task:
    title: str
    url: str
    module: str
    due: date | None = None
    today: date | None = None

    @property
    def is_overdue(self) -> bool:
        return bool(self.due and self.today and self.due < self.today)


Provider = Callable[[object, date], Iterable[Task]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    _PROVIDERS.append(provider)
    return provider


def tasks_for(user, today: date) -> list[Task]:
    # A person's open items by status, sorted by date and cut: a plan for any person walks
    # the dates past other people's items (a unit's steps at province scale: 7.6 ms
    # instead of 0.3), so these are planned for each person (qms/prepared.py).
    with planned_each_time():
        tasks = [task for provider in _PROVIDERS for task in provider(user, today)]
    return sorted(tasks, key=lambda t: (t.due is None, t.due or today, t.title))


@register
def calendar_tasks(user, today: date) -> list[Task]:
    if not user.has_perm("qms.manage_calendar"):
        return []
    return [
        Task(
            title=_("Enter the public holidays and make-up working days for %(year)s")
            % {"year": year},
            url=reverse("qms:calendar_list") + f"?year={year}",
            module=_("Administration"),
            due=date(year, 1, 1) if year > today.year else today,
            today=today,
        )
        for year in years_missing_calendar(today)
    ]
