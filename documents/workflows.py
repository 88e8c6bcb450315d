"""The revision workflow as a table (see qms.workflow)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from qms.workflow import Transition, Workflow


def _may_submit(user, revision) -> bool:
    from documents.services import can_edit_draft

    return can_edit_draft(user, revision)


REVISION_FLOW = Workflow(
    Transition(
        "submit",
        ("draft",),
        "in_review",
        _("Submit for review and approval"),
        allowed=_may_submit,
        reason=gettext_noop("Submitted for review and approval"),
    ),
    Transition("return", ("in_review",), "draft", _("Return for changes"), style="warning"),
    Transition(
        "approve",
        ("in_review",),
        "approved",
        _("Approve the revision"),
        reason=gettext_noop("Approved by every approver"),
    ),
    Transition(
        "publish", ("approved",), "effective", _("Make effective"), reason=gettext_noop("Effective")
    ),
    Transition(
        "supersede",
        ("effective",),
        "superseded",
        _("Supersede"),
        reason=gettext_noop("Superseded by a newer revision"),
    ),
    Transition("obsolete", ("effective",), "obsolete", _("Make obsolete"), style="danger"),
    Transition(
        "discard",
        ("draft", "in_review", "approved"),
        "discarded",
        _("Discard this draft"),
        style="danger",
        reason=gettext_noop("Draft discarded"),
    ),
)
