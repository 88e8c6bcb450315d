"""Objectives' and risks' figures for the dashboards."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from planning import matrix
from planning.choices import LEVEL_COLOURS, ObjectiveStatus, RiskStatus
from planning.models import Objective, Risk
from qms import dashboard


@dashboard.register_metrics
def planning_metrics(period: dashboard.Period) -> dict[str, Counter]:
    """Objectives of the period's year by status (an agency-wide objective counts for the
    agency only); open risks by their current level (after treatment where assessed)."""
    result: dict[str, Counter] = defaultdict(Counter)
    for row in (
        Objective.objects.filter(year=period.last_day.year)
        .exclude(status=ObjectiveStatus.WITHDRAWN)
        .values("department__path", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        result[row["department__path"] or ""][f"objectives_{row['status']}"] += row["n"]
        result[row["department__path"] or ""]["objectives"] += row["n"]
    for row in (
        Risk.objects.filter(status=RiskStatus.OPEN)
        .values("department__path", "kind", "score", "residual_score")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts = result[row["department__path"]]
        if row["kind"] == "opportunity":
            counts["opportunities_open"] += row["n"]
            continue
        counts["risks_open"] += row["n"]
        level = matrix.level(row["residual_score"] or row["score"])
        if level in ("high", "critical"):
            counts["risks_high"] += row["n"]
    return result


@dashboard.register_panel(60, "objectives")
def objectives_panel(view: dashboard.View) -> dashboard.Panel:
    f = view.figures
    year = view.period.last_day.year
    tiles = [
        dashboard.Tile(
            _("Objectives %(year)s") % {"year": year},
            f["objectives"],
            view.link("planning:objective_list", year=year),
            testid="tile-objectives",
        )
    ]
    tones = {
        ObjectiveStatus.ON_TRACK: "good",
        ObjectiveStatus.AT_RISK: "warn",
        ObjectiveStatus.OFF_TRACK: "bad",
    }
    for status in (
        ObjectiveStatus.ON_TRACK,
        ObjectiveStatus.AT_RISK,
        ObjectiveStatus.OFF_TRACK,
        ObjectiveStatus.NOT_MEASURED,
    ):
        value = f[f"objectives_{status.value}"]
        tiles.append(
            dashboard.Tile(
                str(status.label),
                value,
                view.link("planning:objective_list", year=year, status=status.value),
                tone=tones.get(status, "") if value else "",
                testid=f"tile-objectives-{status.value}",
            )
        )
    return dashboard.Panel(
        key="objectives",
        title=_("Quality objectives"),
        tiles=tiles,
        summary=["tile-objectives-on_track", "tile-objectives-off_track"],
    )


@dashboard.register_panel(70, "risks")
def risks_panel(view: dashboard.View) -> dashboard.Panel:
    f = view.figures

    def top_risks():
        risks = (
            Risk.objects.filter(
                status=RiskStatus.OPEN, kind="risk", department__path__startswith=view.path
            )
            .annotate(now=Coalesce("residual_score", "score"))
            .order_by("-now", "-score", "number")[:5]
        )
        return [
            {
                "label": f"{risk.number} {risk.title}",
                "value": risk.current_score,
                "url": risk.get_absolute_url(),
                "colour": LEVEL_COLOURS.get(matrix.level(risk.current_score), "secondary"),
            }
            for risk in risks
        ]

    return dashboard.Panel(
        key="risks",
        title=_("Risks and opportunities"),
        tiles=[
            dashboard.Tile(
                _("Open risks"),
                f["risks_open"],
                view.link("planning:risk_list", status="open", kind="risk"),
                testid="tile-risks-open",
            ),
            dashboard.Tile(
                _("High or critical now"),
                f["risks_high"],
                view.link("planning:risk_list", status="open", kind="risk", now="high"),
                tone="bad" if f["risks_high"] else "good",
                hint=_("after treatment where assessed"),
                testid="tile-risks-high",
            ),
            dashboard.Tile(
                _("Open opportunities"),
                f["opportunities_open"],
                view.link("planning:risk_list", status="open", kind="opportunity"),
                testid="tile-opportunities",
            ),
        ],
        items=view.cached("top_risks", top_risks),
        items_title=_("Top risks"),
        summary=["tile-risks-high"],
    )
