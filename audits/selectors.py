"""Who sees which audits.

* The QMS manager, internal auditors and top management (``audits.view_all_audits``): all.
* The lead auditor and the team: their audits.
* Auditees: audits whose scope includes their department scope, or a department above
  theirs (an audit of a department covers its units).
* External auditors: only audits they were assigned (object grants), read-only.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q

from qms.db import kept_rows, many_to_many_lists
from qms.visibility import (
    department_scope_q,
    has_global_view,
    is_active_user,
    kept_rule,
    object_grant_q,
    role_slugs,
)


def audit_visibility_q(user) -> Q | None:
    from audits.models import Audit

    if not is_active_user(user):
        return Q(pk__in=[])
    if has_global_view(user, "audits.view_all_audits"):
        return None
    if role_slugs(user) == {"external_auditor"}:
        return object_grant_q(user, "audits.view_audit", Audit)
    # a few hundred audits: the rule as a set of their ids, compiled once per access (1.1 ms
    # at every page that names an audit or a part of one)
    return kept_rule(user, "audits", lambda: _visible_audit_ids(user))


def _visible_audit_ids(user):
    from audits.models import Audit

    above_mine = Q(pk__in=[])
    if user.department_id:
        path = user.department.path
        # every prefix of "SO/VP/MC/" ending at a "/" is a department above or equal
        prefixes = [path[: i + 1] for i, char in enumerate(path) if char == "/"]
        above_mine = Q(department__path__in=prefixes)
    in_scope = Exists(
        Audit.scope_departments.through.objects.filter(audit_id=OuterRef("pk")).filter(
            department_scope_q(user, field="department") | above_mine
        )
    )
    on_team = Exists(Audit.team.through.objects.filter(audit_id=OuterRef("pk"), user_id=user.pk))
    granted = object_grant_q(user, "audits.view_audit", Audit)
    rule = Q(lead_auditor=user) | Q(on_team) | Q(in_scope) | granted
    return Audit.objects.filter(rule).values("pk")


def external_auditors(audit) -> list:
    """Every external auditor, each marked ``has_access`` when given read-only access to
    this audit (an object grant): the audit's page lists those and offers the others, from
    one query."""
    return kept_rows(("audit", "external auditors"), _external_auditors, audit.pk)


def _external_auditors(audit_id: int):
    from audits.models import AuditUserObjectPermission
    from qms.models import User

    granted = AuditUserObjectPermission.objects.filter(
        content_object_id=audit_id, permission__codename="view_audit", user=OuterRef("pk")
    )
    return (
        User.objects.filter(groups__name="external_auditor")
        .only("username", "first_name", "last_name", "job_title", "is_active")
        .annotate(has_access=Exists(granted))
        .order_by("last_name", "first_name")
    )


# The audit's team and criteria as its page shows them: relation, fields shown.
_PLAN_LISTS: dict[str, tuple[str, ...]] = {
    "team": ("first_name", "last_name", "username"),
    "scope_departments": ("name",),
    "scope_procedures": ("code", "title"),
    "criteria_clauses": ("number",),  # the title comes from code (qms.iso)
    "criteria_documents": ("code", "title"),
    "legal_criteria": ("number", "title"),
}


def plan_lists(audit) -> dict[str, list]:
    """The audit's team, departments, procedures, clauses, documents and legal criteria,
    from one query (``qms.db.many_to_many_lists``), each in its model's order."""
    return many_to_many_lists(audit, _PLAN_LISTS)


def findings_listed(audit) -> list:
    """The audit's findings in number order, each with what its page shows of the rows it
    names as plain values: ``clause_number``, ``department_name``, ``nonconformity_number``
    and ``_status_label``, ``action_number`` and ``_status_label``, ``withdrawn_by_name``.

    Read as columns of the findings' query: a clause, a department, a nonconformity, an
    action and a user built as objects for each finding were 2,300 of the audit page's
    75,000 function calls (34 findings). The finding itself is whole, for its correction
    form.
    """
    from nonconformities.models import Action, Nonconformity
    from qms.displays import choice_label
    from qms.models import User

    findings = kept_rows(("audit", "findings"), _findings_listed, audit.pk)
    for finding in findings:
        if finding.nonconformity_id:
            finding.nonconformity_status_label = choice_label(
                Nonconformity, "status", finding.nonconformity_status
            )
        if finding.action_id:
            finding.action_status_label = choice_label(Action, "status", finding.action_status)
        if finding.withdrawn_by_id:
            finding.withdrawn_by_name = str(
                User(
                    first_name=finding.withdrawn_by_first_name,
                    last_name=finding.withdrawn_by_last_name,
                    username=finding.withdrawn_by_username,
                )
            )
    return findings


def _findings_listed(audit_id: int):
    from audits.models import Finding

    return (
        Finding.objects.filter(audit_id=audit_id)
        .annotate(
            clause_number=F("clause__number"),
            department_name=F("department__name"),
            nonconformity_number=F("nonconformity__number"),
            nonconformity_status=F("nonconformity__status"),
            action_number=F("action__number"),
            action_status=F("action__status"),
            withdrawn_by_first_name=F("withdrawn_by__first_name"),
            withdrawn_by_last_name=F("withdrawn_by__last_name"),
            withdrawn_by_username=F("withdrawn_by__username"),
        )
        .order_by("number")
    )


def checklist_listed(audit) -> list:
    """The audit's checklist in order, the clause's number and the department's name as
    columns (``clause_number``, ``department_name``), not objects per item."""
    return kept_rows(("audit", "checklist"), _checklist_listed, audit.pk)


def _checklist_listed(audit_id: int):
    from audits.models import ChecklistItem

    return (
        ChecklistItem.objects.filter(audit_id=audit_id)
        .annotate(clause_number=F("clause__number"), department_name=F("department__name"))
        .order_by("position")
    )


def sessions_listed(audit) -> list:
    """The audit's sessions in time order, with ``department_name``."""
    return kept_rows(("audit", "sessions"), _sessions_listed, audit.pk)


def _sessions_listed(audit_id: int):
    from audits.models import AuditSession

    return (
        AuditSession.objects.filter(audit_id=audit_id)
        .annotate(department_name=F("department__name"))
        .order_by("starts_at")
    )
