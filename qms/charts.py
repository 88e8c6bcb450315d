"""Chart geometry computed in Python, drawn by two templates (no JavaScript, no inline
numbers formatted by the locale): ``includes/column_chart.html`` for a series over
periods, ``includes/ranking_chart.html`` for units side by side.

A value is "good" when it meets the target in the given direction; bars that miss the
target are drawn in the warning colour, so a reader sees at a glance where to look.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format

Number = int | float | Decimal


def _good(value: Number, target: Number | None, higher_is_better: bool) -> bool | None:
    if target is None:
        return None
    return value >= target if higher_is_better else value <= target


@dataclass
class Column:
    label: str
    value: Number
    x: int
    y: int
    height: int
    good: bool | None
    url: str = ""
    display: str = ""  # the value as the reader's language writes numbers


def columns(
    points: list[tuple[str, Number | None]],
    *,
    target: Number | None = None,
    higher_is_better: bool = True,
    maximum: Number | None = None,
    urls: list[str] | None = None,
) -> dict:
    """Columns 80 wide in slots of 100, on a height of 100 (SVG user units)."""
    values = [float(v) for _label, v in points if v is not None]
    top = float(maximum) if maximum is not None else max([*values, float(target or 0), 1.0])
    top = top or 1.0

    def height(value: float) -> int:
        return max(1, round(min(value, top) / top * 100))

    bars = []
    for index, (label, value) in enumerate(points):
        if value is None:
            continue
        h = height(float(value))
        bars.append(
            Column(
                label=label,
                value=value,
                x=index * 100 + 10,
                y=110 - h,
                height=h,
                good=_good(value, target, higher_is_better),
                url=(urls[index] if urls else ""),
                display=number_format(value, use_l10n=True),
            )
        )
    return {
        "width": max(len(points), 1) * 100,
        "bars": bars,
        "target_y": 110 - height(float(target)) if target is not None else None,
    }


@dataclass
class Rank:
    label: str
    value: Number | None
    percent: int
    good: bool | None
    url: str = ""
    detail: str = ""


def ranking(
    rows: list[tuple[str, Number | None, str, str]],
    *,
    target: Number | None = None,
    higher_is_better: bool = True,
    maximum: Number | None = None,
) -> list[Rank]:
    """Rows (label, value, url, detail) best first; bar lengths as a percentage of the
    largest value (or ``maximum``, e.g. 100 for rates). Units without a value come last."""
    values = [float(v) for _l, v, _u, _d in rows if v is not None]
    top = float(maximum) if maximum is not None else max([*values, 1.0])
    ordered = sorted(
        rows,
        key=lambda row: (
            row[1] is None,
            -(float(row[1]) if row[1] is not None else 0)
            if higher_is_better
            else float(row[1] or 0),
            row[0],
        ),
    )
    return [
        Rank(
            label=label,
            value=value,
            percent=round(float(value) / top * 100) if value is not None and top else 0,
            good=_good(value, target, higher_is_better) if value is not None else None,
            url=url,
            detail=detail,
        )
        for label, value, url, detail in ordered
    ]
