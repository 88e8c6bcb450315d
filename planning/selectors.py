"""Reads for planning.

Quality objectives and the QMS scope are communicated to every member of staff (ISO 9001
clauses 5.2.2 and 6.2.1), so every active user except a certification body's auditor
sees them. The risk register is narrower: the QMS manager, auditors and the agency head
see all of it; everyone else the risks of their department scope and those they own.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q

from qms.db import parts_of
from qms.visibility import department_scope_q, has_global_view, is_active_user, role_slugs


def staff_q(user) -> Q | None:
    if not is_active_user(user) or role_slugs(user) == {"external_auditor"}:
        return Q(pk__in=[])
    return None


def risk_visibility_q(user) -> Q | None:
    if not is_active_user(user):
        return Q(pk__in=[])
    if has_global_view(user, "planning.view_all_risks"):
        return None
    if role_slugs(user) == {"external_auditor"}:
        return Q(pk__in=[])
    return department_scope_q(user) | Q(owner=user)


def current_scope():
    from planning.models import Scope

    return (
        Scope.objects.prefetch_related("departments", "procedures")
        .order_by("-effective_from", "-pk")
        .first()
    )


def latest_announcement():
    from planning.models import Announcement

    return Announcement.objects.select_related("scope").order_by("-announced_on", "-pk").first()


def announcement_outdated(scope=None, announcement=None) -> bool:
    """The scope changed after the last announcement: a new announcement is needed."""
    scope = scope or current_scope()
    if scope is None:
        return False
    announcement = announcement or latest_announcement()
    return announcement is None or announcement.scope_id != scope.pk


def actions_from(source):
    """The tracker's actions raised from this object (an objective, a risk, a decision)."""
    from nonconformities.models import Action

    return Action.objects.filter(
        source_content_type=ContentType.objects.get_for_model(source), source_object_id=source.pk
    ).select_related("owner")


def heat_map(risks, residual: bool = False) -> dict[tuple[int, int], int]:
    """(likelihood, impact) -> number of open risks, counted in the database."""
    from planning.choices import RiskStatus

    lik, imp = ("residual_likelihood", "residual_impact") if residual else ("likelihood", "impact")
    rows = (
        risks.filter(status=RiskStatus.OPEN, **{f"{lik}__isnull": False})
        .values(lik, imp)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row[lik], row[imp]): row["n"] for row in rows}


def measurements_of(objective) -> list:
    """The values recorded for the objective, with who recorded them."""
    from planning.models import Measurement

    return parts_of(objective, Measurement, "objective", "recorded_by")


def reviews_of(risk) -> list:
    """The risk's reviews, with who made them."""
    from planning.models import RiskReview

    return parts_of(risk, RiskReview, "risk", "reviewed_by")
