"""Nonconformities' contributions to the platform: files, My tasks, reminders, search."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date, timedelta

from django.db.models import BooleanField, Case, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nonconformities.choices import OPEN_ACTION_STATUSES, Status
from nonconformities.models import Action, Nonconformity
from qms import attachments, mytasks, reminders, search
from qms.db import kept_rows
from qms.models import Department, User


def _may_attach_to_nc(user, nc) -> bool:
    from nonconformities.services import can_work_on

    return nc.status not in (Status.CLOSED, Status.MERGED) and (
        nc.reported_by_id == user.pk or can_work_on(user, nc)
    )


def _may_attach_to_action(user, action) -> bool:
    from nonconformities.services import can_update_action

    return action.status in OPEN_ACTION_STATUSES and can_update_action(user, action)


attachments.register_attachable(Nonconformity, can_upload=_may_attach_to_nc)
attachments.register_attachable(Action, can_upload=_may_attach_to_action)


def _nonconformity_work(manages: bool, paths: tuple, user_id: int, verify_until=None):
    """Nonconformities to triage, to analyse (the owner's) and to verify, in one query,
    each marked ``triage`` or ``verify``."""
    triage_q = Q() if manages else Q(pk__in=[])
    for path in paths:
        triage_q |= Q(department__path__startswith=path)
    triage_q &= Q(status=Status.REPORTED)
    owned_q = Q(owner_id=user_id, status__in=[Status.TRIAGED, Status.CAUSE_ANALYSIS])
    verify_q = Q(pk__in=[])
    if verify_until is not None:
        verify_q = Q(status=Status.EFFECTIVENESS_CHECK, effectiveness_due__lte=verify_until)
    if not manages:
        verify_q &= ~Q(owner_id=user_id)
        heads = Q(pk__in=[])
        for path in paths:
            heads |= Q(department__path__startswith=path, severity="minor")
        verify_q &= heads
    shown = ("number", "title", "reported_at", "due_date", "effectiveness_due")
    return (
        Nonconformity.objects.filter(triage_q | owned_q | verify_q)
        .annotate(
            triage=Case(When(triage_q, then=True), default=False, output_field=BooleanField()),
            verify=Case(When(verify_q, then=True), default=False, output_field=BooleanField()),
        )
        .only(*shown)
        .order_by("reported_at")[:200]
    )


def _open_actions(user_id: int):
    return (
        Action.objects.filter(owner_id=user_id, status__in=OPEN_ACTION_STATUSES)
        .only("number", "title", "due_date")
        .order_by("due_date")[:30]
    )


@mytasks.register
def nonconformity_tasks(user, today: date) -> list[mytasks.Task]:
    from qms.visibility import headed_paths

    module = _("Nonconformities")
    tasks = []
    manages = user.has_perm("nonconformities.manage_nonconformities")
    paths = () if manages else tuple(headed_paths(user))
    # compiled once per process for each shape of the rule (a manager, the heads of a unit)
    # someone who neither manages nor heads a unit verifies nothing: no date in their query
    verifies = (today + timedelta(days=7),) if manages or paths else ()
    found = kept_rows(
        ("my tasks", "nonconformities", manages, paths),
        functools.partial(_nonconformity_work, manages, paths),
        user.pk,
        *verifies,
    )
    triage, owned, verify = [], [], []
    for nc in found:
        if nc.triage:
            triage.append(nc)
        elif nc.verify:
            verify.append(nc)
        else:
            owned.append(nc)
    for nc in triage[:20]:
        tasks.append(
            mytasks.Task(
                title=_("Triage %(number)s: %(title)s") % {"number": nc.number, "title": nc.title},
                url=nc.get_absolute_url(),
                module=module,
                due=timezone.localdate(nc.reported_at) + timedelta(days=5),
                today=today,
            )
        )
    for nc in sorted(owned, key=lambda n: (n.due_date is None, n.due_date))[:20]:
        tasks.append(
            mytasks.Task(
                title=_("Find the cause and plan actions for %(number)s") % {"number": nc.number},
                url=nc.get_absolute_url(),
                module=module,
                due=nc.due_date,
                today=today,
            )
        )
    for nc in sorted(verify, key=lambda n: n.effectiveness_due)[:20]:
        tasks.append(
            mytasks.Task(
                title=_("Verify the effectiveness of %(number)s") % {"number": nc.number},
                url=nc.get_absolute_url() + "#effectiveness",
                module=module,
                due=nc.effectiveness_due,
                today=today,
            )
        )
    for action in kept_rows(("my tasks", "actions"), _open_actions, user.pk):
        tasks.append(
            mytasks.Task(
                title=_("Action %(number)s: %(title)s")
                % {"number": action.number, "title": action.title},
                url=action.get_absolute_url(),
                module=_("Actions"),
                due=action.due_date,
                today=today,
            )
        )
    return tasks


@reminders.register("nonconformities.actions_due")
def actions_due(today: date) -> Iterator[reminders.Due]:
    """Three days before, on the day, then weekly; after two weeks late the department
    head is told, after four weeks the QMS managers."""
    managers = None
    heads: dict[str, User] = {}
    actions = (
        Action.objects.filter(
            status__in=OPEN_ACTION_STATUSES, due_date__lte=today + timedelta(days=3)
        )
        .select_related("owner", "department", "department__head")
        .order_by("pk")
    )
    for action in actions.iterator(chunk_size=500):
        late = (today - action.due_date).days
        if late < 0:
            stage, message = "soon", gettext_noop("Action %(number)s is due on %(date)s: %(title)s")
        elif late == 0:
            stage, message = "due", gettext_noop("Action %(number)s is due today: %(title)s")
        elif late < 7:
            stage, message = (
                "due",
                gettext_noop("Action %(number)s is overdue since %(date)s: %(title)s"),
            )
        else:
            stage, message = (
                f"week{late // 7}",
                gettext_noop("Action %(number)s is overdue since %(date)s: %(title)s"),
            )
        params = {
            "number": action.number,
            "date": action.due_date.isoformat(),
            "title": action.title[:120],
        }
        url = action.get_absolute_url()
        yield reminders.Due(
            key=f"actions.due:{action.pk}:{action.due_date}:{stage}:{action.owner_id}",
            recipient=action.owner,
            message=message,
            params=params,
            url=url,
        )
        escalation = gettext_noop(
            "Action %(number)s of %(owner)s is overdue since %(date)s: %(title)s"
        )
        if late >= 14:
            head = _head_for(action.department, heads)
            if head is not None and head.pk != action.owner_id:
                yield reminders.Due(
                    key=f"actions.escalate-head:{action.pk}:{action.due_date}:{head.pk}",
                    recipient=head,
                    message=escalation,
                    params={**params, "owner": str(action.owner)},
                    url=url,
                )
        if late >= 28:
            managers = (
                list(User.objects.filter(groups__name="qms_manager", is_active=True))
                if managers is None
                else managers
            )
            for manager in managers:
                yield reminders.Due(
                    key=f"actions.escalate-manager:{action.pk}:{action.due_date}:{manager.pk}",
                    recipient=manager,
                    message=escalation,
                    params={**params, "owner": str(action.owner)},
                    url=url,
                )


def _head_for(department: Department, cache: dict[str, User]) -> User | None:
    if department.head_id:
        return department.head
    if department.path not in cache:
        # The nearest head above, when the unit itself has none.
        codes = department.path.strip("/").split("/")
        paths = ["/".join(codes[:i]) + "/" for i in range(len(codes) - 1, 0, -1)]
        above = (
            Department.objects.filter(path__in=paths, head__isnull=False)
            .select_related("head")
            .order_by("-depth")
            .first()
        )
        cache[department.path] = above.head if above else None
    return cache[department.path]


@reminders.register("nonconformities.effectiveness_due")
def effectiveness_due(today: date) -> Iterator[reminders.Due]:
    checks = Nonconformity.objects.filter(
        status=Status.EFFECTIVENESS_CHECK, effectiveness_due__lte=today
    ).order_by("pk")
    managers = list(User.objects.filter(groups__name="qms_manager", is_active=True))
    for nc in checks.iterator(chunk_size=500):
        for manager in managers:
            yield reminders.Due(
                key=f"nc.effectiveness:{nc.pk}:{nc.effectiveness_due}:{manager.pk}",
                recipient=manager,
                message=gettext_noop(
                    "The effectiveness of %(number)s is due for verification: %(title)s"
                ),
                params={"number": nc.number, "title": nc.title[:120]},
                url=nc.get_absolute_url() + "#effectiveness",
            )


def _search_nonconformities(user, folded: str, limit: int) -> list[search.Hit]:
    matches = (
        Nonconformity.objects.visible_to(user)
        .filter(search_text__matches=folded)
        .only("number", "title", "status")
        .order_by("-reported_at")[:limit]
    )
    return [
        search.Hit(
            title=str(nc),
            url=nc.get_absolute_url(),
            module=_("Nonconformities"),
            detail=nc.get_status_display(),
        )
        for nc in matches
    ]


def _search_actions(user, folded: str, limit: int) -> list[search.Hit]:
    matches = (
        Action.objects.visible_to(user)
        .filter(search_text__matches=folded)
        .only("number", "title", "status")
        .order_by("due_date")[:limit]
    )
    return [
        search.Hit(
            title=str(a),
            url=a.get_absolute_url(),
            module=_("Actions"),
            detail=a.get_status_display(),
        )
        for a in matches
    ]


search.register("nonconformities", _search_nonconformities)
search.register("actions", _search_actions)


from nonconformities import dashboard as _dashboard  # noqa: E402, F401  (figures for the dashboards)
