"""Procedures' contributions to the platform: search, My tasks, legal changes."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date, datetime, time

from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from documents.signals import external_status_changed
from procedures import services
from procedures.choices import ProcedureStatus
from procedures.models import CaseStatus, CaseStep, Feedback, Procedure, ServiceCase
from qms import attachments, mytasks, reminders, search
from qms.calendar import WorkingCalendar, working_seconds_per_day
from qms.db import kept_rows
from qms.visibility import headed_department_ids, units_and_headed


@receiver(external_status_changed, dispatch_uid="procedures.legal_change")
def _legal_change(sender, external, actor, **kwargs) -> None:
    services.flag_for_legal_change(external=external, actor=actor)


def _procedures_to_review(owner_id: int | None = None):
    if owner_id is None:
        # the QMS manager's: the same query brings those flagged for corrective action
        flagged = Procedure.objects.filter(
            Q(attention=True) | (~Q(review_flag="") & ~Q(status=ProcedureStatus.ABOLISHED))
        )
    else:
        flagged = (
            Procedure.objects.exclude(review_flag="")
            .exclude(status=ProcedureStatus.ABOLISHED)
            .filter(owner_id=owner_id)
        )
    return flagged.order_by("code")[:40]


@mytasks.register
def review_tasks(user, today: date) -> list[mytasks.Task]:
    """A procedure whose legal basis changed waits for its owner (or the QMS manager)."""
    if services.can_manage(user):
        found = kept_rows(("my tasks", "procedures", "all"), _procedures_to_review)
    else:
        found = kept_rows(("my tasks", "procedures", "owner"), _procedures_to_review, user.pk)
    attention = [p for p in found if p.attention]
    return [
        mytasks.Task(
            title=_(
                "Decide on corrective action for procedure %(code)s: %(late)s late cases, "
                "%(bad)s dissatisfied ratings"
            )
            % {"code": p.code, "late": p.attention_late, "bad": p.attention_bad},
            url=p.get_absolute_url(),
            module=_("Procedures"),
            today=today,
        )
        for p in attention
    ] + [
        mytasks.Task(
            title=_("Review procedure %(code)s: its legal basis %(number)s changed")
            % {"code": procedure.code, "number": procedure.review_flag_detail},
            url=procedure.get_absolute_url(),
            module=_("Procedures"),
            today=today,
        )
        for procedure in found
        if procedure.review_flag
    ][:20]


def _search_procedures(user, folded: str, limit: int) -> list[search.Hit]:
    matches = (
        Procedure.objects.visible_to(user)
        .filter(search_text__matches=folded)
        .select_related("department")
        .only("code", "name", "field", "department__name")
        .order_by("code")[:limit]
    )
    return [
        search.Hit(
            title=f"{procedure.code} {procedure.name}",
            url=procedure.get_absolute_url(),
            module=_("Procedures"),
            detail=f"{procedure.field} · {procedure.department}",
        )
        for procedure in matches
    ]


search.register("procedures", _search_procedures)


def _my_steps(units: tuple, headed: tuple, user_id: int):
    """Current steps of open cases that are this user's to do: named as handler, or of
    their department (or a unit below it) with nobody named, or of a department they head.

    The departments are read first (one small query, the headed ones kept for the other
    modules' tasks) so that the steps are filtered on department ids, which the partial
    indexes of open steps serve."""
    mine = Q(handler_id=user_id)
    if units:
        mine |= Q(handler__isnull=True, department_id__in=units)
    if headed:
        mine |= Q(department_id__in=headed)
    return (
        CaseStep.objects.filter(
            mine,
            finished_at__isnull=True,
            started_at__isnull=False,
            case__status__in=[CaseStatus.IN_PROGRESS, CaseStatus.PAUSED],
        )
        .select_related("case")
        .only("position", "name", "due_at", "case__receipt_code")
        .order_by("due_at")[:20]
    )


@mytasks.register
def case_tasks(user, today: date) -> list[mytasks.Task]:
    # compiled once per process for each set of departments (their ids are in the SQL)
    units, headed = (tuple(ids) for ids in units_and_headed(user))
    steps = kept_rows(
        ("my tasks", "case steps", units, headed),
        functools.partial(_my_steps, units, headed),
        user.pk,
    )
    return [
        mytasks.Task(
            title=_("Case %(code)s, step %(number)s: %(step)s")
            % {"code": step.case.receipt_code, "number": step.position, "step": step.name},
            url=step.case.get_absolute_url(),
            module=_("Service cases"),
            due=timezone.localdate(step.due_at) if step.due_at else None,
            today=today,
        )
        for step in steps
    ]


@reminders.register("procedures.cases_due")
def cases_due(today: date) -> Iterator[reminders.Due]:
    """A working day before a step or its case is due, then every day it is overdue: the
    step's handler (or, with none named, the head of the step's department)."""
    calendar = WorkingCalendar()
    end_of_today = timezone.make_aware(datetime.combine(today, time.max))
    horizon = calendar.add_working_time(end_of_today, working_seconds_per_day())
    steps = (
        CaseStep.objects.filter(
            finished_at__isnull=True,
            started_at__isnull=False,
            case__status=CaseStatus.IN_PROGRESS,
        )
        .filter(Q(due_at__lte=horizon) | Q(case__due_at__lte=horizon))
        .select_related("case", "handler", "department__head")
        .order_by("pk")
    )
    for step in steps.iterator(chunk_size=500):
        recipient = step.handler or step.department.head
        if recipient is None:
            continue
        case = step.case
        late = case.due_at < end_of_today or step.due_at < end_of_today
        params = {
            "code": case.receipt_code,
            "step": step.name,
            "due": f"{timezone.localtime(min(step.due_at, case.due_at)):%d/%m/%Y %H:%M}",
        }
        if late:
            yield reminders.Due(
                key=f"case.late:{step.pk}:{today}:{recipient.pk}",
                recipient=recipient,
                message=gettext_noop("Case %(code)s is overdue (due %(due)s): %(step)s"),
                params=params,
                url=case.get_absolute_url(),
            )
        else:
            yield reminders.Due(
                key=f"case.soon:{step.pk}:{recipient.pk}",
                recipient=recipient,
                message=gettext_noop("Case %(code)s is due %(due)s: %(step)s"),
                params=params,
                url=case.get_absolute_url(),
            )


def _search_cases(user, folded: str, limit: int) -> list[search.Hit]:
    matches = (
        ServiceCase.objects.visible_to(user)
        .filter(search_text__matches_words=folded)
        .select_related("procedure")
        .only("receipt_code", "applicant_name", "status", "procedure__code")
        .order_by("-received_at")[:limit]
    )
    return [
        search.Hit(
            title=f"{case.receipt_code} {case.applicant_name}",
            url=case.get_absolute_url(),
            module=_("Service cases"),
            detail=f"{case.procedure.code} · {case.get_status_display()}",
        )
        for case in matches
    ]


search.register("cases", _search_cases)


attachments.register_attachable(Feedback, can_upload=services.can_handle_feedback)


@mytasks.register
def feedback_tasks(user, today: date) -> list[mytasks.Task]:
    if user.has_perm("procedures.manage_processes"):
        items = kept_rows(("my tasks", "feedback", "all"), _open_feedback)
    else:
        headed = tuple(headed_department_ids(user))  # kept with their access
        items = kept_rows(
            ("my tasks", "feedback", headed),
            functools.partial(_open_feedback, headed),
            user.pk,
        )
    return [
        mytasks.Task(
            title=_("Answer %(number)s (%(kind)s): call the citizen back and close it")
            % {"number": item.number, "kind": item.get_kind_display()},
            url=item.get_absolute_url(),
            module=_("Citizen feedback"),
            due=item.deadline,
            today=today,
        )
        for item in items
    ]


def _open_feedback(headed: tuple = (), owner_id: int | None = None):
    items = Feedback.objects.open()
    if owner_id is not None:
        mine = Q(owner_id=owner_id)
        items = items.filter(mine | Q(department__in=headed) if headed else mine)
    return items.order_by("deadline")[:20]


@reminders.register("procedures.feedback_due")
def feedback_due(today: date) -> Iterator[reminders.Due]:
    """Three working days before the deadline, on it, then weekly: the owner."""
    calendar = WorkingCalendar()
    soon = calendar.add_working_days(today, 3)
    items = (
        Feedback.objects.open()
        .filter(deadline__lte=soon, owner__isnull=False)
        .select_related("owner")
        .order_by("pk")
    )
    for item in items.iterator(chunk_size=500):
        late = (today - item.deadline).days
        stage = "soon" if late < 0 else "due" if late == 0 else f"late-{late // 7}"
        if late > 0 and late % 7:
            continue
        yield reminders.Due(
            key=f"feedback:{item.pk}:{stage}:{item.owner_id}",
            recipient=item.owner,
            message=gettext_noop("%(number)s must be answered by %(deadline)s"),
            params={"number": item.number, "deadline": f"{item.deadline:%d/%m/%Y}"},
            url=item.get_absolute_url(),
        )


from procedures import dashboard as _dashboard  # noqa: E402, F401  (figures for the dashboards)
