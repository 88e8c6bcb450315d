"""Objective values the portal computes from its own data, and the status they give.

Each live measure is a percentage for a period (``start`` included, ``end`` excluded) in
the objective's scope: its department and everything below it, or the whole agency.
A period still running is measured up to today.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from planning.choices import Direction, Frequency, Measure, ObjectiveStatus

STEP = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def periods(year: int, frequency: str) -> list[tuple[date, date]]:
    """The year's periods as (start, end excluded)."""
    step = STEP[frequency]
    return [
        (_month_start(year, month), _month_start(year, month + step))
        for month in range(1, 13, step)
    ]


def period_of(day: date, frequency: str) -> tuple[date, date]:
    for start, end in periods(day.year, frequency):
        if start <= day < end:
            return start, end
    raise ValueError(day)


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _in_scope(objective, field: str = "department") -> Q:
    if objective.department_id is None:
        return Q()
    return Q(**{f"{field}__path__startswith": objective.department.path})


def _moments(start: date, end: date):
    from procedures.performance import _moment

    return _moment(start), _moment(end)


def on_time(objective, start: date, end: date) -> Decimal | None:
    from procedures.models import CaseStatus, ServiceCase

    begin, finish = _moments(start, end)
    cases = ServiceCase.objects.filter(
        _in_scope(objective),
        status=CaseStatus.COMPLETED,
        finished_at__gte=begin,
        finished_at__lt=finish,
    )
    if objective.procedure_id:
        cases = cases.filter(procedure_id=objective.procedure_id)
    figures = cases.aggregate(n=Count("pk"), good=Count("pk", filter=Q(on_time=True)))
    return _pct(figures["good"], figures["n"])


def satisfaction(objective, start: date, end: date) -> Decimal | None:
    from procedures.models import Rating

    begin, finish = _moments(start, end)
    ratings = Rating.objects.filter(
        _in_scope(objective, "case__department"), submitted_at__gte=begin, submitted_at__lt=finish
    )
    if objective.procedure_id:
        ratings = ratings.filter(case__procedure_id=objective.procedure_id)
    figures = ratings.aggregate(n=Count("pk"), good=Count("pk", filter=Q(score__gte=4)))
    return _pct(figures["good"], figures["n"])


def nc_closed_within(objective, start: date, end: date) -> Decimal | None:
    """Of the nonconformities closed in the period, the share closed within N days of
    being reported."""
    from nonconformities.choices import Status
    from nonconformities.models import Nonconformity

    begin, finish = _moments(start, end)
    days = objective.within_days or 30
    closed = Nonconformity.objects.filter(
        _in_scope(objective), status=Status.CLOSED, closed_at__gte=begin, closed_at__lt=finish
    ).annotate(
        took=ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField())
    )
    figures = closed.aggregate(
        n=Count("pk"), good=Count("pk", filter=Q(took__lte=timedelta(days=days)))
    )
    return _pct(figures["good"], figures["n"])


def documents_reviewed(objective, start: date, end: date) -> Decimal | None:
    """Effective documents whose periodic review was not overdue at the end of the period
    (or today, for the period still running): the register only knows its present state."""
    from documents.choices import DocumentStatus
    from documents.models import Document

    cut = min(end - timedelta(days=1), timezone.localdate())
    figures = Document.objects.filter(
        _in_scope(objective), status=DocumentStatus.EFFECTIVE
    ).aggregate(n=Count("pk"), late=Count("pk", filter=Q(next_review_date__lt=cut)))
    return _pct(figures["n"] - figures["late"], figures["n"])


def audit_programme(objective, start: date, end: date) -> Decimal | None:
    """Audits of the year's programme reported or closed by the end of the period, of all
    the programme's audits."""
    from audits.choices import AuditStatus
    from audits.models import Audit

    audits = Audit.objects.filter(programme__year=start.year)
    if objective.department_id:
        audits = audits.filter(scope_departments__path__startswith=objective.department.path)
    figures = audits.aggregate(
        n=Count("pk", distinct=True),
        done=Count(
            "pk",
            distinct=True,
            filter=Q(status__in=[AuditStatus.REPORTED, AuditStatus.CLOSED], end_date__lt=end),
        ),
    )
    return _pct(figures["done"], figures["n"])


LIVE = {
    Measure.ON_TIME: on_time,
    Measure.SATISFACTION: satisfaction,
    Measure.NC_CLOSED_WITHIN: nc_closed_within,
    Measure.DOCUMENTS_REVIEWED: documents_reviewed,
    Measure.AUDIT_PROGRAMME: audit_programme,
}


def meets(value: Decimal, target: Decimal, direction: str) -> bool:
    return value >= target if direction == Direction.HIGHER else value <= target


def status_of(values: list[Decimal], target: Decimal, direction: str) -> str:
    """On track when the latest value meets the target; at risk when it misses by no more
    than the tolerance, or by up to twice the tolerance while improving; off track
    otherwise. The tolerance is ``QMS_OBJECTIVE_TOLERANCE`` of the target (10 %)."""
    if not values:
        return ObjectiveStatus.NOT_MEASURED
    latest = values[-1]
    if meets(latest, target, direction):
        return ObjectiveStatus.ON_TRACK
    tolerance = abs(target) * Decimal(str(settings.QMS_OBJECTIVE_TOLERANCE)) or Decimal("0.01")
    gap = abs(target - latest)
    improving = len(values) > 1 and abs(target - values[-2]) > gap
    if gap <= tolerance or (improving and gap <= 2 * tolerance):
        return ObjectiveStatus.AT_RISK
    return ObjectiveStatus.OFF_TRACK
