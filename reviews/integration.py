"""Management review's contributions to the platform: My tasks, reminders, attachments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qms import attachments, mytasks, reminders
from qms.visibility import role_slugs
from reviews import services
from reviews.choices import ReviewStatus
from reviews.models import ManagementReview

attachments.register_attachable(
    ManagementReview,
    can_upload=lambda user, review: (
        services.can_manage(user)
        and review.status not in (ReviewStatus.SIGNED, ReviewStatus.CANCELLED)
    ),
)


@mytasks.register
def review_tasks(user, today: date) -> list[mytasks.Task]:
    """The chair signs held minutes; the QMS manager prepares the coming reviews."""
    manager = services.can_manage(user)
    if not manager and "top_management" not in role_slugs(user):
        return []  # only the agency head chairs: no query on everyone else's home page
    wanted = Q(chair=user, status=ReviewStatus.HELD)
    if manager:
        wanted |= Q(
            status__in=[ReviewStatus.PLANNED, ReviewStatus.INPUTS_COMPILED],
            meeting_date__lte=today + timedelta(days=14),
        )
    tasks = []
    for review in ManagementReview.objects.filter(wanted).order_by("meeting_date")[:10]:
        if review.status == ReviewStatus.HELD:
            title = _("Sign the minutes of management review %(number)s")
            due = review.meeting_date + timedelta(days=7)
        elif review.meeting_date <= today:
            title = _("Record the minutes of management review %(number)s")
            due = review.meeting_date
        elif review.status == ReviewStatus.PLANNED:
            title = _("Compile the inputs of management review %(number)s")
            due = review.meeting_date
        else:
            continue
        tasks.append(
            mytasks.Task(
                title=title % {"number": review.number},
                url=review.get_absolute_url(),
                module=_("Management review"),
                due=due,
                today=today,
            )
        )
    return tasks


@reminders.register("reviews.upcoming")
def upcoming(today: date) -> Iterator[reminders.Due]:
    """Three days before the meeting: the chair and every participant."""
    reviews = (
        ManagementReview.objects.filter(
            status__in=[ReviewStatus.PLANNED, ReviewStatus.INPUTS_COMPILED],
            meeting_date__gte=today,
            meeting_date__lte=today + timedelta(days=3),
        )
        .select_related("chair")
        .prefetch_related("participants")
    )
    for review in reviews:
        for person in {review.chair, *review.participants.all()}:
            yield reminders.Due(
                key=f"reviews.upcoming:{review.pk}:{review.meeting_date.isoformat()}:{person.pk}",
                recipient=person,
                message=gettext_noop("Management review %(number)s on %(date)s: %(title)s"),
                params={
                    "number": review.number,
                    "date": review.meeting_date.isoformat(),
                    "title": review.title[:120],
                },
                url=review.get_absolute_url(),
            )


@reminders.register("reviews.minutes_unsigned")
def minutes_unsigned(today: date) -> Iterator[reminders.Due]:
    """A week after the meeting, minutes still unsigned: the chair, once."""
    reviews = ManagementReview.objects.filter(
        status=ReviewStatus.HELD, meeting_date__lte=today - timedelta(days=7)
    ).select_related("chair")
    for review in reviews:
        yield reminders.Due(
            key=f"reviews.unsigned:{review.pk}",
            recipient=review.chair,
            message=gettext_noop("Sign the minutes of management review %(number)s"),
            params={"number": review.number},
            url=review.get_absolute_url(),
        )
