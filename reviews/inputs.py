"""The inputs of a management review (ISO 9001 clause 9.3.2), compiled from live data as
of the meeting date and frozen as a snapshot.

The snapshot is plain JSON: each section has figures and a table, with links to the
page behind each figure. Labels are stored as untranslated message ids and translated
when shown, so the same snapshot reads in English, Vietnamese or Chinese; values are
numbers, dates (ISO) or the agency's own data. Nothing in it changes after it is taken.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from qms.db import reads_reports

SECTIONS = [
    ("previous_actions", gettext_noop("Status of actions from previous management reviews")),
    ("issues", gettext_noop("Changes in external and internal issues")),
    ("satisfaction", gettext_noop("Citizen satisfaction and feedback")),
    ("objectives", gettext_noop("Extent to which quality objectives have been met")),
    ("processes", gettext_noop("Process performance and on-time processing")),
    ("nonconformities", gettext_noop("Nonconformities and corrective actions")),
    ("monitoring", gettext_noop("Monitoring and measurement results")),
    ("audits", gettext_noop("Audit results")),
    ("providers", gettext_noop("Performance of external providers")),
    ("resources", gettext_noop("Adequacy of resources")),
    ("risks", gettext_noop("Effectiveness of actions taken to address risks and opportunities")),
    ("improvement", gettext_noop("Opportunities for improvement")),
]


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def _figure(label: str, value, url: str = "") -> dict:
    return {"label": label, "value": value, "url": url}


def _link(obj) -> dict:
    """A row's link to its object, with what names the object (``only_openable_links``)."""
    return {"url": obj.get_absolute_url(), "object": [obj._meta.label_lower, obj.pk]}


def only_openable_links(sections: list[dict], user) -> list[dict]:
    """The sections with a row's link kept only where ``user`` may open its object: the
    inputs are compiled for the QMS manager, and every participant reads them (a risk or
    an audit of another department linked "Page not found"). One query per kind of object
    the reader sees only part of. Rows compiled before objects were named keep theirs."""
    from django.apps import apps

    from qms.visibility import openable_ids

    wanted: dict[str, set] = {}
    for section in sections:
        for row in section.get("rows") or []:
            if row.get("object"):
                wanted.setdefault(row["object"][0], set()).add(row["object"][1])
    openable = {
        label: openable_ids(apps.get_model(label), user, ids) for label, ids in wanted.items()
    }

    def shown(row: dict) -> dict:
        if row.get("object") and row["object"][1] not in openable[row["object"][0]]:
            return {**row, "url": ""}
        return row

    # copies: the sections are the review's frozen inputs, never to be changed in place
    return [
        {**section, "rows": [shown(row) for row in section["rows"]]}
        if section.get("rows")
        else section
        for section in sections
    ]


def _choice(label) -> dict:
    """A choice's label kept as its message id, translated when the snapshot is shown."""
    with translation.override("en"):
        return {"msgid": str(label)}


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _moments(since: date, until: date):
    from procedures.performance import _moment

    return _moment(since), _moment(until)


def previous_actions(review, since: date, until: date) -> dict:
    from nonconformities.choices import OPEN_ACTION_STATUSES, ActionStatus
    from nonconformities.models import Action
    from reviews.models import Decision

    actions = Action.objects.filter(
        source_content_type=ContentType.objects.get_for_model(Decision),
        source_object_id__in=Decision.objects.exclude(review=review).values("pk"),
    )
    figures = actions.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=ActionStatus.DONE)),
        open=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=until)),
    )
    rows = [
        {
            "cells": [
                a.number,
                a.title,
                str(a.owner),
                a.due_date.isoformat(),
                _choice(a.get_status_display()),
            ],
            **_link(a),
        }
        for a in actions.filter(status__in=OPEN_ACTION_STATUSES)
        .select_related("owner")
        .order_by("due_date")[:30]
    ]
    return {
        "figures": [
            _figure(gettext_noop("Actions decided by earlier reviews"), figures["total"]),
            _figure(gettext_noop("Done"), figures["done"]),
            _figure(gettext_noop("Still open"), figures["open"]),
            _figure(
                gettext_noop("Overdue"),
                figures["overdue"],
                _url("nonconformities:action_list", overdue="yes"),
            ),
        ],
        "columns": [
            gettext_noop("Number"),
            gettext_noop("Action"),
            gettext_noop("Owner"),
            gettext_noop("Due date"),
            gettext_noop("Status"),
        ],
        "rows": rows,
    }


