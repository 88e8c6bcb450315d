"""Sending notifications: in-app always, by e-mail after the transaction commits."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

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
        transaction.on_commit(lambda: queue_email(notification.pk))
    return notification


def queue_email(notification_id: int) -> None:
    """Hand the e-mail to Celery; if the broker is down, the 15-minute sweep sends it."""
    from qms.tasks import send_notification_email

    try:
        send_notification_email.apply_async(
            (notification_id,),
            retry=True,
            retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
        )
    except Exception:  # noqa: BLE001 - any broker failure must not break the request
        logger.warning("Could not queue e-mail for notification %s", notification_id)


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


def send_pending_emails(limit: int = 1000) -> int:
    """The catch-up: e-mails that could not be queued or failed, oldest first.

    One e-mail that keeps failing (a bad address) is logged and skipped, never blocking
    the others.
    """
    pending = Notification.objects.filter(send_email=True, emailed_at__isnull=True).order_by(
        "created_at", "pk"
    )
    sent = 0
    for notification_id in pending.values_list("pk", flat=True)[:limit]:
        try:
            sent += send_email_now(notification_id)
        except Exception:  # noqa: BLE001 - keep going; the operator sees the log
            logger.exception("E-mail for notification %s failed", notification_id)
    return sent


def mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    pending = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        pending = pending.filter(pk__in=notification_ids)
    marked = pending.update(read_at=timezone.now())  # history-free: notifications are untracked
    notifications_changed(user.pk, user)
    return marked
