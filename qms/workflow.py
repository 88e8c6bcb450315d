"""Status workflows as tables: the one way a status changes anywhere in the portal.

A module declares its moves once::

    REVISION_FLOW = Workflow(
        Transition("submit", ("draft",), "in_review", _("Submit for review"), allowed=...),
        ...
    )

and its services call ``REVISION_FLOW.apply(revision, "submit", actor=..., version=...)``.
``apply`` locks the row, refuses a stale form (someone else acted first), checks the source
status and the permission, runs the module's precondition and companion-field ``effect``,
bumps ``version`` and saves with a history reason — all in the caller's transaction.
Views never assign a status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from qms.history import save_with_history


class ConcurrentChange(ValidationError):
    """The object changed since the user's page was loaded; nothing was written."""

    def __init__(self):
        super().__init__(
            _(
                "Someone else changed this a moment ago. Nothing was saved: reload the page "
                "to see the current state, then try again."
            ),
            code="concurrent",
        )


def _always(user, obj) -> bool:
    return True


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str
    label: str
    allowed: Callable[[object, models.Model], bool] = _always
    style: str = "primary"
    needs_reason: bool = False
    reason: str = ""  # the history reason (an untranslated message id)


class Workflow:
    def __init__(self, *transitions: Transition, field: str = "status") -> None:
        self.field = field
        self.transitions = {t.name: t for t in transitions}

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def available(self, obj: models.Model, user) -> list[Transition]:
        """The moves this user may make now, for the buttons on the object's page."""
        status = getattr(obj, self.field)
        return [t for t in self.transitions.values() if status in t.source and t.allowed(user, obj)]

    def apply(
        self,
        obj: models.Model,
        name: str,
        *,
        actor,
        reason: str = "",
        version: int | None = None,
        guard: Callable[[models.Model], None] | None = None,
        effect: Callable[[models.Model], None] | None = None,
        check_permission: bool = True,
    ) -> models.Model:
        transition = self.transitions[name]
        with transaction.atomic():
            locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            if version is not None and getattr(locked, "version", None) != version:
                raise ConcurrentChange
            status = getattr(locked, self.field)
            if status not in transition.source:
                raise ValidationError(
                    _("This is not possible while the status is “%(status)s”.")
                    % {"status": _display_status(locked, self.field)},
                    code="status",
                )
            if check_permission and not transition.allowed(actor, locked):
                raise PermissionDenied
            if transition.needs_reason and not reason.strip():
                raise ValidationError({"reason": _("Please give a reason.")}, code="reason")
            if guard is not None:
                guard(locked)
            setattr(locked, self.field, transition.target)
            if effect is not None:
                effect(locked)
            if hasattr(locked, "version"):
                locked.version += 1
            save_with_history(locked, actor=actor, reason=reason or transition.reason)
        return locked


def check_version(obj: models.Model, version: int | None) -> None:
    """For edits that are not transitions: refuse a form loaded before someone else saved."""
    if version is not None and getattr(obj, "version", None) != version:
        raise ConcurrentChange


def _display_status(obj: models.Model, field: str) -> str:
    getter = getattr(obj, f"get_{field}_display", None)
    return str(getter()) if getter else str(getattr(obj, field))
