"""Every write of processes and administrative procedures.

Rules: only the QMS manager (``procedures.manage_processes``) maintains the process map and
the procedure catalogue; a procedure's step allowances must fit its statutory time — one
that does not is refused with the arithmetic shown; procedures are never deleted, they are
suspended or abolished; a legal basis amended or repealed flags every procedure based on
it for review and tells its owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from procedures.choices import AllowanceUnit, ProcedureStatus, ReviewFlag
from procedures.models import (
    BAD_SCORES,
    CaseDossierItem,
    CaseNote,
    CasePause,
    CaseStatus,
    CaseStep,
    DossierItem,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    Procedure,
    ProcedureStep,
    Process,
    ProcessIndicator,
    Rating,
    Score,
    ServiceCase,
    allowance_in_days,
    short_number,
)
from qms.calendar import WorkingCalendar, working_seconds_per_day
from qms.history import save_with_history
from qms.models import Department
from qms.notifications import notify
from qms.numbering import save_numbered
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
    measure: str = "manual"


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
                    measure=item.measure,
                    position=number,
                )
                for number, item in enumerate(indicators, start=1)
            ],
            ("name", "target", "unit", "direction", "measure", "position"),
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


# --- Service cases -------------------------------------------------------------------
#
# A case is received at the desk (its first step starts then), handed from step to step
# by the handler of the current step or the head of its department, paused for a
# supplement (the clock stops), returned, withdrawn or completed when its last step is
# done. Completing late needs the reason and the apology letter first. Every move is one
# call, in one transaction, with history.


@dataclass(frozen=True)
class Applicant:
    name: str
    phone: str
    kind: str = "person"
    id_number: str = ""
    email: str = ""
    address: str = ""


def _days_between(start, end, calendar) -> Decimal:
    seconds = Decimal(str(calendar.working_time_between(start, end)))
    return (seconds / Decimal(working_seconds_per_day())).quantize(Decimal("0.001"))


def _next_receipt_code(received_at) -> str:
    prefix = f"{settings.QMS_RECEIPT_PREFIX}-{timezone.localtime(received_at):%y%m%d}-"
    last = (
        ServiceCase.objects.filter(receipt_code__startswith=prefix)
        .order_by("-receipt_code")
        .values_list("receipt_code", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def can_handle(user, step: CaseStep) -> bool:
    """The handler of the step (or, with none named, anyone of its department's scope)
    and the head of the step's department."""
    if not (user and user.is_active):
        return False
    if step.department.head_id == user.pk:
        return True
    if step.handler_id:
        return step.handler_id == user.pk
    return bool(user.department_id) and step.department.path.startswith(user.department.path)


def can_receive(user, desk) -> bool:
    """Staff of the department that receives the procedure's dossiers (its first step)."""
    return bool(
        user
        and user.is_active
        and user.department_id
        and (desk.head_id == user.pk or desk.path.startswith(user.department.path))
    )


def _locked_case(case: ServiceCase, version: int | None) -> ServiceCase:
    locked = (
        ServiceCase.objects.select_for_update(of=("self",))
        .select_related("current_step__department", "procedure")
        .get(pk=case.pk)
    )
    check_version(locked, version)
    return locked


def _require_handler(actor, case: ServiceCase) -> CaseStep:
    step = case.current_step
    if step is None or not can_handle(actor, step):
        raise PermissionDenied
    return step


@transaction.atomic
def case_receive(
    *,
    actor,
    procedure: Procedure,
    applicant: Applicant,
    dossier_received: list[int] | None = None,
    channel: str = "desk",
    received_at=None,
) -> ServiceCase:
    """Receive a dossier: receipt code, due date, the step plan copied, step 1 started."""
    if not (actor and actor.is_active and actor.department_id):
        raise PermissionDenied
    if procedure.status != ProcedureStatus.ACTIVE:
        raise ValidationError(_("This procedure is not in force; no case can be received."))
    plan = list(procedure.steps.select_related("department").order_by("position"))
    if not plan:
        raise ValidationError(_("This procedure has no steps yet."))
    desk = plan[0].department or procedure.department
    if not can_receive(actor, desk):
        raise PermissionDenied
    if not applicant.name.strip() or not applicant.phone.strip():
        raise ValidationError(_("Give the applicant's name and phone number."))
    calendar = WorkingCalendar()
    received_at = received_at or timezone.now()
    due_at = calendar.add_working_time(
        received_at, procedure.statutory_days * working_seconds_per_day()
    )
    case = ServiceCase(
        procedure=procedure,
        department=procedure.department,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name.strip(),
        applicant_phone=applicant.phone.strip(),
        applicant_id_number=applicant.id_number.strip(),
        applicant_email=applicant.email.strip(),
        applicant_address=applicant.address.strip(),
        channel=channel,
        received_at=received_at,
        received_by=actor,
        statutory_days=procedure.statutory_days,
        due_at=due_at,
    )
    for attempt in range(5):
        case.receipt_code = _next_receipt_code(received_at)
        try:
            with transaction.atomic():
                case.search_text = fold(
                    f"{case.receipt_code} {case.applicant_name} {case.applicant_phone} "
                    f"{case.applicant_id_number}"
                )
                save_with_history(case, actor=actor, reason=gettext_noop("Case received"))
            break
        except IntegrityError:
            if attempt == 4:
                raise
            case.pk = None
    steps = []
    for item in plan:
        step = CaseStep(
            case=case,
            position=item.position,
            name=item.name,
            department=item.department or procedure.department,
            role=item.role,
            allowance_days=item.allowance_days.quantize(Decimal("0.001")),
        )
        save_with_history(step, actor=actor, reason=gettext_noop("Case received"))
        steps.append(step)
    first = steps[0]
    first.started_at = received_at
    first.handler = actor
    first.due_at = calendar.add_working_time(
        received_at, float(first.allowance_days) * working_seconds_per_day()
    )
    save_with_history(first, actor=actor, reason=gettext_noop("Step started"))
    received = set(dossier_received or [])
    for item in procedure.dossier.order_by("position"):
        save_with_history(
            CaseDossierItem(
                case=case,
                position=item.position,
                name=item.name,
                required=item.required,
                received=item.position in received,
            ),
            actor=actor,
            reason=gettext_noop("Case received"),
        )
    case.current_step = first
    return save_with_history(case, actor=actor, reason=gettext_noop("Step started"))


def _finish_step(step: CaseStep, actor, now, calendar, note: str = "") -> None:
    step.finished_at = now
    step.finished_by = actor
    step.working_days_used = _days_between(step.started_at, now, calendar) - _paused_during(
        step, now, calendar
    )
    step.on_time = now <= step.due_at
    step.note = note
    save_with_history(step, actor=actor, reason=gettext_noop("Step done"))


def _paused_during(step: CaseStep, now, calendar) -> Decimal:
    total = Decimal(0)
    for pause in step.case.pauses.filter(started_at__gte=step.started_at, ended_at__isnull=False):
        total += pause.working_days or Decimal(0)
    return total


@transaction.atomic
def case_move(
    *, actor, case: ServiceCase, version: int | None, note: str = "", handler=None
) -> ServiceCase:
    """Hand the case to its next step (who did the step, when, time used, within allowance);
    after the last step the case is completed."""
    case = _locked_case(case, version)
    if case.status != CaseStatus.IN_PROGRESS:
        raise ValidationError(_("Only a case in progress moves on."))
    step = _require_handler(actor, case)
    following = case.steps.filter(position__gt=step.position).select_related("department").first()
    now = timezone.now()
    calendar = WorkingCalendar()
    if following is None:
        return _complete(case, step, actor, now, calendar, note)
    if handler is not None and not (
        handler.is_active
        and handler.department_id
        and handler.department.path.startswith(following.department.path)
    ):
        raise ValidationError(
            {
                "handler": _("Choose someone of %(department)s.")
                % {"department": following.department}
            }
        )
    _finish_step(step, actor, now, calendar, note)
    following.started_at = now
    following.handler = handler
    following.due_at = calendar.add_working_time(
        now, float(following.allowance_days) * working_seconds_per_day()
    )
    save_with_history(following, actor=actor, reason=gettext_noop("Step started"))
    case.current_step = following
    case.version += 1
    saved = save_with_history(case, actor=actor, reason=gettext_noop("Handed to the next step"))
    if handler is not None and handler != actor:
        notify(
            recipient=handler,
            message=gettext_noop("Case %(code)s is yours: %(step)s, due %(due)s."),
            params={
                "code": case.receipt_code,
                "step": following.name,
                "due": f"{timezone.localtime(following.due_at):%d/%m/%Y %H:%M}",
            },
            url=case.get_absolute_url(),
        )
    return saved


def _complete(case, step, actor, now, calendar, note) -> ServiceCase:
    late = now > case.due_at
    if late and not (case.late_reason.strip() and case.apology_issued_at):
        raise ValidationError(
            _(
                "This case is late: write the reason for the delay and issue the apology "
                "letter to the applicant before completing it."
            )
        )
    _finish_step(step, actor, now, calendar, note)
    case.status = CaseStatus.COMPLETED
    case.finished_at = now
    case.on_time = not late
    case.working_days_used = _case_days(case, now, calendar)
    case.current_step = None
    case.version += 1
    return save_with_history(case, actor=actor, reason=gettext_noop("Case completed"))


def _case_days(case: ServiceCase, now, calendar) -> Decimal:
    paused = sum((p.working_days or Decimal(0) for p in case.pauses.all()), Decimal(0))
    return _days_between(case.received_at, now, calendar) - paused


@transaction.atomic
def case_pause(
    *, actor, case: ServiceCase, version: int | None, reason: str, notified_on
) -> ServiceCase:
    """A supplement is needed: the clock stops until the applicant brings it."""
    case = _locked_case(case, version)
    if case.status != CaseStatus.IN_PROGRESS:
        raise ValidationError(_("Only a case in progress can wait for a supplement."))
    _require_handler(actor, case)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the applicant must supply.")})
    if notified_on is None or notified_on > timezone.localdate():
        raise ValidationError(
            {"notified_on": _("Give the date the applicant was told (today or earlier).")}
        )
    save_with_history(
        CasePause(
            case=case,
            reason=reason.strip(),
            notified_on=notified_on,
            started_at=timezone.now(),
            started_by=actor,
        ),
        actor=actor,
        reason=gettext_noop("Supplement requested"),
    )
    case.status = CaseStatus.PAUSED
    case.version += 1
    return save_with_history(case, actor=actor, reason=gettext_noop("Supplement requested"))


@transaction.atomic
def case_resume(*, actor, case: ServiceCase, version: int | None) -> ServiceCase:
    """The supplement arrived: the case and its step are due later by the time paused."""
    case = _locked_case(case, version)
    if case.status != CaseStatus.PAUSED:
        raise ValidationError(_("This case is not waiting for a supplement."))
    step = _require_handler(actor, case)
    pause = case.pauses.get(ended_at__isnull=True)
    calendar = WorkingCalendar()
    now = timezone.now()
    pause.ended_at = now
    pause.working_days = _days_between(pause.started_at, now, calendar)
    save_with_history(pause, actor=actor, reason=gettext_noop("Supplement received"))
    for target in (case, step):
        remaining = calendar.working_time_between(pause.started_at, target.due_at)
        target.due_at = (
            calendar.add_working_time(now, remaining)
            if remaining > 0
            else (target.due_at + (now - pause.started_at))
        )
    save_with_history(step, actor=actor, reason=gettext_noop("Supplement received"))
    case.status = CaseStatus.IN_PROGRESS
    case.version += 1
    return save_with_history(case, actor=actor, reason=gettext_noop("Supplement received"))


@transaction.atomic
def case_close(
    *, actor, case: ServiceCase, version: int | None, outcome: str, reason: str
) -> ServiceCase:
    """Returned (refused, with the legal reason) or withdrawn at the applicant's request."""
    if outcome not in (CaseStatus.RETURNED, CaseStatus.WITHDRAWN):
        raise ValidationError(_("Unknown outcome."))
    case = _locked_case(case, version)
    if not case.is_open:
        raise ValidationError(_("This case is already closed."))
    step = _require_handler(actor, case)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason; the applicant receives it.")})
    now = timezone.now()
    calendar = WorkingCalendar()
    if case.status == CaseStatus.PAUSED:
        pause = case.pauses.get(ended_at__isnull=True)
        pause.ended_at = now
        pause.working_days = _days_between(pause.started_at, now, calendar)
        save_with_history(pause, actor=actor, reason=gettext_noop("Case closed"))
    _finish_step(step, actor, now, calendar, reason.strip())
    case.status = outcome
    case.outcome_reason = reason.strip()
    case.finished_at = now
    case.working_days_used = _case_days(case, now, calendar)
    case.current_step = None
    case.version += 1
    return save_with_history(
        case,
        actor=actor,
        reason=gettext_noop("Case returned")
        if outcome == CaseStatus.RETURNED
        else gettext_noop("Case withdrawn"),
    )


@transaction.atomic
def apology_issue(
    *, actor, case: ServiceCase, version: int | None, late_reason: str
) -> ServiceCase:
    """A late case: the reason is recorded and the apology letter issued (printed from the
    case page) before it can be completed."""
    case = _locked_case(case, version)
    if not case.is_open:
        raise ValidationError(_("This case is already closed."))
    _require_handler(actor, case)
    if timezone.now() <= case.due_at:
        raise ValidationError(_("This case is not late."))
    if not late_reason.strip():
        raise ValidationError({"late_reason": _("Give the reason for the delay.")})
    case.late_reason = late_reason.strip()
    case.apology_issued_at = timezone.now()
    case.version += 1
    return save_with_history(case, actor=actor, reason=gettext_noop("Apology letter issued"))


@transaction.atomic
def case_annotate(*, actor, case: ServiceCase, text: str) -> CaseNote:
    """A remark on the case; the only change a closed case accepts."""
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    return save_with_history(
        CaseNote(case=case, text=text.strip(), written_by=actor),
        actor=actor,
        reason=gettext_noop("Note added"),
    )


def lookup(receipt_code: str, phone_digits: str) -> ServiceCase | None:
    """The public lookup: a case only when the code and the phone's last four digits match
    (the same answer, None, for a wrong code and a wrong phone)."""
    digits = "".join(ch for ch in phone_digits if ch.isdigit())
    if len(digits) != 4:
        return None
    case = (
        ServiceCase.objects.filter(receipt_code=receipt_code.strip().upper())
        .select_related("procedure", "current_step")
        .first()
    )
    if case is None:
        return None
    phone = "".join(ch for ch in case.applicant_phone if ch.isdigit())
    return case if phone.endswith(digits) else None


# --- Ratings, complaints and what is done about them --------------------------------


# The kind is in the message, translated when each reader reads it (as a parameter it was
# kept in the language of whoever sent the feedback: "Phản ánh" in an English page).
FEEDBACK_RECEIVED = {
    FeedbackKind.COMPLAINT: gettext_noop(
        "%(number)s: complaint about %(about)s, answer by %(deadline)s"
    ),
    FeedbackKind.RATING: gettext_noop(
        "%(number)s: dissatisfied rating about %(about)s, answer by %(deadline)s"
    ),
}
# notifications sent before name the kind as a parameter: still translated
gettext_noop("%(number)s: %(kind)s about %(about)s, answer by %(deadline)s")


def _open_feedback(*, kind: str, text: str, case=None, procedure=None, name="", contact=""):
    """A feedback item with an owner and a deadline; the owner and the QMS managers are told."""
    from qms.models import User

    procedure = procedure or (case.procedure if case else None)
    department = (
        case.department
        if case
        else procedure.department
        if procedure
        else Department.objects.filter(parent__isnull=True, is_active=True).order_by("pk").first()
    )
    owner = (procedure.owner if procedure and procedure.owner_id else None) or department.head
    item = Feedback(
        kind=kind,
        case=case,
        procedure=procedure,
        department=department,
        citizen_name=name[:200],
        citizen_contact=contact[:200],
        text=text.strip(),
        owner=owner,
        deadline=WorkingCalendar().add_working_days(
            timezone.localdate(), settings.QMS_FEEDBACK_DAYS
        ),
    )
    save_numbered(item, "PA", reason=gettext_noop("Citizen feedback received"))
    recipients = {u.pk: u for u in User.objects.filter(groups__name="qms_manager", is_active=True)}
    if owner is not None:
        recipients[owner.pk] = owner
    for recipient in recipients.values():
        notify(
            recipient=recipient,
            message=FEEDBACK_RECEIVED[item.kind],
            params={
                "number": item.number,
                "about": case.receipt_code if case else (procedure.code if procedure else "—"),
                "deadline": f"{item.deadline:%d/%m/%Y}",
            },
            url=item.get_absolute_url(),
        )
    return item


@transaction.atomic
def rate(*, case: ServiceCase, score: int, comment: str = "") -> Rating:
    """The applicant rates a completed case, once; dissatisfied or worse opens feedback."""
    if case.status != CaseStatus.COMPLETED:
        raise ValidationError(_("A case can be rated once it is completed."))
    if Rating.objects.filter(case=case).exists():
        raise ValidationError(_("This case has already been rated. Thank you."))
    if score not in Score.values:
        raise ValidationError({"score": _("Choose how satisfied you are.")})
    rating = save_with_history(
        Rating(case=case, score=score, comment=comment.strip()[:2000]),
        reason=gettext_noop("Rated by the applicant"),
    )
    if score in BAD_SCORES:
        _open_feedback(
            kind=FeedbackKind.RATING,
            case=case,
            text=comment.strip() or str(Score(score).label),
            name=case.applicant_name,
            contact=case.applicant_phone,
        )
    return rating


@transaction.atomic
def complaint_submit(
    *, text: str, name: str = "", contact: str = "", procedure=None, receipt_code: str = ""
) -> Feedback:
    """A complaint from the public form. A receipt code that exists links the case; the
    answer to the citizen is the same either way."""
    if len(text.strip()) < 10:
        raise ValidationError({"text": _("Describe what happened (at least a sentence).")})
    case = None
    if receipt_code.strip():
        case = ServiceCase.objects.filter(receipt_code=receipt_code.strip().upper()).first()
    return _open_feedback(
        kind=FeedbackKind.COMPLAINT,
        text=text,
        case=case,
        procedure=procedure if case is None else None,
        name=name,
        contact=contact,
    )


def can_handle_feedback(user, item: Feedback) -> bool:
    return bool(
        user
        and user.is_active
        and (
            item.owner_id == user.pk
            or item.department.head_id == user.pk
            or user.has_perm("procedures.manage_processes")
        )
    )


def _locked_feedback(actor, item: Feedback, version: int | None) -> Feedback:
    locked = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=item.pk)
    )
    if not can_handle_feedback(actor, locked):
        raise PermissionDenied
    check_version(locked, version)
    if locked.status != FeedbackStatus.OPEN:
        raise ValidationError(_("This feedback is already closed."))
    return locked


