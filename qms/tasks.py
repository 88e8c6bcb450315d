"""Celery tasks: thin wrappers that load ids and call the platform's functions."""

from celery import shared_task

from qms import notifications, reminders


@shared_task(name="qms.tasks.run_reminder_sweeps")
def run_reminder_sweeps() -> dict:
    return reminders.run_sweeps()


@shared_task(name="qms.tasks.send_notification_emails")
def send_notification_emails(notification_ids: list[int]) -> int:
    return notifications.send_emails(notification_ids)


# Kept for messages queued by an earlier release (one message per e-mail).
@shared_task(name="qms.tasks.send_notification_email")
def send_notification_email(notification_id: int) -> bool:
    return notifications.send_email_now(notification_id)


@shared_task(name="qms.tasks.send_pending_notification_emails")
def send_pending_notification_emails() -> int:
    return notifications.send_pending_emails()


@shared_task(name="qms.tasks.build_evidence_pack")
def build_evidence_pack(pack_id: int) -> str:
    from qms.evidence import pack_build

    return pack_build(pack_id).status


@shared_task(name="qms.tasks.send_weekly_digest")
def send_weekly_digest() -> int:
    from qms.digest import send_weekly_digest as send

    return send()
