"""Internal audit's contributions to the platform: files, My tasks, reminders, search."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audits.choices import AuditStatus
from audits.models import Audit, AuditSession, ChecklistItem
from qms import attachments, mytasks, reminders, search
from qms.db import kept_rows
from qms.visibility import headed_department_ids

# Reports are generated and signed by the service; evidence is attached by the audit team.
attachments.register_attachable(
    Audit,
    can_upload=lambda user, audit: (
        audit.status == AuditStatus.IN_PROGRESS
        and (audit.lead_auditor_id == user.pk or audit.team.filter(pk=user.pk).exists())
    ),
)

attachments.register_attachable(
    ChecklistItem,
    can_upload=lambda user, item: (
        item.audit.status == AuditStatus.IN_PROGRESS
        and (item.audit.lead_auditor_id == user.pk or item.audit.team.filter(pk=user.pk).exists())
    ),
)

OPEN = [
    AuditStatus.PLANNED,
    AuditStatus.PREPARED,
    AuditStatus.IN_PROGRESS,
    AuditStatus.FINDINGS_CONFIRMED,
]


def _my_audits(user_id: int):
    return (
        Audit.objects.filter(Q(lead_auditor_id=user_id) | Q(team=user_id), status__in=OPEN)
        .distinct()
        .order_by("start_date")[:20]
    )


@mytasks.register
def audit_tasks(user, today: date) -> list[mytasks.Task]:
    module = _("Audits")
    tasks = []
    for audit in kept_rows(("my tasks", "audits"), _my_audits, user.pk):
        title = {
            AuditStatus.PLANNED: _("Prepare audit %(reference)s: plan and checklist"),
            AuditStatus.PREPARED: _("Audit %(reference)s starts on %(date)s"),
            AuditStatus.IN_PROGRESS: _("Record the checklist and findings of %(reference)s"),
            AuditStatus.FINDINGS_CONFIRMED: _("Write and sign the report of %(reference)s"),
        }[audit.status] % {
            "reference": audit.reference,
            "date": date_format(audit.start_date, "SHORT_DATE_FORMAT"),
        }
        tasks.append(
            mytasks.Task(
                title=title,
                url=audit.get_absolute_url(),
                module=module,
                due=audit.end_date if audit.status != AuditStatus.PLANNED else audit.start_date,
                today=today,
            )
        )
    start = timezone.make_aware(datetime.combine(today, time.min))
    # the heads of the departments audited (from their kept access: most people head none)
    headed = headed_department_ids(user)
    sessions = (
        AuditSession.objects.filter(
            department__in=headed, starts_at__gte=start, starts_at__lt=start + timedelta(days=14)
        )
        .select_related("audit", "department")
        .order_by("starts_at")[:10]
        if headed
        else []
    )
    for session in sessions:
        tasks.append(
            mytasks.Task(
                title=_("Audit %(reference)s meets %(department)s: %(topic)s")
                % {
                    "reference": session.audit.reference,
                    "department": session.department,
                    "topic": session.topic,
                },
                url=session.audit.get_absolute_url(),
                module=module,
                due=timezone.localdate(session.starts_at),
                today=today,
            )
        )
    return tasks


@reminders.register("audits.upcoming")
def upcoming(today: date) -> Iterator[reminders.Due]:
    """A week before an audit starts: its team and the heads of the departments audited."""
    audits = (
        Audit.objects.filter(
            status__in=[AuditStatus.PLANNED, AuditStatus.PREPARED],
            start_date__gte=today,
            start_date__lte=today + timedelta(days=7),
        )
        .select_related("lead_auditor")
        .prefetch_related("team", "scope_departments__head")
    )
    for audit in audits:
        people = {audit.lead_auditor, *audit.team.all()}
        people |= {d.head for d in audit.scope_departments.all() if d.head_id}
        for person in people:
            if person.is_active:
                yield reminders.Due(
                    key=f"audits.upcoming:{audit.pk}:{audit.start_date}:{person.pk}",
                    recipient=person,
                    message=gettext_noop("Audit %(reference)s starts on %(date)s: %(title)s"),
                    params={
                        "reference": audit.reference,
                        "date": audit.start_date.isoformat(),
                        "title": audit.title[:120],
                    },
                    url=audit.get_absolute_url(),
                )


def _search_audits(user, folded: str, limit: int) -> list[search.Hit]:
    matches = (
        Audit.objects.visible_to(user)
        .filter(search_text__matches=folded)
        .only("reference", "title", "status")
        .order_by("-start_date")[:limit]
    )
    return [
        search.Hit(
            title=str(a),
            url=a.get_absolute_url(),
            module=_("Audits"),
            detail=a.get_status_display(),
        )
        for a in matches
    ]


search.register("audits", _search_audits)


from audits import dashboard as _dashboard  # noqa: E402, F401  (figures for the dashboards)