@transaction.atomic
def feedback_callback(
    *, actor, item: Feedback, version: int | None, callback_on, outcome: str
) -> Feedback:
    locked = _locked_feedback(actor, item, version)
    if callback_on is None or callback_on > timezone.localdate():
        raise ValidationError({"callback_on": _("Give the date of the call (today or earlier).")})
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write what the citizen was told and said.")})
    locked.callback_on = callback_on
    locked.callback_outcome = outcome.strip()
    locked.version += 1
    return save_with_history(locked, actor=actor, reason=gettext_noop("Citizen called back"))


@transaction.atomic
def feedback_close(
    *, actor, item: Feedback, version: int | None, status: str, resolution: str
) -> Feedback:
    """Rectified, or unfounded with evidence attached; the call-back comes first."""
    from qms.attachments import attachments_of

    locked = _locked_feedback(actor, item, version)
    if status not in (FeedbackStatus.RECTIFIED, FeedbackStatus.UNFOUNDED):
        raise ValidationError(_("Unknown outcome."))
    if not locked.callback_on:
        raise ValidationError(_("Call the citizen back first and record the outcome."))
    if not resolution.strip():
        raise ValidationError({"resolution": _("Write what was done.")})
    if status == FeedbackStatus.UNFOUNDED and not attachments_of(locked).exists():
        raise ValidationError(
            _("Attach the evidence that the feedback is unfounded (for example the case file).")
        )
    locked.status = status
    locked.resolution = resolution.strip()
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.version += 1
    return save_with_history(locked, actor=actor, reason=gettext_noop("Feedback closed"))


