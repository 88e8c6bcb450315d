"""The dashboards' one mechanism: figures counted per department in the database, rolled
up along the department tree in Python, cached for a short time.

Each module registers

* a **metrics** function ``(period) -> {department path: {metric: count}}`` that counts
  everything it contributes in one or two grouped queries over the whole agency;
* **panels** ``(view) -> Panel`` that turn the counts summed over the chosen unit into
  tiles (each a link to the filtered list behind it), charts and short lists.

Because counts are kept per department path, one computation serves every unit, every
comparison of sibling units and the scorecard: a unit's figure is the sum over the paths
below it. Counts are additive by construction; rates are computed from summed numerators
and denominators, never averaged. The per-period counts are cached for
``QMS_DASHBOARD_CACHE_SECONDS`` (one entry for the whole agency per period); a panel's
short lists are cached per unit and period for the same time. Each cached value keeps the
moment it was computed, so that a page built from them says how old its figures are and
may keep its own HTML (``qms.views.dashboard``) until the oldest of them expires: never
longer than those figures may be shown.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from qms.db import reads_reports
from qms.links import url_for

PERIODS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # excluded
    previous_start: date
    today: date

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.start.isoformat()}"

    @property
    def is_current(self) -> bool:
        return self.start <= self.today < self.end

    def moment(self, day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min))

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_for(kind: str, at: date | None = None, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    at = at or today
    kind = kind if kind in PERIODS else "month"
    if kind == "month":
        start, length = at.replace(day=1), 1
    elif kind == "quarter":
        start, length = date(at.year, (at.month - 1) // 3 * 3 + 1, 1), 3
    else:
        start, length = date(at.year, 1, 1), 12
    return Period(kind, start, _add_months(start, length), _add_months(start, -length), today)


@dataclass
class Tile:
    label: str
    value: object
    url: str = ""
    tone: str = ""  # "good", "bad", "warn" or ""
    hint: str = ""
    unit: str = ""
    testid: str = ""


@dataclass
class Panel:
    key: str
    title: str
    tiles: list[Tile] = field(default_factory=list)
    chart: dict | None = (
        None  # {"kind": "ranking"|"columns", "data": ..., "label": ..., "unit": ...}
    )
    items: list[dict] = field(
        default_factory=list
    )  # short lists: {"label", "value", "url", "detail"}
    items_title: str = ""
    summary: list[str] = field(default_factory=list)  # tile keys shown on the one-page summary


MetricsFunction = Callable[[Period], dict[str, Counter]]
PanelBuilder = Callable[["View"], Panel | None]
_METRICS: list[MetricsFunction] = []
_PANELS: list[tuple[int, str, PanelBuilder]] = []


def register_metrics(func: MetricsFunction) -> MetricsFunction:
    _METRICS.append(func)
    return func


def register_panel(order: int, key: str) -> Callable[[PanelBuilder], PanelBuilder]:
    def decorator(func: PanelBuilder) -> PanelBuilder:
        _PANELS[:] = [p for p in _PANELS if p[1] != key] + [(order, key, func)]
        _PANELS.sort(key=lambda p: p[0])
        return func

    return decorator


def metrics_by_path(period: Period) -> dict[str, Counter]:
    """Every module's counts per department path for the period (cached)."""
    return computed_metrics(period)[1]


@reads_reports
def computed_metrics(period: Period) -> tuple[datetime, dict[str, Counter]]:
    """When the period's counts were computed, and the counts (cached)."""
    key = f"qms:dashboard:metrics:{period.key}:{period.today.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    merged: dict[str, Counter] = defaultdict(Counter)
    for func in _METRICS:
        for path, counts in func(period).items():
            merged[path or ""].update(counts)
    result = (timezone.now(), {path: Counter(counts) for path, counts in merged.items()})
    cache.set(key, result, settings.QMS_DASHBOARD_CACHE_SECONDS)
    return result


def rolled_up(metrics: dict[str, Counter], path: str) -> Counter:
    """The sum over a unit and everything below it ("" = the whole agency, including
    figures of no department)."""
    total: Counter = Counter()
    for item_path, counts in metrics.items():
        if item_path.startswith(path):
            total.update(counts)
    return total


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class View:
    """What a panel builder gets: the unit, the period, the summed counts, link helpers."""

    user: object
    department: object | None
    period: Period
    metrics: dict[str, Counter]
    figures: Counter
    units: list = field(default_factory=list)  # the sibling units compared side by side
    names: dict = field(default_factory=dict)  # department path -> name
    #: when the oldest figure shown was computed (the counts, or a panel's short list)
    computed_at: datetime = field(default_factory=timezone.now)
    _rolled: dict = field(default_factory=dict)

    def unit(self, department) -> Counter:
        """A compared unit's counts, summed over everything below it."""
        if department.path not in self._rolled:
            self._rolled[department.path] = rolled_up(self.metrics, department.path)
        return self._rolled[department.path]

    @property
    def path(self) -> str:
        return self.department.path if self.department is not None else ""

    def link(self, url_name: str, *, scoped: bool = True, **params) -> str:
        """The list behind a figure, filtered to the unit shown (unless ``scoped=False``
        or another ``department`` is given)."""
        if scoped and self.department is not None:
            params.setdefault("department", self.department.pk)
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return url_for(url_name) + (f"?{query}" if query else "")

    def cached(self, name: str, compute: Callable[[], object]):
        """A panel's own short list, cached per unit and period like the counts."""
        key = ":".join(
            (
                "qms:dashboard",
                name,
                self.path,
                self.period.key,
                self.period.today.isoformat(),
                translation.get_language() or "",
            )
        )
        cached = cache.get(key)
        if cached is None:
            cached = (timezone.now(), compute())
            cache.set(key, cached, settings.QMS_DASHBOARD_CACHE_SECONDS)
        self.computed_at = min(self.computed_at, cached[0])
        return cached[1]


def build(user, department, period: Period, departments: list) -> tuple[View, list[Panel]]:
    """``departments``: the active tree (for the units compared side by side)."""
    computed_at, metrics = computed_metrics(period)
    view = View(
        user,
        department,
        period,
        metrics,
        rolled_up(metrics, department.path if department else ""),
        units_to_compare(department, departments),
        {d.path: d.name for d in departments},
        computed_at,
    )
    panels = [panel for _order, _key, builder in _PANELS if (panel := builder(view)) is not None]
    return view, panels


def units_to_compare(department, departments: list) -> list:
    """The units shown side by side: the chosen unit's children, or the top of the tree's
    children (the agency's departments) when the whole agency is shown."""
    if department is not None:
        return [d for d in departments if d.parent_id == department.pk]
    roots = [d for d in departments if d.parent_id is None]
    if len(roots) == 1:
        return [d for d in departments if d.parent_id == roots[0].pk]
    return roots
