"""Records' contributions to the platform: files, My tasks, reminders, search, beat."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qms import attachments, mytasks, reminders, search
from qms.models import User
from records.choices import BatchStatus
from records.models import DisposalBatch, Record

# Files come only with registration or a correction (records.services), never through the
# generic upload page: a record is not edited in place.
attachments.register_attachable(Record, can_upload=lambda user, record: False)


@mytasks.register
def record_tasks(user, today: date) -> list[mytasks.Task]:
    if not user.has_perm("records.manage_records"):
        return []
    batches = DisposalBatch.objects.filter(status=BatchStatus.PROPOSED).order_by("proposed_on")[:10]
    return [
        mytasks.Task(
            title=_("Review and approve disposal batch %(number)s") % {"number": batch.number},
            url=batch.get_absolute_url(),
            module=_("Records"),
            due=batch.proposed_on + timedelta(days=30),
            today=today,
        )
        for batch in batches
    ]


@reminders.register("records.disposal_waiting")
def disposal_waiting(today: date) -> Iterator[reminders.Due]:
    """A proposed batch still undecided after two weeks, then every two weeks."""
    batches = list(DisposalBatch.objects.filter(status=BatchStatus.PROPOSED))
    if not batches:
        return
    managers = list(User.objects.filter(groups__name="qms_manager", is_active=True))
    for batch in batches:
        waiting = (today - batch.proposed_on).days
        if waiting < 14:
            continue
        for manager in managers:
            yield reminders.Due(
                key=f"records.disposal:{batch.pk}:{waiting // 14}:{manager.pk}",
                recipient=manager,
                message=gettext_noop(
                    "Disposal batch %(number)s has been waiting for approval for %(days)s days."
                ),
                params={"number": batch.number, "days": waiting},
                url=batch.get_absolute_url(),
            )


def _search_records(user, folded: str, limit: int) -> list[search.Hit]:
    matches = (
        Record.objects.visible_to(user)
        .filter(search_text__matches=folded)
        .select_related("record_type")
        .only("reference", "title", "record_date", "record_type__code")
        .order_by("-record_date")[:limit]
    )
    return [
        search.Hit(
            title=f"{record.reference} {record.title}".strip(),
            url=record.get_absolute_url(),
            module=_("Records"),
            detail=f"{record.record_type.code} · {record.record_date:%d/%m/%Y}",
        )
        for record in matches
    ]


search.register("records", _search_records)
