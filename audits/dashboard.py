"""Internal audit's figures for the dashboards: the year's programme and open findings."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from audits.choices import AuditStatus, ItemResult
from audits.models import Audit, Finding
from nonconformities.choices import OPEN_ACTION_STATUSES, OPEN_STATUSES
from qms import dashboard

DONE = [AuditStatus.REPORTED, AuditStatus.CLOSED]


@dashboard.register_metrics
def audit_metrics(period: dashboard.Period) -> dict[str, Counter]:
    """An audit covering several departments counts once in each of them (and so may count
    more than once in a unit above them); the programme's own total is counted apart."""
    result: dict[str, Counter] = defaultdict(Counter)
    year = period.last_day.year
    # a year's programme holds a few hundred audits: one read of (audit, status, unit)
    # gives both each unit's counts and the programme's own total
    per_path: dict[str, dict[int, bool]] = defaultdict(dict)
    programme: dict[int, bool] = {}
    for pk, status, path in Audit.objects.filter(programme__year=year).values_list(
        "pk", "status", "scope_departments__path"
    ):
        per_path[path or ""][pk] = status in DONE
        programme[pk] = status in DONE
    for path, audits in per_path.items():
        result[path].update(audits_planned=len(audits), audits_done=sum(audits.values()))
    # stored under a key no department path starts with, read only for the whole agency
    result["~programme"].update(
        programme_audits=len(programme), programme_done=sum(programme.values())
    )
    still_open = Q(
        kind__in=[ItemResult.MINOR_NC, ItemResult.MAJOR_NC], nonconformity__status__in=OPEN_STATUSES
    ) | Q(
        kind__in=[ItemResult.OBSERVATION, ItemResult.OFI], action__status__in=OPEN_ACTION_STATUSES
    )
    for row in (
        Finding.objects.filter(still_open, withdrawn_at__isnull=True)
        .values("department__path")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        result[row["department__path"] or ""]["findings_open"] += row["n"]
    return result


@dashboard.register_panel(50, "audits")
def audits_panel(view: dashboard.View) -> dashboard.Panel:
    f = view.figures
    year = view.period.last_day.year
    if view.department is None:
        planned, done = (
            view.metrics.get("~programme", Counter())["programme_audits"],
            view.metrics.get("~programme", Counter())["programme_done"],
        )
    else:
        planned, done = f["audits_planned"], f["audits_done"]
    progress = dashboard.rate(done, planned)
    return dashboard.Panel(
        key="audits",
        title=_("Internal audit"),
        tiles=[
            dashboard.Tile(
                _("Audit programme %(year)s done") % {"year": year},
                progress,
                view.link("audits:audit_list", year=year),
                unit="%",
                hint=_("%(done)s of %(planned)s audits reported")
                % {"done": done, "planned": planned},
                testid="tile-audit-progress",
            ),
            dashboard.Tile(
                _("Open findings"),
                f["findings_open"],
                view.link("nonconformities:nc_list", status="open", source="internal_audit"),
                tone="warn" if f["findings_open"] else "",
                testid="tile-findings-open",
            ),
        ],
        summary=["tile-audit-progress"],
    )
