"""Nonconformities' and actions' figures for the dashboards."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from nonconformities.choices import OPEN_ACTION_STATUSES, OPEN_STATUSES, Category, Status
from nonconformities.models import Action, Nonconformity
from qms import charts, dashboard


@dashboard.register_metrics
def nonconformity_metrics(period: dashboard.Period) -> dict[str, Counter]:
    result: dict[str, Counter] = defaultdict(Counter)
    today = period.today
    begin, finish = period.moment(period.start), period.moment(period.end)
    open_ = Q(status__in=OPEN_STATUSES)
    year_ago = period.moment(today - timedelta(days=365))
    month_ago = period.moment(today - timedelta(days=30))
    quarter_ago = period.moment(today - timedelta(days=90))
    for row in (
        # by category too: the recurrences (same unit and category more than once in 12
        # months) come from the same rows
        Nonconformity.objects.exclude(status=Status.MERGED)
        .values("department__path", "category")
        .annotate(
            n_open=Count("pk", filter=open_),
            n_critical=Count("pk", filter=open_ & Q(severity="critical")),
            n_major=Count("pk", filter=open_ & Q(severity="major")),
            n_fresh=Count("pk", filter=open_ & Q(reported_at__gte=month_ago)),
            n_month=Count(
                "pk", filter=open_ & Q(reported_at__lt=month_ago, reported_at__gte=quarter_ago)
            ),
            n_old=Count("pk", filter=open_ & Q(reported_at__lt=quarter_ago)),
            n_reported=Count("pk", filter=Q(reported_at__gte=begin, reported_at__lt=finish)),
            n_closed=Count("pk", filter=Q(closed_at__gte=begin, closed_at__lt=finish)),
            n_raised_year=Count("pk", filter=Q(reported_at__gte=year_ago)),
            n_closed_year=Count("pk", filter=Q(reported_at__gte=year_ago, status=Status.CLOSED)),
        )
        .order_by()
    ):
        result[row["department__path"]].update(
            nc_open=row["n_open"],
            nc_critical=row["n_critical"],
            nc_major=row["n_major"],
            nc_age_30=row["n_fresh"],
            nc_age_90=row["n_month"],
            nc_age_old=row["n_old"],
            nc_reported=row["n_reported"],
            nc_closed=row["n_closed"],
            nc_raised_12m=row["n_raised_year"],
            nc_closed_12m=row["n_closed_year"],
        )
        if row["category"]:
            result[row["department__path"]][f"nc_recent:{row['category']}"] += row["n_raised_year"]
    open_action = Q(status__in=OPEN_ACTION_STATUSES)
    for row in (
        Action.objects.values("department__path")
        .annotate(
            n_open=Count("pk", filter=open_action),
            n_overdue=Count("pk", filter=open_action & Q(due_date__lt=today)),
        )
        .order_by()
    ):
        result[row["department__path"]].update(
            actions_open=row["n_open"], actions_overdue=row["n_overdue"]
        )
    return result


@dashboard.register_panel(30, "nonconformities")
def nonconformities_panel(view: dashboard.View) -> dashboard.Panel:
    f = view.figures

    labels = dict(Category.choices)
    # every unit × category pair is ranked; only the six shown get a link
    ranked = sorted(
        (
            (-n, f"{view.names.get(path, path)} · {labels.get(key[10:], key[10:])}", key[10:])
            for path, counts in view.metrics.items()
            if path.startswith(view.path)
            for key, n in counts.items()
            if key.startswith("nc_recent:") and n > 1
        )
    )[:6]
    recurring = [
        {
            "label": label,
            "value": -negative,
            "url": view.link("nonconformities:nc_list", category=category),
        }
        for negative, label, category in ranked
    ]

    nc_list = "nonconformities:nc_list"
    return dashboard.Panel(
        key="nonconformities",
        title=_("Nonconformities"),
        tiles=[
            dashboard.Tile(
                _("Open now"),
                f["nc_open"],
                view.link(nc_list, status="open"),
                testid="tile-nc-open",
            ),
            dashboard.Tile(
                _("Open, critical"),
                f["nc_critical"],
                view.link(nc_list, status="open", severity="critical"),
                tone="bad" if f["nc_critical"] else "",
                testid="tile-nc-critical",
            ),
            dashboard.Tile(
                _("Open, major"),
                f["nc_major"],
                view.link(nc_list, status="open", severity="major"),
                tone="warn" if f["nc_major"] else "",
                testid="tile-nc-major",
            ),
            dashboard.Tile(
                _("Open for more than 90 days"),
                f["nc_age_old"],
                view.link(nc_list, status="open", age="old"),
                tone="bad" if f["nc_age_old"] else "",
                hint=_("%(fresh)s under 30 days, %(month)s 31–90 days")
                % {"fresh": f["nc_age_30"], "month": f["nc_age_90"]},
                testid="tile-nc-old",
            ),
            dashboard.Tile(
                _("Reported this period"),
                f["nc_reported"],
                view.link(nc_list),
                testid="tile-nc-reported",
            ),
            dashboard.Tile(
                _("Closed this period"),
                f["nc_closed"],
                view.link(nc_list, status="closed"),
                testid="tile-nc-closed",
            ),
        ],
        chart={
            "kind": "ranking",
            "data": charts.ranking(
                [
                    (
                        unit.name,
                        view.unit(unit)["nc_open"],
                        view.link(nc_list, status="open", department=unit.pk),
                        "",
                    )
                    for unit in view.units
                ]
            ),
            "label": _("Open nonconformities by unit"),
            "unit": "",
        }
        if view.units
        else None,
        items=recurring,
        items_title=_("Recurring: same unit and category more than once in 12 months"),
        summary=["tile-nc-open", "tile-nc-critical"],
    )


@dashboard.register_panel(40, "actions")
def actions_panel(view: dashboard.View) -> dashboard.Panel:
    f = view.figures

    def overdue_by_owner():
        rows = (
            Action.objects.filter(
                department__path__startswith=view.path,
                status__in=OPEN_ACTION_STATUSES,
                due_date__lt=view.period.today,
            )
            .values("owner__username", "owner__first_name", "owner__last_name")
            .annotate(n=Count("pk"))
            .order_by("-n", "owner__last_name")[:8]
        )
        return [
            {
                "label": f"{row['owner__last_name']} {row['owner__first_name']}".strip()
                or row["owner__username"],
                "value": row["n"],
                "url": view.link(
                    "nonconformities:action_list", overdue="yes", owner=row["owner__username"]
                ),
            }
            for row in rows
        ]

    return dashboard.Panel(
        key="actions",
        title=_("Actions"),
        tiles=[
            dashboard.Tile(
                _("Open actions"),
                f["actions_open"],
                view.link("nonconformities:action_list", status="open"),
                testid="tile-actions-open",
            ),
            dashboard.Tile(
                _("Overdue actions"),
                f["actions_overdue"],
                view.link("nonconformities:action_list", overdue="yes"),
                tone="bad" if f["actions_overdue"] else "good",
                testid="tile-actions-overdue",
            ),
        ],
        items=view.cached("overdue_by_owner", overdue_by_owner),
        items_title=_("Overdue actions by owner"),
        summary=["tile-actions-overdue"],
    )
