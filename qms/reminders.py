"""The reminder registry: each module registers sweeps; beat runs them daily.

A sweep is a function ``(today) -> iterable of Due``. The database decides what is due
(never the broker), and each reminder's key is stored with a unique constraint, so a
sweep run twice, or by two workers at once, sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from qms.models import CalendarDay, Reminder
from qms.notifications import notify

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass(frozen=True)
class Due:
    """One reminder to send. ``key`` must identify it for good (object, stage, recipient)."""

    key: str
    recipient: object
    message: str
    params: dict = field(default_factory=dict)
    url: str = ""


Sweep = Callable[[date], Iterable[Due]]
_SWEEPS: dict[str, Sweep] = {}


def register(name: str) -> Callable[[Sweep], Sweep]:
    def decorator(func: Sweep) -> Sweep:
        _SWEEPS[name] = func
        return func

    return decorator


def sweep_names() -> list[str]:
    return sorted(_SWEEPS)


def due_now(name: str, today: date) -> Iterable[Due]:
    """What a sweep finds due, without sending anything (the weekly digest reads this)."""
    return _SWEEPS[name](today)


def _batches(items: Iterable[Due]) -> Iterator[list[Due]]:
    iterator = iter(items)
    while batch := list(islice(iterator, BATCH_SIZE)):
        yield batch


def run_sweep(name: str, today: date | None = None) -> int:
    """Run one sweep; returns how many reminders it sent now."""
    today = today or timezone.localdate()
    sent = 0
    for batch in _batches(_SWEEPS[name](today)):
        known = set(
            Reminder.objects.filter(key__in=[d.key for d in batch]).values_list("key", flat=True)
        )
        # One commit per batch (a commit per reminder cost half the sweep's time); each
        # reminder in its own savepoint, so that one sent meanwhile by another worker is
        # skipped alone. The e-mails are queued when the batch commits.
        with transaction.atomic():
            for due in batch:
                if due.key in known:
                    continue
                try:
                    with transaction.atomic():
                        notification = notify(
                            recipient=due.recipient,
                            message=due.message,
                            params=due.params,
                            url=due.url,
                        )
                        Reminder.objects.create(key=due.key, sweep=name, notification=notification)
                except IntegrityError:
                    continue  # another worker sent this one a moment ago
                known.add(due.key)
                sent += 1
    return sent


def run_sweeps(today: date | None = None, names: list[str] | None = None) -> dict[str, int]:
    results = {}
    for name in names or sweep_names():
        try:
            results[name] = run_sweep(name, today)
        except Exception:
            # One broken sweep must not stop the others; the error is logged for operators.
            logger.exception("Reminder sweep %s failed", name)
            results[name] = -1
    return results


def years_missing_calendar(today: date) -> list[int]:
    """This year always needs holidays; from November on, next year too."""
    wanted = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    present = {
        d.year for d in CalendarDay.objects.filter(date__year__in=wanted).dates("date", "year")
    }
    return [y for y in wanted if y not in present]


@register("qms.calendar_missing")
def calendar_missing(today: date) -> Iterator[Due]:
    """Administrators are reminded to enter the public holidays before they are needed."""
    from django.urls import reverse

    from qms.selectors import users_with_permission

    missing = years_missing_calendar(today)
    if not missing:
        return
    for admin in users_with_permission("qms.manage_calendar"):
        for year in missing:
            yield Due(
                key=f"qms.calendar_missing:{year}:{admin.pk}",
                recipient=admin,
                message=gettext_noop(
                    "Public holidays for %(year)s are not entered yet: deadlines will ignore them."
                ),
                params={"year": year},
                url=reverse("qms:calendar_list") + f"?year={year}",
            )
