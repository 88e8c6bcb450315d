"""Service delivery's figures for the dashboards: on-time processing, overdue cases,
satisfaction, open complaints, publicity of procedures."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.choices import ProcedureStatus
from procedures.models import CaseStatus, Feedback, Procedure, Rating, ServiceCase
from procedures.models.feedback import FeedbackStatus
from qms import charts, dashboard


@dashboard.register_metrics
def service_metrics(period: dashboard.Period) -> dict[str, Counter]:
    result: dict[str, Counter] = defaultdict(Counter)
    begin, finish = period.moment(period.start), period.moment(period.end)
    before = period.moment(period.previous_start)
    now = timezone.now()
    completed = Q(status=CaseStatus.COMPLETED)
    this_period = completed & Q(finished_at__gte=begin, finished_at__lt=finish)
    last_period = completed & Q(finished_at__gte=before, finished_at__lt=begin)
    for row in (
        ServiceCase.objects.filter(
            Q(finished_at__isnull=True) | Q(finished_at__gte=before) | Q(received_at__gte=begin)
        )
        .values("department__path")
        .annotate(
            n_received=Count("pk", filter=Q(received_at__gte=begin, received_at__lt=finish)),
            n_completed=Count("pk", filter=this_period),
            n_on_time=Count("pk", filter=this_period & Q(on_time=True)),
            n_prev_completed=Count("pk", filter=last_period),
            n_prev_on_time=Count("pk", filter=last_period & Q(on_time=True)),
            n_open=Count("pk", filter=Q(finished_at__isnull=True)),
            n_overdue=Count("pk", filter=Q(status=CaseStatus.IN_PROGRESS, due_at__lt=now)),
        )
        .order_by()
    ):
        result[row["department__path"]].update(
            cases_received=row["n_received"],
            cases_completed=row["n_completed"],
            cases_on_time=row["n_on_time"],
            cases_prev_completed=row["n_prev_completed"],
            cases_prev_on_time=row["n_prev_on_time"],
            cases_open=row["n_open"],
            cases_overdue=row["n_overdue"],
        )
    for row in (
        Rating.objects.filter(submitted_at__gte=begin, submitted_at__lt=finish)
        .values("case__department__path")
        .annotate(n=Count("pk"), good=Count("pk", filter=Q(score__gte=4)))
        .order_by()
    ):
        result[row["case__department__path"]].update(ratings=row["n"], ratings_good=row["good"])
    for row in (
        Procedure.objects.filter(status=ProcedureStatus.ACTIVE)
        .values("department__path")
        .annotate(n=Count("pk"), public=Count("pk", filter=Q(is_public=True)))
        .order_by()
    ):
        result[row["department__path"]].update(
            procedures_active=row["n"], procedures_public=row["public"]
        )
    for row in (
        Feedback.objects.filter(status=FeedbackStatus.OPEN)
        .values("department__path")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(deadline__lt=period.today)))
        .order_by()
    ):
        result[row["department__path"] or ""].update(
            feedback_open=row["n"], feedback_overdue=row["late"]
        )
    return result


def _tone(value: float | None, target: float) -> str:
    if value is None:
        return ""
    return "good" if value >= target else "bad"


@dashboard.register_panel(20, "service")
def service_panel(view: dashboard.View) -> dashboard.Panel:
    f = view.figures
    target = settings.QMS_ON_TIME_TARGET
    on_time = dashboard.rate(f["cases_on_time"], f["cases_completed"])
    previous = dashboard.rate(f["cases_prev_on_time"], f["cases_prev_completed"])
    satisfaction = dashboard.rate(f["ratings_good"], f["ratings"])
    period = view.period
    months = {"from": f"{period.start:%Y-%m}", "to": f"{period.last_day:%Y-%m}"}
    department = {"department": view.department.pk} if view.department else {}
    figures_url = view.link(
        "procedures:performance", scoped=False, **months, **department, by="department"
    )
    in_charge = {"in_charge": view.department.pk} if view.department else {}
    units = view.units
    ranking = charts.ranking(
        [
            (
                unit.name,
                dashboard.rate(
                    view.unit(unit)["cases_on_time"], view.unit(unit)["cases_completed"]
                ),
                view.link(
                    "procedures:case_list", scoped=False, in_charge=unit.pk, timing="overdue"
                ),
                _("%(n)s overdue") % {"n": view.unit(unit)["cases_overdue"]},
            )
            for unit in units
        ],
        target=target,
        maximum=100,
    )
    return dashboard.Panel(
        key="service",
        title=_("Service delivery"),
        tiles=[
            dashboard.Tile(
                _("Completed on time this period"),
                on_time,
                figures_url,
                tone=_tone(on_time, target),
                unit="%",
                hint=_("previous period %(rate)s %%, target %(target)s %%")
                % {"rate": previous if previous is not None else "—", "target": target},
                testid="tile-on-time",
            ),
            dashboard.Tile(
                _("Cases completed this period"),
                f["cases_completed"],
                figures_url,
                testid="tile-cases-completed",
            ),
            dashboard.Tile(
                _("Open cases overdue"),
                f["cases_overdue"],
                view.link("procedures:case_list", scoped=False, timing="overdue", **in_charge),
                tone="bad" if f["cases_overdue"] else "good",
                testid="tile-cases-overdue",
            ),
            dashboard.Tile(
                _("Citizen satisfaction"),
                satisfaction,
                figures_url,
                unit="%",
                hint=_("%(n)s ratings") % {"n": f["ratings"]},
                testid="tile-satisfaction",
            ),
            dashboard.Tile(
                _("Complaints past their deadline"),
                f["feedback_overdue"],
                view.link("procedures:feedback_list", overdue="yes"),
                tone="bad" if f["feedback_overdue"] else "",
                hint=_("%(n)s open") % {"n": f["feedback_open"]},
                testid="tile-feedback-overdue",
            ),
        ],
        chart={
            "kind": "ranking",
            "data": ranking,
            "label": _("On-time rate by unit this period"),
            "unit": " %",
        }
        if units
        else None,
        summary=["tile-on-time", "tile-cases-overdue", "tile-satisfaction"],
    )