def issues(review, since: date, until: date) -> dict:
    from documents.choices import RevisionStatus
    from documents.models import ExternalDocument, Revision
    from procedures.models import Procedure

    begin, finish = _moments(since, until)
    revisions = Revision.objects.filter(effective_date__gte=since, effective_date__lt=until)
    changed_law = ExternalDocument.objects.filter(
        Q(effective_on__gte=since, effective_on__lt=until) | ~Q(status_note="")
    ).order_by("-effective_on")
    new_procedures = Procedure.history.filter(
        history_type="+", history_date__gte=begin, history_date__lt=finish
    )
    rows = [
        {
            "cells": [e.number, e.title, _choice(e.get_legal_status_display()), e.status_note],
            **_link(e),
        }
        for e in changed_law[:30]
    ]
    return {
        "figures": [
            _figure(
                gettext_noop("Revisions of documents that took effect"),
                revisions.exclude(status=RevisionStatus.DISCARDED).count(),
                _url("documents:document_list", status="effective"),
            ),
            _figure(
                gettext_noop("Laws and regulations in force or changed"),
                changed_law.count(),
                _url("documents:external_list"),
            ),
            _figure(
                gettext_noop("Procedures added to the catalogue"),
                new_procedures.count(),
                _url("procedures:procedure_list"),
            ),
        ],
        "columns": [
            gettext_noop("Number and symbol"),
            gettext_noop("Title"),
            gettext_noop("Status"),
            gettext_noop("Amended or repealed by"),
        ],
        "rows": rows,
    }


def satisfaction(review, since: date, until: date) -> dict:
    from procedures.models import Feedback, Rating
    from procedures.models.feedback import FeedbackKind, FeedbackStatus

    begin, finish = _moments(since, until)
    ratings = Rating.objects.filter(submitted_at__gte=begin, submitted_at__lt=finish).aggregate(
        n=Count("pk"), good=Count("pk", filter=Q(score__gte=4))
    )
    feedback = Feedback.objects.filter(received_at__gte=begin, received_at__lt=finish).aggregate(
        complaints=Count("pk", filter=Q(kind=FeedbackKind.COMPLAINT)),
        bad=Count("pk", filter=Q(kind=FeedbackKind.RATING)),
        rectified=Count("pk", filter=Q(status=FeedbackStatus.RECTIFIED)),
        unfounded=Count("pk", filter=Q(status=FeedbackStatus.UNFOUNDED)),
        open=Count("pk", filter=Q(status=FeedbackStatus.OPEN)),
    )
    return {
        "figures": [
            _figure(gettext_noop("Ratings given"), ratings["n"]),
            _figure(gettext_noop("Satisfaction index (%)"), _pct(ratings["good"], ratings["n"])),
            _figure(
                gettext_noop("Complaints received"),
                feedback["complaints"],
                _url("procedures:feedback_list", kind="complaint"),
            ),
            _figure(
                gettext_noop("Dissatisfied ratings followed up"),
                feedback["bad"],
                _url("procedures:feedback_list", kind="rating"),
            ),
            _figure(gettext_noop("Rectified"), feedback["rectified"]),
            _figure(gettext_noop("Unfounded"), feedback["unfounded"]),
            _figure(
                gettext_noop("Still open"),
                feedback["open"],
                _url("procedures:feedback_list", status="open"),
            ),
        ],
        "columns": [],
        "rows": [],
    }


def objectives(review, since: date, until: date) -> dict:
    from planning.choices import ObjectiveStatus
    from planning.models import Objective

    year = (until - timedelta(days=1)).year
    items = list(
        Objective.objects.filter(year=year)
        .exclude(status=ObjectiveStatus.WITHDRAWN)
        .select_related("department")
    )
    counts = dict.fromkeys(ObjectiveStatus.values, 0)
    for item in items:
        counts[item.status] += 1
    return {
        "figures": [
            _figure(
                gettext_noop("Objectives of the year"),
                len(items),
                _url("planning:objective_list", year=year),
            ),
            _figure(
                gettext_noop("On track"),
                counts[ObjectiveStatus.ON_TRACK],
                _url("planning:objective_list", year=year, status="on_track"),
            ),
            _figure(
                gettext_noop("At risk"),
                counts[ObjectiveStatus.AT_RISK],
                _url("planning:objective_list", year=year, status="at_risk"),
            ),
            _figure(
                gettext_noop("Off track"),
                counts[ObjectiveStatus.OFF_TRACK],
                _url("planning:objective_list", year=year, status="off_track"),
            ),
        ],
        "columns": [
            gettext_noop("Number"),
            gettext_noop("Indicator"),
            gettext_noop("Department"),
            gettext_noop("Target"),
            gettext_noop("Latest value"),
            gettext_noop("Status"),
        ],
        "rows": [
            {
                "cells": [
                    o.number,
                    o.indicator,
                    o.department.name if o.department else "",
                    f"{o.target} {o.unit}".strip(),
                    f"{o.last_value} {o.unit}".strip() if o.last_value is not None else "",
                    _choice(o.get_status_display()),
                ],
                **_link(o),
            }
            for o in items
        ],
    }


