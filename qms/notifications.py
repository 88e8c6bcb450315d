"""Sending notifications: in-app always, by e-mail after the transaction commits."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from qms.db import at_commit
from qms.models import Notification
from qms.visibility import notifications_changed

logger = logging.getLogger(__name__)


def notify(
    *, recipient, message: str, params: dict | None = None, url: str = "", email: bool = True
) -> Notification:
    """Notify one user. ``message`` is an untranslated msgid (mark it with gettext_noop)."""
    notification = Notification.objects.create(
        recipient=recipient,
        message=message,
        params=params or {},
        url=url,
        send_email=email and bool(recipient.email),
    )
    if notification.send_email:
        _email_after_commit(notification.pk)
    return notification


def _email_after_commit(notification_id: int) -> None:
    # The e-mails of one transaction go to Celery together when it commits: a reminder
    # sweep's batch of 500 published 500 messages, 1.3 ms each on a slow machine — half of
    # the sweep's time. Ids of notifications rolled back with a savepoint are found unsent
    # and skipped by the worker.
    at_commit("emails", notification_id, _queue_emails)


EMAILS_PER_MESSAGE = 100  # a worker's task stays short (SMTP takes a moment each)


def _queue_emails(notification_ids: list[int]) -> None:
    for start in range(0, len(notification_ids), EMAILS_PER_MESSAGE):
        queue_email(notification_ids[start : start + EMAILS_PER_MESSAGE])


def queue_email(notification_ids: list[int]) -> None:
    """Hand the e-mails to Celery; if the broker is down, the 15-minute sweep sends them."""
    from qms.tasks import send_notification_emails

    try:
        send_notification_emails.apply_async(
            (notification_ids,),
            retry=True,
            retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
        )
    except Exception:  # noqa: BLE001 - any broker failure must not break the request
        logger.warning("Could not queue the e-mails of notifications %s", notification_ids)


def send_email_now(notification_id: int) -> bool:
    """Send one notification's e-mail once; returns whether it was sent by this call."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, send_email=True, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        recipient = notification.recipient
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            text = notification.text
            body = render_to_string(
                "qms/email/notification.txt",
                {
                    "notification": notification,
                    "text": text,
                    "recipient": recipient,
                    "base_url": settings.QMS_BASE_URL,
                },
            )
            send_mail(text[:150], body, None, [recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def send_emails(notification_ids: list[int]) -> int:
    """Send these notifications' e-mails, each once; one that fails is logged and left for
    the catch-up, never blocking the others. Returns how many this call sent."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += send_email_now(notification_id)
        except Exception:  # noqa: BLE001 - keep going; the operator sees the log
            logger.exception("E-mail for notification %s failed", notification_id)
    return sent


def send_pending_emails(limit: int = 1000) -> int:
    """The catch-up: e-mails that could not be queued or failed, oldest first.

    One e-mail that keeps failing (a bad address) is logged and skipped, never blocking
    the others.
    """
    pending = Notification.objects.filter(send_email=True, emailed_at__isnull=True).order_by(
        "created_at", "pk"
    )
    return send_emails(list(pending.values_list("pk", flat=True)[:limit]))


def mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    pending = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        pending = pending.filter(pk__in=notification_ids)
    marked = pending.update(read_at=timezone.now())  # history-free: notifications are untracked
    notifications_changed(user.pk, user)
    return marked
