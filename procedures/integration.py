"""Procedures' contributions to the platform: search, My tasks, legal changes."""

from __future__ import annotations

from datetime import date

from django.dispatch import receiver
from django.utils.translation import gettext as _

from documents.signals import external_status_changed
from procedures import services
from procedures.choices import ProcedureStatus
from procedures.models import Procedure
from qms import mytasks, search


@receiver(external_status_changed, dispatch_uid="procedures.legal_change")
def _legal_change(sender, external, actor, **kwargs) -> None:
    services.flag_for_legal_change(external=external, actor=actor)


@mytasks.register
def review_tasks(user, today: date) -> list[mytasks.Task]:
    """A procedure whose legal basis changed waits for its owner (or the QMS manager)."""
    flagged = Procedure.objects.exclude(review_flag="").exclude(status=ProcedureStatus.ABOLISHED)
    if not services.can_manage(user):
        flagged = flagged.filter(owner=user)
    return [
        mytasks.Task(
            title=_("Review procedure %(code)s: its legal basis %(number)s changed")
            % {"code": procedure.code, "number": procedure.review_flag_detail},
            url=procedure.get_absolute_url(),
            module=_("Procedures"),
            today=today,
        )
        for procedure in flagged.order_by("code")[:20]
    ]


def _search_procedures(user, folded: str, limit: int) -> list[search.Hit]:
    matches = (
        Procedure.objects.visible_to(user)
        .filter(search_text__contains=folded)
        .select_related("department")
        .order_by("code")[:limit]
    )
    return [
        search.Hit(
            title=f"{procedure.code} {procedure.name}",
            url=procedure.get_absolute_url(),
            module=_("Procedures"),
            detail=f"{procedure.field} · {procedure.department}",
        )
        for procedure in matches
    ]


search.register("procedures", _search_procedures)
