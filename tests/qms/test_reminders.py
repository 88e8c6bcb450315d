"""Reminder sweeps send once, in the recipient's language, by e-mail after commit."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext_noop

from qms import reminders
from qms.models import CalendarDay, Notification, Reminder
from qms.notifications import notify
from qms.tasks import send_pending_notification_emails

pytestmark = pytest.mark.django_db(transaction=True)

NOVEMBER = date(2026, 11, 20)


def test_missing_holidays_remind_each_administrator_once(role_users):
    admin = role_users["administrator"]
    first = reminders.run_sweep("qms.calendar_missing", NOVEMBER)
    # This year and, from November on, next year: two reminders for the one administrator.
    assert first == 2
    assert Notification.objects.filter(recipient=admin).count() == 2
    again = reminders.run_sweep("qms.calendar_missing", NOVEMBER)
    assert again == 0
    assert Reminder.objects.count() == 2
    assert len(mail.outbox) == 2
    assert mail.outbox[0].to == [admin.email]


def test_no_reminder_once_the_holidays_are_entered(role_users):
    CalendarDay.objects.create(date=date(2026, 1, 1), name="Tết Dương lịch")
    CalendarDay.objects.create(date=date(2027, 1, 1), name="Tết Dương lịch")
    assert reminders.run_sweep("qms.calendar_missing", NOVEMBER) == 0


def test_before_november_next_year_is_not_asked_for(role_users):
    CalendarDay.objects.create(date=date(2026, 1, 1), name="Tết Dương lịch")
    assert reminders.run_sweep("qms.calendar_missing", date(2026, 6, 1)) == 0


def test_email_is_written_in_the_recipients_language(role_users):
    admin = role_users["administrator"]
    admin.language = "vi"
    admin.save()
    reminders.run_sweep("qms.calendar_missing", NOVEMBER)
    body = mail.outbox[0].body
    assert "Public holidays for" not in body
    assert "2026" in body or "2027" in body


def test_a_failing_sweep_does_not_stop_the_others(role_users, monkeypatch):
    def broken(today):
        raise RuntimeError("boom")

    monkeypatch.setitem(reminders._SWEEPS, "test.broken", broken)
    results = reminders.run_sweeps(NOVEMBER)
    assert results["test.broken"] == -1
    assert results["qms.calendar_missing"] == 2


def test_run_reminders_command(role_users, capsys):
    call_command("run_reminders", "--date", "2026-11-20")
    assert "qms.calendar_missing: 2 sent" in capsys.readouterr().out
    call_command("run_reminders", "--date", "2026-11-20")
    assert "qms.calendar_missing: 0 sent" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Unknown sweep"):
        call_command("run_reminders", "--sweep", "nope")


def test_emails_that_could_not_be_queued_are_sent_by_the_catch_up_sweep(role_users, monkeypatch):
    from qms import notifications

    monkeypatch.setattr(notifications, "queue_email", lambda pk: None)  # broker down
    notify(recipient=role_users["staff"], message=gettext_noop("Your password was changed."))
    assert len(mail.outbox) == 0
    assert send_pending_notification_emails() == 1
    assert send_pending_notification_emails() == 0
    assert len(mail.outbox) == 1


def test_broker_failure_does_not_break_the_request(role_users, monkeypatch):
    from qms import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.send_notification_emails, "apply_async", refuse)
    notification = notify(recipient=role_users["staff"], message="Welcome")
    assert Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).exists()


def test_one_failing_email_does_not_block_the_others(role_users, monkeypatch):
    from qms import notifications

    monkeypatch.setattr(notifications, "queue_email", lambda pk: None)
    first = notify(recipient=role_users["staff"], message="One")
    notify(recipient=role_users["qms_manager"], message="Two")
    real_send = notifications.send_email_now

    def flaky(notification_id):
        if notification_id == first.pk:
            raise OSError("mailbox unavailable")
        return real_send(notification_id)

    monkeypatch.setattr(notifications, "send_email_now", flaky)
    assert notifications.send_pending_emails() == 1
    assert len(mail.outbox) == 1


def test_a_reminder_sent_meanwhile_by_another_worker_is_skipped_alone(role_users, monkeypatch):
    """Sweeps commit a batch at a time, each reminder in its own savepoint: a key that
    another worker inserted after this batch looked for it is skipped, the rest is sent
    and its e-mails go after the commit."""
    admin, staff = role_users["administrator"], role_users["staff"]
    taken = Reminder.objects.create(
        key="test:taken", sweep="test", notification=notify(recipient=admin, message="x")
    )
    mail.outbox.clear()
    monkeypatch.setitem(
        reminders._SWEEPS,
        "test.race",
        lambda today: [
            reminders.Due(key="test:taken", recipient=admin, message=gettext_noop("Sign in")),
            reminders.Due(key="test:new", recipient=staff, message=gettext_noop("Sign in")),
        ],
    )
    # as if the other worker's insert came after this sweep's look-up
    real_filter = Reminder.objects.filter
    monkeypatch.setattr(
        Reminder.objects,
        "filter",
        lambda *a, **kw: real_filter(pk=None) if "key__in" in kw else real_filter(*a, **kw),
    )
    assert reminders.run_sweep("test.race", NOVEMBER) == 1
    assert set(Reminder.objects.values_list("key", flat=True)) == {"test:taken", "test:new"}
    assert Reminder.objects.get(key="test:taken") == taken
    assert Notification.objects.filter(recipient=staff).count() == 1
    assert [message.to for message in mail.outbox] == [[staff.email]]


def test_the_emails_of_a_transaction_go_to_celery_in_one_message(role_users, monkeypatch):
    """A sweep's batch (or a request) hands its e-mails over in one message per hundred
    when it commits; one rolled back with its savepoint is found unsent and skipped."""
    from contextlib import suppress

    from django.db import transaction

    from qms import notifications, tasks

    published = []
    real = tasks.send_notification_emails.apply_async

    def publish(args, **kwargs):
        published.append(list(args[0]))
        return real(args, **kwargs)

    monkeypatch.setattr(tasks.send_notification_emails, "apply_async", publish)
    monkeypatch.setattr(notifications, "EMAILS_PER_MESSAGE", 2)
    mail.outbox.clear()
    with transaction.atomic():
        first = notify(recipient=role_users["staff"], message="One")
        second = notify(recipient=role_users["qms_manager"], message="Two")
        with suppress(RuntimeError), transaction.atomic():
            notify(recipient=role_users["administrator"], message="Three")
            raise RuntimeError("rolled back with its savepoint")
        third = notify(recipient=role_users["process_owner"], message="Four")
        assert published == []  # nothing before the commit
    assert published[0] == [first.pk, second.pk] and published[1][-1] == third.pk
    assert len(published) == 2 and len(published[1]) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        role_users[r].email for r in ("staff", "qms_manager", "process_owner")
    )
