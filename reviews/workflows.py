"""The management review's life as a table (see qms.workflow)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from qms.workflow import Transition, Workflow
from reviews.choices import ReviewStatus as S


def _is_manager(user, review) -> bool:
    return user.has_perm("reviews.manage_reviews")


def _is_chair(user, review) -> bool:
    return review.chair_id == user.pk


REVIEW_FLOW = Workflow(
    Transition(
        "compile",
        (S.PLANNED, S.INPUTS_COMPILED),
        S.INPUTS_COMPILED,
        _("Compile the inputs"),
        allowed=_is_manager,
        reason=gettext_noop("Inputs compiled"),
    ),
    Transition(
        "hold",
        (S.INPUTS_COMPILED, S.HELD),
        S.HELD,
        _("Record the minutes"),
        allowed=_is_manager,
        reason=gettext_noop("Minutes recorded"),
    ),
    Transition(
        "sign",
        (S.HELD,),
        S.SIGNED,
        _("Sign the minutes"),
        allowed=_is_chair,
        style="success",
        reason=gettext_noop("Minutes signed"),
    ),
    Transition(
        "cancel",
        (S.PLANNED, S.INPUTS_COMPILED),
        S.CANCELLED,
        _("Cancel the review"),
        allowed=_is_manager,
        style="outline-secondary",
        needs_reason=True,
        reason=gettext_noop("Review cancelled"),
    ),
)
