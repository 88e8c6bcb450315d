"""How service delivery performs: counted in the database, a few queries whatever the volume.

For a period (``start`` included, ``end`` excluded, local dates) and a grouping (per
procedure, department or process, optionally within a department's subtree):

* received in the period; carried over (received before, still open at its start);
* completed in the period, on time and late, the on-time rate; returned or withdrawn;
* average and 90th-percentile working days used by the cases completed (the percentile
  from a histogram of quarter days counted in the database — the same on PostgreSQL and
  SQLite, and never more rows than buckets);
* pending at the end of the period, on time and overdue;
* ratings given in the period and the satisfaction index: the share of ratings
  "satisfied" or "very satisfied".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import Cast, Round
from django.utils import timezone

from procedures.models import CaseStatus, Rating
from qms.db import reads_reports

GROUPS = {
    "procedure": ("procedure_id", "procedure__code", "procedure__name"),
    "department": ("department_id", "department__code", "department__name"),
    "process": ("procedure__process_id", "procedure__process__code", "procedure__process__name"),
}
BUCKETS_PER_DAY = 4


@dataclass
class Row:
    key: int | None
    code: str
    name: str
    received: int = 0
    carried_over: int = 0
    completed: int = 0
    on_time: int = 0
    late: int = 0
    closed_otherwise: int = 0
    pending_on_time: int = 0
    pending_overdue: int = 0
    average_days: float | None = None
    p90_days: float | None = None
    ratings: int = 0
    satisfied: int = 0
    histogram: dict[int, int] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.completed, 1) if self.completed else None

    @property
    def satisfaction(self) -> float | None:
        return round(100 * self.satisfied / self.ratings, 1) if self.ratings else None


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _percentile(histogram: dict[int, int], share: float) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    wanted = share * total
    running = 0
    for bucket in sorted(histogram):
        running += histogram[bucket]
        if running >= wanted:
            return bucket / BUCKETS_PER_DAY
    return max(histogram) / BUCKETS_PER_DAY


@reads_reports
def performance(
    cases: QuerySet, start: date, end: date, by: str = "procedure", ratings: QuerySet | None = None
) -> list[Row]:
    """One row per group, sorted by code, plus nothing else: the caller adds the totals."""
    key, code, name = GROUPS[by]
    begin, finish = _moment(start), _moment(end)
    now = timezone.now()
    cut = min(finish, now)
    received = Q(received_at__gte=begin, received_at__lt=finish)
    finished_in = Q(finished_at__gte=begin, finished_at__lt=finish)
    completed = finished_in & Q(status=CaseStatus.COMPLETED)
    open_at_cut = Q(received_at__lt=cut) & (Q(finished_at__isnull=True) | Q(finished_at__gte=cut))
    figures = (
        cases.filter(
            Q(received_at__lt=finish) & (Q(finished_at__isnull=True) | Q(finished_at__gte=begin))
        )
        .values(key, code, name)
        .annotate(
            n_received=Count("pk", filter=received),
            n_carried_over=Count(
                "pk",
                filter=Q(received_at__lt=begin)
                & (Q(finished_at__isnull=True) | Q(finished_at__gte=begin)),
            ),
            n_completed=Count("pk", filter=completed),
            n_on_time=Count("pk", filter=completed & Q(on_time=True)),
            n_late=Count("pk", filter=completed & Q(on_time=False)),
            n_closed_otherwise=Count(
                "pk",
                filter=finished_in & Q(status__in=[CaseStatus.RETURNED, CaseStatus.WITHDRAWN]),
            ),
            n_pending_on_time=Count("pk", filter=open_at_cut & Q(due_at__gte=cut)),
            n_pending_overdue=Count("pk", filter=open_at_cut & Q(due_at__lt=cut)),
            n_average_days=Avg(Cast("working_days_used", FloatField()), filter=completed),
        )
        .order_by(code)
    )
    rows = {
        item[key]: Row(
            key=item[key],
            code=item[code] or "—",
            name=item[name] or "",
            received=item["n_received"],
            carried_over=item["n_carried_over"],
            completed=item["n_completed"],
            on_time=item["n_on_time"],
            late=item["n_late"],
            closed_otherwise=item["n_closed_otherwise"],
            pending_on_time=item["n_pending_on_time"],
            pending_overdue=item["n_pending_overdue"],
            average_days=round(item["n_average_days"], 2)
            if item["n_average_days"] is not None
            else None,
        )
        for item in figures
    }
    buckets = (
        cases.filter(completed)
        .annotate(bucket=Round(F("working_days_used") * BUCKETS_PER_DAY))
        .values(key, "bucket")
        .annotate(n=Count("pk"))
        .order_by()
    )
    histograms: dict[int | None, dict[int, int]] = defaultdict(dict)
    for item in buckets:
        histograms[item[key]][int(item["bucket"] or 0)] = item["n"]
    for group, histogram in histograms.items():
        if group in rows:
            rows[group].histogram = histogram
            rows[group].p90_days = _percentile(histogram, 0.9)
    if ratings is None:
        ratings = Rating.objects.filter(case__in=cases.values("pk"))
    rating_key = f"case__{key}"
    for item in (
        ratings.filter(submitted_at__gte=begin, submitted_at__lt=finish)
        .values(rating_key)
        .annotate(n=Count("pk"), good=Count("pk", filter=Q(score__gte=4)))
        .order_by()
    ):
        row = rows.get(item[rating_key])
        if row is not None:
            row.ratings, row.satisfied = item["n"], item["good"]
    return sorted(rows.values(), key=lambda row: row.code)


def total(rows: list[Row]) -> Row:
    """The sum of the rows (averages weighted by completed cases, the percentile merged)."""
    summed = Row(key=None, code="", name="")
    histogram: dict[int, int] = defaultdict(int)
    weighted = Decimal(0)
    for row in rows:
        for attr in (
            "received",
            "carried_over",
            "completed",
            "on_time",
            "late",
            "closed_otherwise",
            "pending_on_time",
            "pending_overdue",
            "ratings",
            "satisfied",
        ):
            setattr(summed, attr, getattr(summed, attr) + getattr(row, attr))
        if row.average_days is not None:
            weighted += Decimal(str(row.average_days)) * row.completed
        for bucket, count in row.histogram.items():
            histogram[bucket] += count
    if summed.completed:
        summed.average_days = round(float(weighted) / summed.completed, 2)
    summed.histogram = dict(histogram)
    summed.p90_days = _percentile(histogram, 0.9)
    return summed


@reads_reports
def monthly_on_time(cases: QuerySet, months: list[date]) -> list[tuple[date, float | None, int]]:
    """(month, on-time rate, cases completed) for each month: one query."""
    from django.db.models.functions import TruncMonth

    if not months:
        return []
    begin = _moment(months[0])
    last = months[-1]
    finish = _moment(date(last.year + (last.month == 12), last.month % 12 + 1, 1))
    found = {
        timezone.localtime(item["month"]).date().replace(day=1)
        if isinstance(item["month"], datetime)
        else item["month"].replace(day=1): (item["done"], item["good"])
        for item in cases.filter(
            status=CaseStatus.COMPLETED, finished_at__gte=begin, finished_at__lt=finish
        )
        .annotate(month=TruncMonth("finished_at"))
        .values("month")
        .annotate(done=Count("pk"), good=Count("pk", filter=Q(on_time=True)))
        .order_by()
    }
    series = []
    for month in months:
        done, good = found.get(month, (0, 0))
        series.append((month, round(100 * good / done, 1) if done else None, done))
    return series


def chart(trend, target: float | None = None) -> dict:
    """Bars of the monthly on-time rate and a line at the target, on a scale starting a
    little below the lowest figure so that differences of a few points show."""
    rates = [rate for _month, rate, _done in trend if rate is not None]
    target = settings.QMS_ON_TIME_TARGET if target is None else target
    floor = max(0, min(80, int(min([*rates, target]) // 10 * 10 - 10)))

    def height(value: float) -> int:
        return max(1, round((value - floor) / (100 - floor) * 100))

    bars = [
        {
            "x": index * 100 + 10,
            "y": 110 - height(rate),
            "height": height(rate),
            "rate": rate,
            "done": done,
            "month": month,
            "low": rate < target,
        }
        for index, (month, rate, done) in enumerate(trend)
        if rate is not None
    ]
    return {
        "width": max(len(trend), 1) * 100,
        "bars": bars,
        "target_y": 110 - height(target),
        "floor": floor,
    }
