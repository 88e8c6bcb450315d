"""The weekly digest: on Monday morning each QMS manager gets, in one e-mail, everything
the reminder registry finds due or overdue in the agency; each head of department the
same for their department and the units below it.

It reads the same sweeps as the daily reminders (``qms.reminders``) without sending
them, so the digest and the reminders never disagree. One digest per person per ISO week:
its key is stored like a reminder's, so a second run sends nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qms import reminders
from qms.models import Department, Reminder, User
from qms.notifications import notify

SWEEP = "qms.weekly_digest"
logger = logging.getLogger(__name__)


def collect(today: date) -> list[tuple[str, reminders.Due]]:
    """(sweep name, item) for everything due now, as the daily sweeps see it."""
    items = []
    for name in reminders.sweep_names():
        try:
            items.extend((name, due) for due in reminders.due_now(name, today))
        except Exception:  # noqa: BLE001 - one broken sweep must not stop the digest
            logger.exception("Sweep %s failed while compiling the weekly digest", name)
    return items


def _module(sweep: str) -> str:
    label = sweep.split(".", 1)[0]
    try:
        return str(apps.get_app_config(label).verbose_name)
    except LookupError:
        return label


def _lines(items, language: str) -> list[tuple[str, list[str]]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    with translation.override(language):
        for sweep, due in items:
            try:
                text = _(due.message) % due.params
            except (KeyError, TypeError, ValueError):
                text = _(due.message)
            url = f"{settings.QMS_BASE_URL}{due.url}" if due.url else ""
            grouped[_module(sweep)].append(f"{text}{'  ' + url if url else ''}")
    return sorted(grouped.items())


def send_weekly_digest(today: date | None = None) -> int:
    today = today or timezone.localdate()
    year, week, _weekday = today.isocalendar()
    items = collect(today)
    if not items:
        return 0
    recipient_ids = {getattr(due.recipient, "pk", None) for _sweep, due in items}
    paths = dict(User.objects.filter(pk__in=recipient_ids).values_list("pk", "department__path"))
    readers: dict[int, tuple[User, list[str] | None]] = {}
    for manager in User.objects.filter(groups__name="qms_manager", is_active=True):
        readers[manager.pk] = (manager, None)
    for head_id, path in Department.objects.filter(
        is_active=True, head__is_active=True
    ).values_list("head_id", "path"):
        if head_id in readers and readers[head_id][1] is None:
            continue  # a QMS manager already sees everything
        person, scopes = readers.get(head_id, (None, []))
        person = person or User.objects.get(pk=head_id)
        readers[head_id] = (person, [*scopes, path])
    sent = 0
    for person, scopes in readers.values():
        mine = [
            (sweep, due)
            for sweep, due in items
            if scopes is None
            or any(
                (paths.get(getattr(due.recipient, "pk", None)) or "").startswith(p) for p in scopes
            )
        ]
        if not mine or not person.email:
            continue
        key = f"digest:{year}-W{week:02d}:{person.pk}"
        if Reminder.objects.filter(key=key).exists():
            continue
        language = person.language or settings.LANGUAGE_CODE
        try:
            with transaction.atomic():
                notification = notify(
                    recipient=person,
                    message=gettext_noop("Weekly digest: %(n)s items due or overdue"),
                    params={"n": len(mine)},
                    url="/",
                    email=False,  # the digest e-mail below carries the whole list
                )
                Reminder.objects.create(key=key, sweep=SWEEP, notification=notification)
        except IntegrityError:
            continue
        with translation.override(language):
            subject = _("Weekly QMS digest: %(n)s items due or overdue") % {"n": len(mine)}
            body = render_to_string(
                "qms/email/digest.txt",
                {
                    "person": person,
                    "groups": _lines(mine, language),
                    "base_url": settings.QMS_BASE_URL,
                    "week": week,
                },
            )
        send_mail(subject, body, None, [person.email])
        sent += 1
    return sent