@transaction.atomic
def feedback_raise_nonconformity(*, actor, item: Feedback, version: int | None):
    """The QMS manager judges it a nonconformity: raised in the nonconformity module,
    linked both ways; the feedback item stays open until the citizen has an answer."""
    from nonconformities.models import Nonconformity
    from nonconformities.services import nonconformity_raise

    if not actor.has_perm("procedures.manage_processes"):
        raise PermissionDenied
    locked = _locked_feedback(actor, item, version)
    if locked.nonconformity_id:
        raise ValidationError(_("A nonconformity was already raised from this feedback."))
    nc = nonconformity_raise(
        actor=actor,
        nonconformity=Nonconformity(
            title=f"{locked.number}: {locked.text[:200]}",
            description=locked.text,
            department=locked.department,
            occurred_on=timezone.localdate(locked.received_at),
            source="complaint" if locked.kind == FeedbackKind.COMPLAINT else "rating",
            case_reference=locked.case.receipt_code if locked.case_id else "",
        ),
        origin=locked,
    )
    locked.nonconformity = nc
    locked.version += 1
    save_with_history(locked, actor=actor, reason=gettext_noop("Nonconformity raised"))
    return nc


# --- Repeated problems flag a procedure for corrective action ------------------------


def flag_repeated_problems(today=None) -> int:
    """Nightly: a procedure with ``QMS_FLAG_LATE_CASES`` late cases or
    ``QMS_FLAG_BAD_RATINGS`` dissatisfied ratings within ``QMS_FLAG_WINDOW_DAYS`` is flagged
    for corrective action (once per window) and the QMS managers are told."""
    from datetime import timedelta

    from django.db.models import Count, Q

    from qms.models import User

    today = today or timezone.localdate()
    since = today - timedelta(days=settings.QMS_FLAG_WINDOW_DAYS)
    moment = timezone.make_aware(datetime.combine(since, time.min))
    counts = (
        Procedure.objects.filter(status=ProcedureStatus.ACTIVE)
        .exclude(attention_since__gte=since)
        .annotate(
            late=Count(
                "cases",
                filter=Q(cases__on_time=False, cases__finished_at__gte=moment),
                distinct=True,
            ),
            bad=Count(
                "cases__rating",
                filter=Q(cases__rating__score__lte=2, cases__rating__submitted_at__gte=moment),
                distinct=True,
            ),
        )
        .filter(
            Q(late__gte=settings.QMS_FLAG_LATE_CASES) | Q(bad__gte=settings.QMS_FLAG_BAD_RATINGS)
        )
    )
    managers = list(User.objects.filter(groups__name="qms_manager", is_active=True))
    flagged = 0
    for procedure in counts:
        with transaction.atomic():
            procedure.attention = True
            procedure.attention_late = procedure.late
            procedure.attention_bad = procedure.bad
            procedure.attention_since = today
            procedure.version += 1
            save_with_history(procedure, reason=gettext_noop("Flagged for corrective action"))
            for manager in managers:
                notify(
                    recipient=manager,
                    message=gettext_noop(
                        "Procedure %(code)s is flagged for corrective action: %(late)s late "
                        "cases and %(bad)s dissatisfied ratings in %(days)s days"
                    ),
                    params={
                        "code": procedure.code,
                        "late": procedure.late,
                        "bad": procedure.bad,
                        "days": settings.QMS_FLAG_WINDOW_DAYS,
                    },
                    url=procedure.get_absolute_url(),
                )
        flagged += 1
    return flagged