def _process_rows(since: date, until: date):
    from procedures.models import ServiceCase
    from procedures.performance import performance

    return performance(ServiceCase.objects.all(), since, until, "process")


def processes(review, since: date, until: date, rows=None) -> dict:
    from procedures.performance import total

    rows = rows if rows is not None else _process_rows(since, until)
    summed = total(rows)
    link = _url(
        "procedures:performance",
        by="process",
        **{"from": f"{since:%Y-%m}", "to": f"{until - timedelta(days=1):%Y-%m}"},
    )
    return {
        "figures": [
            _figure(gettext_noop("Cases received"), summed.received, link),
            _figure(gettext_noop("Cases completed"), summed.completed, link),
            _figure(gettext_noop("On-time rate (%)"), summed.on_time_rate, link),
            _figure(gettext_noop("Completed late"), summed.late, link),
            _figure(
                gettext_noop("Open and overdue"),
                summed.pending_overdue,
                _url("procedures:case_list", timing="overdue"),
            ),
        ],
        "columns": [
            gettext_noop("Process"),
            gettext_noop("Completed"),
            gettext_noop("On-time rate (%)"),
            gettext_noop("Late"),
            gettext_noop("Average working days"),
        ],
        "rows": [
            {
                "cells": [
                    f"{r.code} {r.name}".strip(),
                    r.completed,
                    r.on_time_rate,
                    r.late,
                    r.average_days,
                ],
                "url": "",
            }
            for r in rows
        ],
    }


