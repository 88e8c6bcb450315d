"""Every write of processes and administrative procedures.

Rules: only the QMS manager (``procedures.manage_processes``) maintains the process map and
the procedure catalogue; a procedure's step allowances must fit its statutory time — one
that does not is refused with the arithmetic shown; procedures are never deleted, they are
suspended or abolished; a legal basis amended or repealed flags every procedure based on
it for review and tells its owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from procedures.choices import AllowanceUnit, ProcedureStatus, ReviewFlag
from procedures.models import (
    DossierItem,
    Procedure,
    ProcedureStep,
    Process,
    ProcessIndicator,
    allowance_in_days,
    short_number,
)
from qms.history import save_with_history
from qms.models import Department
from qms.notifications import notify
from qms.search import fold
from qms.workflow import check_version


def can_manage(user) -> bool:
    return bool(user and user.is_active and user.has_perm("procedures.manage_processes"))


def _require(actor) -> None:
    if not can_manage(actor):
        raise PermissionDenied


# --- Processes ----------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorData:
    name: str
    target: Decimal
    unit: str = ""
    direction: str = "higher"


@transaction.atomic
def process_save(
    *,
    actor,
    process: Process,
    version: int | None = None,
    hands_over_to=(),
    documents=(),
    indicators: list[IndicatorData] | None = None,
) -> Process:
    _require(actor)
    if process.pk:
        current = Process.objects.select_for_update().get(pk=process.pk)
        check_version(current, version)
        process.version = current.version + 1
    if any(other.pk == process.pk for other in hands_over_to if process.pk):
        raise ValidationError({"hands_over_to": _("A process does not hand over to itself.")})
    process.search_text = fold(f"{process.code} {process.name}")
    save_with_history(process, actor=actor, reason=gettext_noop("Process saved"))
    process.hands_over_to.set(hands_over_to)
    process.documents.set(documents)
    if indicators is not None:
        _replace_rows(
            process.indicators.order_by("position", "pk"),
            [
                ProcessIndicator(
                    process=process,
                    name=item.name,
                    target=item.target,
                    unit=item.unit,
                    direction=item.direction,
                    position=number,
                )
                for number, item in enumerate(indicators, start=1)
            ],
            ("name", "target", "unit", "direction", "position"),
            actor,
        )
    return process


def _replace_rows(existing, wanted: list, fields: tuple[str, ...], actor) -> None:
    """Bring child rows (steps, dossier, indicators) to ``wanted``, row by row with history:
    existing rows are updated in order, missing ones added, surplus ones removed (their
    history keeps them)."""
    current = list(existing)
    for old, new in zip(current, wanted, strict=False):
        if any(getattr(old, f) != getattr(new, f) for f in fields):
            for f in fields:
                setattr(old, f, getattr(new, f))
            save_with_history(old, actor=actor, reason=gettext_noop("Changed with its procedure"))
    for new in wanted[len(current) :]:
        save_with_history(new, actor=actor, reason=gettext_noop("Added with its procedure"))
    for old in current[len(wanted) :]:
        old._change_reason = gettext_noop("Removed with its procedure")
        old.delete()


# --- Procedures ---------------------------------------------------------------------


@dataclass(frozen=True)
class StepData:
    name: str
    allowance: Decimal
    unit: str = AllowanceUnit.DAYS
    department: Department | None = None
    role: str = ""


@dataclass(frozen=True)
class DossierData:
    name: str
    copies: str = ""
    required: bool = True


def _days(value: Decimal) -> str:
    return number_format(short_number(value))


def check_steps_fit(steps: list[StepData], statutory_days: int) -> Decimal:
    """The steps' allowances in working days; refused, with the sum written out, when they
    exceed the statutory time."""
    if not steps:
        raise ValidationError(_("A procedure has at least one step."))
    parts = [allowance_in_days(step.allowance, step.unit) for step in steps]
    for step, days in zip(steps, parts, strict=True):
        if days <= 0:
            raise ValidationError(
                _("Step “%(step)s” needs a time allowance greater than zero.") % {"step": step.name}
            )
    total = sum(parts, Decimal(0))
    if total > statutory_days:
        raise ValidationError(
            _(
                "The steps take %(sum)s = %(total)s working days, more than the statutory "
                "%(statutory)s working days. Shorten a step or correct the statutory time."
            )
            % {
                "sum": " + ".join(_days(days) for days in parts),
                "total": _days(total),
                "statutory": statutory_days,
            }
        )
    return total


def _search_text(procedure: Procedure) -> str:
    return fold(f"{procedure.code} {procedure.national_code} {procedure.name} {procedure.field}")


@transaction.atomic
def procedure_save(
    *,
    actor,
    procedure: Procedure,
    steps: list[StepData],
    dossier: list[DossierData],
    version: int | None = None,
    legal_basis=None,
    documents=None,
) -> Procedure:
    _require(actor)
    if not procedure.statutory_days:
        raise ValidationError(
            {"statutory_days": _("The statutory time is at least one working day.")}
        )
    check_steps_fit(steps, procedure.statutory_days)
    if procedure.pk:
        current = Procedure.objects.select_for_update().get(pk=procedure.pk)
        check_version(current, version)
        procedure.version = current.version + 1
    procedure.search_text = _search_text(procedure)
    save_with_history(procedure, actor=actor, reason=gettext_noop("Procedure saved"))
    if legal_basis is not None:
        procedure.legal_basis.set(legal_basis)
    if documents is not None:
        procedure.documents.set(documents)
    _replace_rows(
        procedure.steps.order_by("position"),
        [
            ProcedureStep(
                procedure=procedure,
                position=number,
                name=step.name,
                department=step.department,
                role=step.role,
                allowance=Decimal(step.allowance),
                unit=step.unit,
            )
            for number, step in enumerate(steps, start=1)
        ],
        ("position", "name", "department_id", "role", "allowance", "unit"),
        actor,
    )
    _replace_rows(
        procedure.dossier.order_by("position"),
        [
            DossierItem(
                procedure=procedure,
                position=number,
                name=item.name,
                copies=item.copies,
                required=item.required,
            )
            for number, item in enumerate(dossier, start=1)
        ],
        ("position", "name", "copies", "required"),
        actor,
    )
    return procedure


@transaction.atomic
def procedure_set_status(
    *, actor, procedure: Procedure, status: str, version: int | None = None
) -> Procedure:
    """Suspend, abolish or bring back into force; never deleted."""
    _require(actor)
    if status not in ProcedureStatus.values:
        raise ValidationError(_("Unknown status."))
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    check_version(locked, version)
    locked.status = status
    locked.version += 1
    return save_with_history(locked, actor=actor, reason=gettext_noop("Procedure status changed"))


@transaction.atomic
def review_done(*, actor, procedure: Procedure, version: int | None = None) -> Procedure:
    """The owner or the QMS manager checked the procedure against the changed law."""
    if not (can_manage(actor) or procedure.owner_id == actor.pk):
        raise PermissionDenied
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    check_version(locked, version)
    locked.review_flag = ReviewFlag.NONE
    locked.review_flag_detail = ""
    locked.version += 1
    return save_with_history(
        locked, actor=actor, reason=gettext_noop("Reviewed after the legal basis changed")
    )


def flag_for_legal_change(*, external, actor) -> int:
    """A legal document amended or repealed: every procedure based on it needs review."""
    from documents.choices import LegalStatus

    if external.legal_status == LegalStatus.IN_FORCE:
        return 0
    flag = (
        ReviewFlag.LEGAL_AMENDED
        if external.legal_status == LegalStatus.AMENDED
        else ReviewFlag.LEGAL_REPEALED
    )
    flagged = 0
    for procedure in external.procedures.exclude(status=ProcedureStatus.ABOLISHED).select_related(
        "owner", "department__head"
    ):
        procedure.review_flag = flag
        procedure.review_flag_detail = external.number[:100]
        procedure.version += 1
        save_with_history(procedure, actor=actor, reason=gettext_noop("Legal basis changed status"))
        recipient = procedure.owner or procedure.department.head
        if recipient is not None:
            notify(
                recipient=recipient,
                message=gettext_noop(
                    "%(number)s, the legal basis of procedure %(code)s, changed status: "
                    "please review the procedure."
                ),
                params={"number": external.number, "code": procedure.code},
                url=procedure.get_absolute_url(),
            )
        flagged += 1
    return flagged
