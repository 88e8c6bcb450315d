"""The scorecard: weighted criteria computed per unit from the dashboards' counts.

A criterion's value for a unit is a percentage (see ``ScoreMetric``); its points are
``weight × min(1, value / target)``. A criterion with nothing to measure in a unit (no
case completed, no open action…) is left out of that unit's score, whose maximum then
shrinks by its weight: a unit is neither rewarded nor punished for work it did not have.
The score is the points as a percentage of the weights that applied.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from planning.choices import ScoreMetric

# metric -> (numerator, denominator) over the dashboards' counts; "a-b" means a minus b
FORMULAS = {
    ScoreMetric.PUBLICITY: ("procedures_public", "procedures_active"),
    ScoreMetric.ON_TIME: ("cases_on_time", "cases_completed"),
    ScoreMetric.SATISFACTION: ("ratings_good", "ratings"),
    ScoreMetric.NC_CLOSED: ("nc_closed_12m", "nc_raised_12m"),
    ScoreMetric.ACTIONS_ON_TIME: ("actions_open-actions_overdue", "actions_open"),
    ScoreMetric.DOCUMENTS_REVIEWED: ("docs_effective-docs_review_overdue", "docs_effective"),
    ScoreMetric.AUDIT_PROGRAMME: ("audits_done", "audits_planned"),
}


def _count(counts: Counter, expression: str) -> int:
    if "-" in expression:
        left, right = expression.split("-")
        return counts[left] - counts[right]
    return counts[expression]


def value(metric: str, counts: Counter) -> float | None:
    numerator, denominator = FORMULAS[metric]
    whole = _count(counts, denominator)
    return round(100 * _count(counts, numerator) / whole, 1) if whole else None


@dataclass
class Line:
    criterion: object
    value: float | None
    points: float | None


@dataclass
class UnitScore:
    unit: object
    lines: list[Line] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        applied = [line for line in self.lines if line.points is not None]
        weights = sum(float(line.criterion.weight) for line in applied)
        if not weights:
            return None
        return round(100 * sum(line.points for line in applied) / weights, 1)


def score_unit(unit, counts: Counter, criteria: list) -> UnitScore:
    result = UnitScore(unit=unit)
    for criterion in criteria:
        measured = value(criterion.metric, counts)
        points = None
        if measured is not None:
            target = float(criterion.target or Decimal(100))
            points = float(criterion.weight) * min(1.0, measured / target if target else 1.0)
        result.lines.append(
            Line(criterion, measured, round(points, 2) if points is not None else None)
        )
    return result