def nonconformities(review, since: date, until: date) -> dict:
    from nonconformities.choices import (
        OPEN_ACTION_STATUSES,
        OPEN_STATUSES,
        Source,
        Status,
        VerificationResult,
    )
    from nonconformities.models import Action, Nonconformity, Verification

    begin, finish = _moments(since, until)
    ncs = Nonconformity.objects.exclude(status=Status.MERGED)
    figures = ncs.aggregate(
        reported=Count("pk", filter=Q(reported_at__gte=begin, reported_at__lt=finish)),
        closed=Count("pk", filter=Q(closed_at__gte=begin, closed_at__lt=finish)),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        critical=Count("pk", filter=Q(status__in=OPEN_STATUSES, severity="critical")),
        major=Count("pk", filter=Q(status__in=OPEN_STATUSES, severity="major")),
    )
    checks = Verification.objects.filter(verified_at__gte=begin, verified_at__lt=finish).aggregate(
        effective=Count("pk", filter=Q(result=VerificationResult.EFFECTIVE)),
        not_effective=Count("pk", filter=Q(result=VerificationResult.NOT_EFFECTIVE)),
    )
    overdue = Action.objects.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=until).count()
    by_source = (
        ncs.filter(reported_at__gte=begin, reported_at__lt=finish)
        .values("source")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    return {
        "figures": [
            _figure(
                gettext_noop("Reported in the period"),
                figures["reported"],
                _url("nonconformities:nc_list"),
            ),
            _figure(
                gettext_noop("Closed in the period"),
                figures["closed"],
                _url("nonconformities:nc_list", status="closed"),
            ),
            _figure(
                gettext_noop("Open now"),
                figures["open"],
                _url("nonconformities:nc_list", status="open"),
            ),
            _figure(
                gettext_noop("Open, critical"),
                figures["critical"],
                _url("nonconformities:nc_list", status="open", severity="critical"),
            ),
            _figure(
                gettext_noop("Open, major"),
                figures["major"],
                _url("nonconformities:nc_list", status="open", severity="major"),
            ),
            _figure(gettext_noop("Verified effective"), checks["effective"]),
            _figure(gettext_noop("Verified not effective"), checks["not_effective"]),
            _figure(
                gettext_noop("Actions overdue"),
                overdue,
                _url("nonconformities:action_list", overdue="yes"),
            ),
        ],
        "columns": [gettext_noop("Source"), gettext_noop("Reported")],
        "rows": [
            {"cells": [_choice(Source(row["source"]).label), row["n"]], "url": ""}
            for row in by_source
        ],
    }


def monitoring(review, since: date, until: date, rows=None) -> dict:
    from procedures.choices import Direction, Measure
    from procedures.models import ProcessIndicator

    rows = rows if rows is not None else _process_rows(since, until)
    by_process = {row.key: row for row in rows}
    table = []
    met = missed = 0
    for indicator in ProcessIndicator.objects.select_related("process").order_by(
        "process__code", "position"
    ):
        row = by_process.get(indicator.process_id)
        actual = None
        if row is not None:
            actual = {
                Measure.ON_TIME: row.on_time_rate,
                Measure.SATISFACTION: row.satisfaction,
                Measure.AVERAGE_DAYS: row.average_days,
            }.get(indicator.measure)
        verdict = ""
        if actual is not None:
            ok = (
                actual >= float(indicator.target)
                if indicator.direction == Direction.HIGHER
                else actual <= float(indicator.target)
            )
            verdict = {"msgid": gettext_noop("Met") if ok else gettext_noop("Missed")}
            met, missed = met + ok, missed + (not ok)
        table.append(
            {
                "cells": [
                    f"{indicator.process.code} {indicator.process.name}",
                    indicator.name,
                    f"{indicator.target} {indicator.unit}".strip(),
                    actual
                    if actual is not None
                    else {"msgid": gettext_noop("Measured outside the portal")},
                    verdict,
                ],
                **_link(indicator.process),
            }
        )
    return {
        "figures": [
            _figure(gettext_noop("Indicators measured by the portal that met their target"), met),
            _figure(gettext_noop("Indicators that missed their target"), missed),
        ],
        "columns": [
            gettext_noop("Process"),
            gettext_noop("Indicator"),
            gettext_noop("Target"),
            gettext_noop("Actual"),
            gettext_noop("Result"),
        ],
        "rows": table,
    }


def audits(review, since: date, until: date) -> dict:
    from audits.choices import AuditStatus, ItemResult
    from audits.models import Audit

    done = (
        Audit.objects.filter(
            status__in=[AuditStatus.REPORTED, AuditStatus.CLOSED],
            end_date__gte=since,
            end_date__lt=until,
        )
        .annotate(
            n_nc=Count(
                "findings",
                filter=Q(
                    findings__kind__in=[ItemResult.MINOR_NC, ItemResult.MAJOR_NC],
                    findings__withdrawn_at__isnull=True,
                ),
            ),
            n_obs=Count(
                "findings",
                filter=Q(
                    findings__kind=ItemResult.OBSERVATION, findings__withdrawn_at__isnull=True
                ),
            ),
            n_ofi=Count(
                "findings",
                filter=Q(findings__kind=ItemResult.OFI, findings__withdrawn_at__isnull=True),
            ),
        )
        .order_by("start_date")
    )
    items = list(done)
    return {
        "figures": [
            _figure(gettext_noop("Audits completed"), len(items), _url("audits:audit_list")),
            _figure(gettext_noop("Nonconformity findings"), sum(a.n_nc for a in items)),
            _figure(gettext_noop("Observations"), sum(a.n_obs for a in items)),
            _figure(gettext_noop("Opportunities for improvement"), sum(a.n_ofi for a in items)),
        ],
        "columns": [
            gettext_noop("Reference"),
            gettext_noop("Audit"),
            gettext_noop("Dates"),
            gettext_noop("Nonconformities"),
            gettext_noop("Observations"),
            gettext_noop("Opportunities"),
        ],
        "rows": [
            {
                "cells": [
                    a.reference,
                    a.title,
                    f"{a.start_date.isoformat()} – {a.end_date.isoformat()}",
                    a.n_nc,
                    a.n_obs,
                    a.n_ofi,
                ],
                **_link(a),
            }
            for a in items
        ],
    }


def risks(review, since: date, until: date) -> dict:
    from nonconformities.choices import OPEN_ACTION_STATUSES, ActionStatus
    from nonconformities.models import Action
    from planning import matrix
    from planning.choices import RiskStatus
    from planning.models import Risk, RiskReview

    open_risks = list(
        Risk.objects.filter(status=RiskStatus.OPEN).values_list("score", "residual_score")
    )
    high = {"high", "critical"}
    actions = Action.objects.filter(
        source_content_type=ContentType.objects.get_for_model(Risk)
    ).aggregate(
        done=Count("pk", filter=Q(status=ActionStatus.DONE)),
        open=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=until)),
    )
    reduced = sum(1 for score, residual in open_risks if residual is not None and residual < score)
    top = (
        Risk.objects.filter(status=RiskStatus.OPEN)
        .select_related("department")
        .order_by("-score", "number")[:10]
    )
    return {
        "figures": [
            _figure(
                gettext_noop("Open risks and opportunities"),
                len(open_risks),
                _url("planning:risk_list", status="open"),
            ),
            _figure(
                gettext_noop("High or critical before treatment"),
                sum(1 for s, _r in open_risks if matrix.level(s) in high),
            ),
            _figure(
                gettext_noop("High or critical after treatment"),
                sum(1 for s, r in open_risks if matrix.level(r or s) in high),
                _url("planning:risk_list", status="open", residual="yes"),
            ),
            _figure(gettext_noop("Lowered by their treatment"), reduced),
            _figure(gettext_noop("Treatment actions done"), actions["done"]),
            _figure(gettext_noop("Treatment actions open"), actions["open"]),
            _figure(gettext_noop("Treatment actions overdue"), actions["overdue"]),
            _figure(
                gettext_noop("Reviews of risks in the period"),
                RiskReview.objects.filter(reviewed_on__gte=since, reviewed_on__lt=until).count(),
            ),
        ],
        "columns": [
            gettext_noop("Number"),
            gettext_noop("Title"),
            gettext_noop("Department"),
            gettext_noop("Score"),
            gettext_noop("Score after treatment"),
        ],
        "rows": [
            {
                "cells": [r.number, r.title, r.department.name, r.score, r.residual_score],
                **_link(r),
            }
            for r in top
        ],
    }


