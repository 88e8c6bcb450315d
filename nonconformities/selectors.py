"""Who sees which nonconformities and actions, and the counts the dashboards need.

* The QMS manager (``manage_nonconformities``) sees everything.
* Internal auditors and top management (``view_all_nonconformities``) see every
  nonconformity and action that is not restricted.
* Everyone else sees what they reported, what they own, and what concerns their
  department scope (unless restricted); and the actions they own.
* Restricted nonconformities (about a named official, say): their reporter, owner, named
  people (object grants) and the QMS manager.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from nonconformities.choices import OPEN_ACTION_STATUSES, OPEN_STATUSES, Status
from qms.db import parts_of
from qms.visibility import (
    department_scope_q,
    has_global_view,
    ids_of_any,
    is_active_user,
    kept_rule,
    object_grant_q,
    role_slugs,
)


def nonconformity_visibility_q(user) -> Q | None:
    from nonconformities.models import Nonconformity

    if not is_active_user(user):
        return Q(pk__in=[])
    if has_global_view(user, "nonconformities.manage_nonconformities"):
        return None
    if role_slugs(user) == {"external_auditor"}:
        return object_grant_q(user, "nonconformities.view_nonconformity", Nonconformity)
    if has_global_view(user, "nonconformities.view_all_nonconformities"):
        granted = object_grant_q(user, "nonconformities.view_nonconformity", Nonconformity)
        return Q(restricted=False) | Q(reported_by=user) | Q(owner=user) | granted
    return kept_rule(user, "nonconformities", lambda: _visible_nonconformity_ids(user))


def _visible_nonconformity_ids(user):
    """The ids of a clerk's nonconformities, as a union of indexed sets (``ids_of_any``)."""
    from nonconformities.models import Action, Nonconformity

    granted = object_grant_q(user, "nonconformities.view_nonconformity", Nonconformity)
    owns_an_action = Q(pk__in=Action.objects.filter(owner=user).values("nonconformity_id"))
    return ids_of_any(
        Nonconformity,
        Q(restricted=False) & department_scope_q(user),
        Q(reported_by=user),
        Q(owner=user),
        granted,
        owns_an_action,
    )


def action_visibility_q(user) -> Q | None:
    if not is_active_user(user):
        return Q(pk__in=[])
    if has_global_view(user, "nonconformities.manage_nonconformities") or has_global_view(
        user, "nonconformities.manage_actions"
    ):
        return None
    if role_slugs(user) == {"external_auditor"}:
        return Q(owner=user)
    from nonconformities.models import Action

    # A union of indexed sets (``any_of``): ORed and joined, the rule left PostgreSQL
    # guessing 15,000 of 30,000 actions where a clerk sees 400, and it counted them by
    # joining both tables whole (29 ms).
    # joined: an auditor sees nearly every action, and a page of them, or one action named
    # on an audit's page, reads its own nonconformity (as a set of the restricted ones,
    # PostgreSQL collected every visible action to answer for one)
    not_restricted = Q(nonconformity__isnull=True) | Q(nonconformity__restricted=False)
    if has_global_view(user, "nonconformities.view_all_nonconformities"):
        return not_restricted | Q(owner=user) | Q(created_by=user) | Q(nonconformity__owner=user)
    # An action is seen by whoever sees its nonconformity (its owner among them).
    return kept_rule(
        user,
        "actions",
        lambda: ids_of_any(
            Action,
            not_restricted & department_scope_q(user),
            Q(owner=user),
            Q(created_by=user),
            Q(nonconformity__in=_visible_nonconformity_ids(user)),
        ),
    )


def nonconformities_for_list(user):
    from nonconformities.models import Nonconformity

    return Nonconformity.objects.visible_to(user).select_related(
        "department", "owner", "reported_by"
    )


def actions_for_list(user):
    from nonconformities.models import Action

    return Action.objects.visible_to(user).select_related("owner", "department", "nonconformity")


def summary(queryset, today=None) -> dict:
    """The figures the list and the dashboards show, counted in the database."""
    today = today or timezone.localdate()
    open_items = queryset.filter(status__in=OPEN_STATUSES)
    by_severity = dict(
        open_items.values_list("severity")
        .annotate(n=Count("pk", distinct=True))
        .values_list("severity", "n")
    )
    ageing = open_items.aggregate(
        fresh=Count(
            "pk", distinct=True, filter=Q(reported_at__date__gte=today - timedelta(days=30))
        ),
        month=Count(
            "pk",
            distinct=True,
            filter=Q(
                reported_at__date__lt=today - timedelta(days=30),
                reported_at__date__gte=today - timedelta(days=90),
            ),
        ),
        old=Count("pk", distinct=True, filter=Q(reported_at__date__lt=today - timedelta(days=90))),
    )
    closed = queryset.filter(
        status=Status.CLOSED, closed_at__date__gte=today - timedelta(days=365)
    ).annotate(
        duration=ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField())
    )
    average = closed.aggregate(avg=Avg("duration"))["avg"]
    return {
        "open": open_items.values("pk").distinct().count(),
        "by_severity": by_severity,
        "ageing": ageing,
        "average_days_to_close": round(average.total_seconds() / 86400, 1) if average else None,
    }


def by_department(queryset) -> list[dict]:
    return list(
        queryset.filter(status__in=OPEN_STATUSES)
        .values("department__name")
        .annotate(
            total=Count("pk", distinct=True),
            critical=Count("pk", distinct=True, filter=Q(severity="critical")),
            major=Count("pk", distinct=True, filter=Q(severity="major")),
        )
        .order_by("-total", "department__name")
    )


def recurrences(queryset, today=None) -> list[dict]:
    """Same department and category more than once within 12 months."""
    today = today or timezone.localdate()
    return list(
        queryset.filter(reported_at__date__gte=today - timedelta(days=365))
        .exclude(category="")
        .exclude(status=Status.MERGED)
        .values("department__name", "category")
        .annotate(n=Count("pk", distinct=True))
        .filter(n__gt=1)
        .order_by("-n")
    )


def overdue_actions(queryset, today=None):
    today = today or timezone.localdate()
    return queryset.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today)


def actions_of(nc) -> list:
    """The nonconformity's actions by due date, with their owners (its page's table)."""
    from nonconformities.models import Action

    return parts_of(nc, Action, "nonconformity", "owner", order_by=("due_date", "pk"))


def verifications_of(nc) -> list:
    """The effectiveness checks made of the nonconformity, with who made them."""
    from nonconformities.models import Verification

    return parts_of(nc, Verification, "nonconformity", "verifier")


def notes_of(action) -> list:
    """The progress notes written on the action, with their authors."""
    from nonconformities.models import ActionNote

    return parts_of(action, ActionNote, "action", "author")
