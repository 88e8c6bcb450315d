"""Every write of planning: scope and announcements, objectives and their values, risks.

The QMS manager (``planning.manage_planning``) keeps the scope, the objectives and the
scorecard; an objective's owner records its values and plans its actions; the head of a
department keeps the risks of their department, and a risk's owner reviews it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from planning import matrix, measures
from planning.choices import (
    OPPORTUNITY_TREATMENTS,
    RISK_TREATMENTS,
    Measure,
    ObjectiveStatus,
    RiskKind,
    RiskStatus,
)
from planning.models import Announcement, Measurement, Objective, Risk, RiskReview, Scope
from qms.history import save_with_history
from qms.notifications import notify
from qms.numbering import save_numbered
from qms.search import fold
from qms.selectors import users_with_permission
from qms.visibility import headed_paths
from qms.workflow import check_version


def can_manage(user) -> bool:
    return bool(user.is_active and user.has_perm("planning.manage_planning"))


def _require_manager(user) -> None:
    if not can_manage(user):
        raise PermissionDenied


# --- Scope and conformity announcements ---------------------------------------------


@transaction.atomic
def scope_change(
    *,
    actor,
    statement: str,
    exclusions: str,
    departments,
    procedures,
    effective_from: date,
    reason: str,
) -> Scope:
    """A new version of the scope; an announcement made for the old one is now out of date
    and the QMS managers are told to announce again."""
    _require_manager(actor)
    previous = Scope.objects.order_by("-effective_from", "-pk").first()
    if previous is not None:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the scope changes.")})
        if effective_from < previous.effective_from:
            raise ValidationError(
                {"effective_from": _("A new scope cannot take effect before the one in force.")}
            )
    scope = save_with_history(
        Scope(
            statement=statement,
            exclusions=exclusions,
            effective_from=effective_from,
            reason=reason,
            created_by=actor,
        ),
        actor=actor,
        reason=gettext_noop("Scope recorded"),
    )
    scope.departments.set(departments)
    scope.procedures.set(procedures)
    if Announcement.objects.exists():
        for manager in users_with_permission("planning.manage_planning"):
            notify(
                recipient=manager,
                message=gettext_noop(
                    "The QMS scope changed on %(date)s: record a new conformity announcement."
                ),
                params={"date": f"{effective_from:%d/%m/%Y}"},
                url=reverse("planning:scope"),
            )
    return scope


def announcement_record(
    *, actor, scope: Scope, announced_on: date, decision_number: str, signed_by: str, note: str
) -> Announcement:
    _require_manager(actor)
    if announced_on > timezone.localdate():
        raise ValidationError({"announced_on": _("The announcement date cannot be in the future.")})
    if announced_on < scope.effective_from:
        raise ValidationError(
            {"announced_on": _("The announcement cannot precede the scope it announces.")}
        )
    if Announcement.objects.filter(decision_number=decision_number.strip()).exists():
        raise ValidationError({"decision_number": _("This decision is already recorded.")})
    return save_with_history(
        Announcement(
            scope=scope,
            announced_on=announced_on,
            decision_number=decision_number.strip(),
            signed_by=signed_by,
            note=note,
            created_by=actor,
        ),
        actor=actor,
        reason=gettext_noop("Conformity announced"),
    )


# --- Objectives ---------------------------------------------------------------------


def can_record_value(user, objective: Objective) -> bool:
    return objective.owner_id == user.pk or can_manage(user)


def _clean_objective(objective: Objective) -> None:
    errors = {}
    if objective.measure != Measure.MANUAL:
        objective.unit = "%"
        if objective.target < 0 or objective.target > 100:
            errors["target"] = _("A percentage target lies between 0 and 100.")
    if objective.measure == Measure.NC_CLOSED_WITHIN and not objective.within_days:
        errors["within_days"] = _("Say within how many days nonconformities should be closed.")
    if objective.procedure_id and objective.measure not in (Measure.ON_TIME, Measure.SATISFACTION):
        errors["procedure"] = _(
            "A procedure applies only to an on-time rate or a satisfaction index."
        )
    if (
        objective.procedure_id
        and objective.department_id
        and not objective.procedure.department.path.startswith(objective.department.path)
    ):
        errors["procedure"] = _("This procedure is not handled by the objective's department.")
    if not objective.owner.is_active:
        errors["owner"] = _("The owner's account is inactive.")
    if errors:
        raise ValidationError(errors)


def objective_save(*, actor, objective: Objective, version: int | None = None) -> Objective:
    _require_manager(actor)
    _clean_objective(objective)
    if objective.pk is None:
        objective.created_by = actor
        objective = save_numbered(
            objective, "MT", actor=actor, reason=gettext_noop("Objective set")
        )
    else:
        with transaction.atomic():
            locked = Objective.objects.select_for_update().get(pk=objective.pk)
            check_version(locked, version)
            if locked.status == ObjectiveStatus.WITHDRAWN:
                raise ValidationError(_("A withdrawn objective is no longer changed."))
            objective.version = locked.version + 1
            objective.status = locked.status
            save_with_history(objective, actor=actor, reason=gettext_noop("Objective changed"))
    refresh_status(objective)
    if objective.is_live:
        measure_live(objective)
    return objective


def objective_withdraw(
    *, actor, objective: Objective, reason: str, version: int | None
) -> Objective:
    _require_manager(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    with transaction.atomic():
        locked = Objective.objects.select_for_update().get(pk=objective.pk)
        check_version(locked, version)
        locked.status = ObjectiveStatus.WITHDRAWN
        locked.withdrawn_reason = reason.strip()[:300]
        locked.version += 1
        return save_with_history(locked, actor=actor, reason=gettext_noop("Objective withdrawn"))


def refresh_status(objective: Objective) -> Objective:
    if objective.status == ObjectiveStatus.WITHDRAWN:
        return objective
    values = list(
        Measurement.objects.filter(objective=objective)
        .order_by("period_end")
        .values_list("period_end", "value")
    )
    status = measures.status_of([v for _d, v in values], objective.target, objective.direction)
    last = values[-1] if values else (None, None)
    if (objective.status, objective.last_period_end, objective.last_value) != (status, *last):
        objective.status = status
        objective.last_period_end, objective.last_value = last
        save_with_history(objective, reason=gettext_noop("Status from the latest value"))
    return objective


def _period_end(objective: Objective, period_end: date) -> date:
    ends = [end for _start, end in measures.periods(objective.year, objective.frequency)]
    # a period is named by its last day
    last_days = [end.fromordinal(end.toordinal() - 1) for end in ends]
    if period_end not in last_days:
        raise ValidationError({"period_end": _("Choose one of the objective's periods.")})
    return period_end


def measurement_record(
    *, actor, objective: Objective, period_end: date, value: Decimal, note: str = ""
) -> Measurement:
    if not can_record_value(actor, objective):
        raise PermissionDenied
    if objective.is_live:
        raise ValidationError(_("The portal computes this objective's values."))
    if objective.status == ObjectiveStatus.WITHDRAWN:
        raise ValidationError(_("A withdrawn objective is no longer measured."))
    period_end = _period_end(objective, period_end)
    start, _end = measures.period_of(period_end, objective.frequency)
    if start > timezone.localdate():
        raise ValidationError({"period_end": _("This period has not started yet.")})
    with transaction.atomic():
        Objective.objects.select_for_update().get(pk=objective.pk)
        measurement = Measurement.objects.filter(objective=objective, period_end=period_end).first()
        reason = gettext_noop("Value corrected") if measurement else gettext_noop("Value recorded")
        measurement = measurement or Measurement(objective=objective, period_end=period_end)
        measurement.value, measurement.note, measurement.recorded_by = value, note, actor
        save_with_history(measurement, actor=actor, reason=reason)
        refresh_status(objective)
    return measurement


def measure_live(objective: Objective, today: date | None = None) -> int:
    """Compute every period of the year that has started; returns how many values changed."""
    if not objective.is_live or objective.status == ObjectiveStatus.WITHDRAWN:
        return 0
    today = today or timezone.localdate()
    compute = measures.LIVE[objective.measure]
    known = {m.period_end: m for m in objective.measurements.all()}
    changed = 0
    for start, end in measures.periods(objective.year, objective.frequency):
        if start > today:
            break
        value = compute(objective, start, min(end, today.fromordinal(today.toordinal() + 1)))
        if value is None:
            continue
        period_end = end.fromordinal(end.toordinal() - 1)
        measurement = known.get(period_end)
        if measurement is not None and measurement.value == value:
            continue
        measurement = measurement or Measurement(objective=objective, period_end=period_end)
        measurement.value, measurement.recorded_by = value, None
        save_with_history(measurement, reason=gettext_noop("Value computed by the portal"))
        changed += 1
    refresh_status(objective)
    return changed


def measure_all_live(today: date | None = None) -> int:
    """The nightly measurement of every live objective of this year (and last year's in
    January, so December is completed)."""
    today = today or timezone.localdate()
    years = [today.year] + ([today.year - 1] if today.month == 1 else [])
    objectives = Objective.objects.filter(year__in=years).exclude(measure=Measure.MANUAL)
    objectives = objectives.exclude(status=ObjectiveStatus.WITHDRAWN).select_related("department")
    return sum(measure_live(objective, today) for objective in objectives)


def _plan_action(
    *,
    actor,
    source,
    kind: str,
    title: str,
    owner,
    due_date: date,
    department,
    description: str = "",
):
    from nonconformities.models import Action
    from nonconformities.services import action_add

    return action_add(
        actor=actor,
        action=Action(
            title=title,
            description=description,
            kind=kind,
            owner=owner,
            department=department or owner.department,
            due_date=due_date,
        ),
        source=source,
    )


def objective_action(
    *, actor, objective: Objective, title: str, owner, due_date: date, description: str = ""
):
    """A plan to achieve the objective (ISO 9001 clause 6.2.2) is an action in the tracker."""
    from nonconformities.choices import ActionKind

    objective = Objective.objects.select_related("department").get(pk=objective.pk)
    if not can_record_value(actor, objective):
        raise PermissionDenied
    if objective.status == ObjectiveStatus.WITHDRAWN:
        raise ValidationError(_("A withdrawn objective is no longer measured."))
    return _plan_action(
        actor=actor,
        source=objective,
        kind=ActionKind.IMPROVEMENT,
        title=title,
        owner=owner,
        due_date=due_date,
        department=objective.department,
        description=description,
    )


# --- Risks and opportunities --------------------------------------------------------


def can_edit_risks_of(user, department) -> bool:
    if can_manage(user):
        return True
    return department is not None and any(
        department.path.startswith(path) for path in headed_paths(user)
    )


def can_review_risk(user, risk: Risk) -> bool:
    return risk.owner_id == user.pk or can_edit_risks_of(user, risk.department)


def _score(likelihood: int | None, impact: int | None) -> int | None:
    return likelihood * impact if likelihood and impact else None


def _clean_risk(risk: Risk) -> None:
    errors = {}
    n = matrix.size()
    for field in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
        value = getattr(risk, field)
        if value is not None and not 1 <= value <= n:
            errors[field] = _("Choose a value from 1 to %(n)s.") % {"n": n}
    if (risk.residual_likelihood is None) != (risk.residual_impact is None):
        errors["residual_impact"] = _("Give both the likelihood and the impact after treatment.")
    allowed = OPPORTUNITY_TREATMENTS if risk.kind == RiskKind.OPPORTUNITY else RISK_TREATMENTS
    if risk.treatment not in allowed:
        errors["treatment"] = (
            _("An opportunity is pursued or accepted.")
            if risk.kind == RiskKind.OPPORTUNITY
            else _("A risk is accepted, reduced, avoided or transferred.")
        )
    if risk.owner_id and not risk.owner.is_active:
        errors["owner"] = _("The owner's account is inactive.")
    if errors:
        raise ValidationError(errors)
    risk.score = _score(risk.likelihood, risk.impact) or 0
    risk.residual_score = _score(risk.residual_likelihood, risk.residual_impact)
    risk.search_text = fold(f"{risk.title} {risk.description} {risk.cause} {risk.consequence}")


def risk_save(*, actor, risk: Risk, version: int | None = None) -> Risk:
    if not can_edit_risks_of(actor, risk.department):
        raise PermissionDenied
    _clean_risk(risk)
    if risk.pk is None:
        risk.created_by = actor
        risk.identified_on = risk.identified_on or timezone.localdate()
        return save_numbered(risk, "RR", actor=actor, reason=gettext_noop("Risk identified"))
    with transaction.atomic():
        locked = Risk.objects.select_for_update().get(pk=risk.pk)
        check_version(locked, version)
        if locked.status == RiskStatus.CLOSED:
            raise ValidationError(_("A closed risk is no longer changed."))
        if not can_edit_risks_of(actor, locked.department):
            raise PermissionDenied
        risk.version = locked.version + 1
        return save_with_history(risk, actor=actor, reason=gettext_noop("Risk assessment changed"))


def risk_review(
    *,
    actor,
    risk: Risk,
    likelihood: int,
    impact: int,
    residual_likelihood: int | None,
    residual_impact: int | None,
    note: str,
    next_review: date,
    version: int | None,
) -> RiskReview:
    """The periodic review: re-scored, what was found, the next review date."""
    today = timezone.localdate()
    if not note.strip():
        raise ValidationError({"note": _("Write what the review found.")})
    if next_review <= today:
        raise ValidationError({"next_review": _("The next review must be after today.")})
    with transaction.atomic():
        locked = Risk.objects.select_for_update().get(pk=risk.pk)
        check_version(locked, version)
        if not can_review_risk(actor, locked):
            raise PermissionDenied
        if locked.status == RiskStatus.CLOSED:
            raise ValidationError(_("A closed risk is no longer changed."))
        locked.likelihood, locked.impact = likelihood, impact
        locked.residual_likelihood, locked.residual_impact = residual_likelihood, residual_impact
        _clean_risk(locked)
        locked.review_date = next_review
        locked.version += 1
        save_with_history(locked, actor=actor, reason=gettext_noop("Risk reviewed"))
        return save_with_history(
            RiskReview(
                risk=locked,
                reviewed_by=actor,
                reviewed_on=today,
                score=locked.score,
                residual_score=locked.residual_score,
                note=note,
            ),
            actor=actor,
            reason=gettext_noop("Risk reviewed"),
        )


def risk_close(*, actor, risk: Risk, reason: str, version: int | None) -> Risk:
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    with transaction.atomic():
        locked = Risk.objects.select_for_update().get(pk=risk.pk)
        check_version(locked, version)
        if not can_edit_risks_of(actor, locked.department):
            raise PermissionDenied
        if locked.status == RiskStatus.CLOSED:
            raise ValidationError(_("This risk is already closed."))
        locked.status = RiskStatus.CLOSED
        locked.closed_reason = reason.strip()[:300]
        locked.version += 1
        return save_with_history(locked, actor=actor, reason=gettext_noop("Risk closed"))


def risk_action(*, actor, risk: Risk, title: str, owner, due_date: date, description: str = ""):
    """A treatment action: preventive for a risk, an improvement for an opportunity."""
    from nonconformities.choices import ActionKind

    risk = Risk.objects.select_related("department").get(pk=risk.pk)
    if not can_review_risk(actor, risk):
        raise PermissionDenied
    if risk.status == RiskStatus.CLOSED:
        raise ValidationError(_("A closed risk is no longer changed."))
    kind = ActionKind.IMPROVEMENT if risk.kind == RiskKind.OPPORTUNITY else ActionKind.PREVENTIVE
    return _plan_action(
        actor=actor,
        source=risk,
        kind=kind,
        title=title,
        owner=owner,
        due_date=due_date,
        department=risk.department,
        description=description,
    )


def criterion_save(*, actor, criterion):
    _require_manager(actor)
    reason = (
        gettext_noop("Scorecard criterion changed")
        if criterion.pk
        else gettext_noop("Scorecard criterion added")
    )
    return save_with_history(criterion, actor=actor, reason=reason)
