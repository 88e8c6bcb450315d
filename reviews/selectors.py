"""Who sees a management review: the QMS manager, the agency head and internal auditors
all of them (``reviews.view_all_reviews`` or ``reviews.manage_reviews``); the chair and
the participants the reviews they took part in."""

from __future__ import annotations

from django.db.models import Q

from qms.db import parts_of
from qms.visibility import has_global_view, is_active_user


def review_visibility_q(user) -> Q | None:
    if not is_active_user(user):
        return Q(pk__in=[])
    if has_global_view(user, "reviews.view_all_reviews") or user.has_perm("reviews.manage_reviews"):
        return None
    from reviews.models import ManagementReview

    # a subquery, not a join: a join would repeat a review once per participant
    took_part = ManagementReview.participants.through.objects.filter(user=user).values(
        "managementreview_id"
    )
    return Q(chair=user) | Q(pk__in=took_part)


def decisions_of(review) -> list:
    """The review's decisions, with the actions they opened and their owners."""
    from reviews.models import Decision

    return parts_of(review, Decision, "review", "action__owner")
