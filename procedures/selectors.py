"""Reads for processes and procedures.

The process map and the procedure catalogue are not confidential (the public catalogue
shows the procedures without login): every signed-in, active user sees them; only the
QMS manager (``procedures.manage_processes``) changes them.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from qms.db import many_to_many_lists, parts_of
from qms.visibility import (
    department_scope_q,
    has_global_view,
    is_active_user,
    role_slugs,
    scope_department_ids,
)


def everyone_signed_in_q(user) -> Q | None:
    return None if is_active_user(user) else Q(pk__in=[])


def processes_for_map(user) -> list:
    from procedures.models import Process

    return list(
        Process.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("department", "owner")
        .prefetch_related(
            Prefetch("hands_over_to", queryset=Process.objects.only("pk", "code", "name"))
        )
        .annotate(procedure_count=Count("procedures", distinct=True))
        .order_by("code")
    )


def procedure_for_page(queryset: QuerySet) -> QuerySet:
    """The procedure with its process, department and owner; its steps and dossier come
    from ``procedure_steps`` and ``procedure_dossier``, its legal basis and documents from
    ``procedure_lists``."""
    return queryset.select_related("process", "department", "owner")


def procedure_steps(procedure) -> list:
    """The procedure's steps in order, with their departments."""
    from procedures.models import ProcedureStep

    return parts_of(procedure, ProcedureStep, "procedure", "department")


def procedure_dossier(procedure) -> list:
    """The documents an applicant hands in, in order."""
    from procedures.models import DossierItem

    return parts_of(procedure, DossierItem, "procedure")


# What the procedure's page shows of its legal basis and of its documents.
_PAGE_LISTS: dict[str, tuple[str, ...]] = {
    "legal_basis": ("number", "title", "legal_status"),
    "documents": ("code", "title", "status", "confidentiality"),
}


def procedure_lists(procedure) -> dict[str, list]:
    """The procedure's legal basis and documents from one query
    (``qms.db.many_to_many_lists``), each in its model's order."""
    return many_to_many_lists(procedure, _PAGE_LISTS)


def case_visibility_q(user) -> Q | None:
    """Who sees a service case: the QMS manager, auditors and the agency head all of them;
    everyone else the cases of their department scope (the department in charge or one that
    handles a step) and the cases they received or handle."""
    from procedures.models import CaseStep

    if not is_active_user(user):
        return Q(pk__in=[])
    if has_global_view(user, "procedures.view_all_cases"):
        return None
    if role_slugs(user) == {"external_auditor"}:
        return Q(pk__in=[])
    # One EXISTS per kind of involvement, each answered from its own two-column index
    # (procedures_casestep (department, case) and (handler, case)): PostgreSQL then walks
    # the newest cases and stops at a page, instead of collecting every step of the scope.
    # PostgreSQL tries an OR's terms in the order written: the case's own columns first, so
    # that a case of the reader's departments (most of a list) never runs a subquery; with
    # the handler's EXISTS first it gathered all the reader's steps (1,700 rows, 1.7 ms).
    departments = scope_department_ids(user)
    own = Q(received_by=user)
    if departments:
        own = Q(department__in=departments) | own
    involved = own | Exists(CaseStep.objects.filter(case=OuterRef("pk"), handler=user))
    if departments:
        involved |= Exists(CaseStep.objects.filter(case=OuterRef("pk"), department__in=departments))
    return involved


def feedback_visibility_q(user) -> Q | None:
    """The QMS manager and the agency head see all feedback; an owner theirs; a department
    head and staff the feedback about their department scope."""
    if not is_active_user(user):
        return Q(pk__in=[])
    if has_global_view(user, "procedures.view_all_cases"):
        return None
    if role_slugs(user) == {"external_auditor"}:
        return Q(pk__in=[])
    return department_scope_q(user) | Q(owner=user)


# --- A case's page: its own lists, each query compiled once (qms.db.kept_rows) -------


def case_steps(case) -> list:
    """The case's steps in order, with their departments, handlers and who finished them."""
    from procedures.models import CaseStep

    return parts_of(case, CaseStep, "case", "department", "handler", "finished_by")


def case_pauses(case) -> list:
    from procedures.models import CasePause

    return parts_of(case, CasePause, "case")


def case_notes(case) -> list:
    from procedures.models import CaseNote

    return parts_of(case, CaseNote, "case", "written_by")


def case_dossier(case) -> list:
    from procedures.models import CaseDossierItem

    return parts_of(case, CaseDossierItem, "case")
