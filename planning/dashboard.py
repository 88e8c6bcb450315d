"""Objectives' and risks' figures for the dashboards."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, F, IntegerField, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from planning import matrix
from planning.choices import LEVEL_COLOURS, ObjectiveStatus, RiskStatus
from planning.models import Objective, Risk
from qms import dashboard


@dashboard.register_metrics
def planning_metrics(period: dashboard.Period) -> dict[str, Counter]:
    """Objectives of the period's year by status (an agency-wide objective counts for the
    agency only); open risks by their current level (after treatment where assessed). One
    query for both: a union of the two groupings."""
    result: dict[str, Counter] = defaultdict(Counter)
    objectives = (
        Objective.objects.filter(year=period.last_day.year)
        .exclude(status=ObjectiveStatus.WITHDRAWN)
        .values("department__path")
        .annotate(
            label=F("status"),
            n_score=Value(0, output_field=IntegerField()),
            n_residual=Value(None, output_field=IntegerField()),
            n=Count("pk"),
            source=Value("objective"),
        )
        .values_list("department__path", "label", "n_score", "n_residual", "n", "source")
        .order_by()
    )
    risks = (
        Risk.objects.filter(status=RiskStatus.OPEN)
        .values("department__path")
        .annotate(
            label=F("kind"),
            n_score=F("score"),
            n_residual=F("residual_score"),
            n=Count("pk"),
            source=Value("risk"),
        )
        .values_list("department__path", "label", "n_score", "n_residual", "n", "source")
        .order_by()
    )
    for path, label, score, residual, n, source in objectives.union(risks, all=True):
        counts = result[path or ""]
        if source == "objective":
            counts[f"objectives_{label}"] += n
            counts["objectives"] += n
        elif label == "opportunity":
            counts["opportunities_open"] += n
        else:
            counts["risks_open"] += n
            if matrix.level(residual or score) in ("high", "critical"):
                counts["risks_high"] += n
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