@transaction.atomic
def attention_resolve(
    *, actor, procedure: Procedure, version: int | None, raise_nc: bool, reason: str = ""
):
    """The QMS manager raises a nonconformity for the flag, or dismisses it with a reason."""
    from nonconformities.models import Nonconformity
    from nonconformities.services import nonconformity_raise

    _require(actor)
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    check_version(locked, version)
    if not locked.attention:
        raise ValidationError(_("This procedure is not flagged."))
    nc = None
    if raise_nc:
        nc = nonconformity_raise(
            actor=actor,
            nonconformity=Nonconformity(
                title=_("%(code)s: repeated late cases or dissatisfied ratings")
                % {"code": locked.code},
                description=_(
                    "%(code)s %(name)s: %(late)s late cases and %(bad)s dissatisfied ratings "
                    "in the %(days)s days before %(date)s."
                )
                % {
                    "code": locked.code,
                    "name": locked.name,
                    "late": locked.attention_late,
                    "bad": locked.attention_bad,
                    "days": settings.QMS_FLAG_WINDOW_DAYS,
                    "date": f"{locked.attention_since:%d/%m/%Y}",
                },
                department=locked.department,
                occurred_on=timezone.localdate(),
                source="late_case",
            ),
            origin=locked,
        )
    elif not reason.strip():
        raise ValidationError({"reason": _("Say why no corrective action is needed.")})
    locked.attention = False
    locked.version += 1
    save_with_history(
        locked,
        actor=actor,
        reason=gettext_noop("Flag resolved: nonconformity raised")
        if nc
        else gettext_noop("Flag dismissed"),
    )
    return nc