def improvement(review, since: date, until: date) -> dict:
    from audits.choices import ItemResult
    from audits.models import Finding
    from nonconformities.choices import OPEN_ACTION_STATUSES, ActionKind, ActionStatus
    from nonconformities.models import Action
    from procedures.models import Procedure

    begin, finish = _moments(since, until)
    ofis = Finding.objects.filter(
        kind=ItemResult.OFI,
        withdrawn_at__isnull=True,
        audit__end_date__gte=since,
        audit__end_date__lt=until,
    ).count()
    improvements = Action.objects.filter(kind=ActionKind.IMPROVEMENT).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
        done=Count(
            "pk",
            filter=Q(status=ActionStatus.DONE, completed_at__gte=begin, completed_at__lt=finish),
        ),
    )
    flagged = Procedure.objects.filter(attention=True).count()
    return {
        "figures": [
            _figure(gettext_noop("Opportunities for improvement found by audits"), ofis),
            _figure(
                gettext_noop("Improvement actions open"),
                improvements["open"],
                _url("nonconformities:action_list", kind="improvement", status="open"),
            ),
            _figure(gettext_noop("Improvement actions done in the period"), improvements["done"]),
            _figure(
                gettext_noop("Procedures flagged for repeated problems"),
                flagged,
                _url("procedures:procedure_list", review="attention"),
            ),
        ],
        "columns": [],
        "rows": [],
    }


@reads_reports
def compile_inputs(review, as_of: date) -> dict:
    """Every section, as of the given day (included), since the review's period start."""
    since, until = review.period_start, as_of + timedelta(days=1)
    process_rows = _process_rows(since, until)
    builders = {
        "previous_actions": previous_actions,
        "issues": issues,
        "satisfaction": satisfaction,
        "objectives": objectives,
        "processes": lambda r, s, u: processes(r, s, u, process_rows),
        "nonconformities": nonconformities,
        "monitoring": lambda r, s, u: monitoring(r, s, u, process_rows),
        "audits": audits,
        "risks": risks,
        "improvement": improvement,
    }
    sections = []
    for key, title in SECTIONS:
        section = {"key": key, "title": title, "figures": [], "columns": [], "rows": []}
        if key in builders:
            section.update(builders[key](review, since, until))
        sections.append(section)
    return {"since": since.isoformat(), "as_of": as_of.isoformat(), "sections": sections}
