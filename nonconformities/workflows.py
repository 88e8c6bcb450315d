"""The nonconformity and action workflows as tables (see qms.workflow)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from nonconformities.choices import ActionStatus, Status
from qms.workflow import Transition, Workflow


def _can_triage(user, nc) -> bool:
    from nonconformities.services import can_triage

    return can_triage(user, nc)


def _is_owner_or_manager(user, nc) -> bool:
    from nonconformities.services import can_work_on

    return can_work_on(user, nc)


def _is_manager(user, nc) -> bool:
    return user.has_perm("nonconformities.manage_nonconformities")


S = Status
NC_FLOW = Workflow(
    Transition(
        "triage",
        (S.REPORTED,),
        S.TRIAGED,
        _("Triage"),
        allowed=_can_triage,
        reason=gettext_noop("Triaged"),
    ),
    Transition(
        "merge",
        (S.REPORTED, S.TRIAGED),
        S.MERGED,
        _("Merge into another"),
        allowed=_can_triage,
        style="secondary",
        needs_reason=True,
    ),
    Transition(
        "start_analysis",
        (S.TRIAGED,),
        S.CAUSE_ANALYSIS,
        _("Start the cause analysis"),
        allowed=_is_owner_or_manager,
        reason=gettext_noop("Cause analysis started"),
    ),
    Transition(
        "close_correction_only",
        (S.TRIAGED,),
        S.CLOSED,
        _("Close: correction only"),
        allowed=_is_owner_or_manager,
        style="success",
        reason=gettext_noop("Closed after correction only"),
    ),
    Transition(
        "plan",
        (S.CAUSE_ANALYSIS,),
        S.ACTIONS_PLANNED,
        _("Actions planned"),
        reason=gettext_noop("Actions planned"),
    ),
    Transition(
        "implement",
        (S.ACTIONS_PLANNED,),
        S.IMPLEMENTING,
        _("Implementing"),
        reason=gettext_noop("Implementation started"),
    ),
    Transition(
        "to_check",
        (S.ACTIONS_PLANNED, S.IMPLEMENTING),
        S.EFFECTIVENESS_CHECK,
        _("Wait for the effectiveness check"),
        reason=gettext_noop("All actions done: effectiveness check planned"),
    ),
    Transition(
        "back_to_implementing",
        (S.EFFECTIVENESS_CHECK,),
        S.IMPLEMENTING,
        _("Implementing"),
        reason=gettext_noop("An action was reopened: back to implementing"),
    ),
    Transition(
        "verified_effective",
        (S.EFFECTIVENESS_CHECK,),
        S.CLOSED,
        _("Verified effective"),
        reason=gettext_noop("Verified effective"),
    ),
    Transition(
        "verified_not_effective",
        (S.EFFECTIVENESS_CHECK,),
        S.CAUSE_ANALYSIS,
        _("Verified not effective"),
        reason=gettext_noop("Verified not effective: reopened for a new cause analysis"),
    ),
    Transition(
        "reopen",
        (S.CLOSED,),
        S.CAUSE_ANALYSIS,
        _("Reopen"),
        allowed=_is_manager,
        style="warning",
        needs_reason=True,
    ),
)

A = ActionStatus
ACTION_FLOW = Workflow(
    Transition(
        "start", (A.PLANNED,), A.IN_PROGRESS, _("Start"), reason=gettext_noop("Action started")
    ),
    Transition(
        "complete",
        (A.PLANNED, A.IN_PROGRESS),
        A.DONE,
        _("Mark as done"),
        style="success",
        reason=gettext_noop("Action done"),
    ),
    Transition(
        "cancel",
        (A.PLANNED, A.IN_PROGRESS),
        A.CANCELLED,
        _("Cancel"),
        style="danger",
        needs_reason=True,
    ),
    Transition(
        "resume",
        (A.DONE,),
        A.IN_PROGRESS,
        _("Reopen the action"),
        style="warning",
        needs_reason=True,
    ),
)
