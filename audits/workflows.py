"""The audit workflow as a table (see qms.workflow)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from audits.choices import AuditStatus as S
from qms.workflow import Transition, Workflow


def _lead_or_manager(user, audit) -> bool:
    return audit.lead_auditor_id == user.pk or user.has_perm("audits.manage_audits")


AUDIT_FLOW = Workflow(
    Transition(
        "prepare",
        (S.PLANNED,),
        S.PREPARED,
        _("Mark as prepared"),
        allowed=_lead_or_manager,
        reason=gettext_noop("Audit prepared"),
    ),
    Transition(
        "start",
        (S.PREPARED,),
        S.IN_PROGRESS,
        _("Start the audit"),
        allowed=_lead_or_manager,
        reason=gettext_noop("Audit started"),
    ),
    Transition(
        "confirm",
        (S.IN_PROGRESS,),
        S.FINDINGS_CONFIRMED,
        _("Confirm the findings (closing meeting)"),
        allowed=lambda user, audit: audit.lead_auditor_id == user.pk,
        reason=gettext_noop("Findings confirmed at the closing meeting"),
    ),
    Transition(
        "report",
        (S.FINDINGS_CONFIRMED,),
        S.REPORTED,
        _("Report signed"),
        reason=gettext_noop("Report signed"),
    ),
    Transition(
        "close",
        (S.REPORTED,),
        S.CLOSED,
        _("Close the audit"),
        allowed=_lead_or_manager,
        style="success",
        reason=gettext_noop("Audit closed"),
    ),
)
