"""The annual QMS report to the supervising body: what the system covered, what was
audited and reviewed, what went wrong and was corrected, how on time the agency served,
what changed — one year, the whole agency, as PDF and XLSX.

The figures come from the same builders as the management review's inputs, for the
calendar year (up to today for the year in progress).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qms.db import reads_reports
from reviews import inputs


@reads_reports
def compile_report(year: int) -> dict:
    from planning.models import Announcement, Scope
    from procedures.models import ServiceCase
    from procedures.performance import performance, total
    from reviews.choices import ReviewStatus
    from reviews.models import ManagementReview

    today = timezone.localdate()
    since = date(year, 1, 1)
    until = min(date(year + 1, 1, 1), today + timedelta(days=1))
    scope = (
        Scope.objects.filter(effective_from__lt=until).order_by("-effective_from", "-pk").first()
    )
    scope_changes = list(
        Scope.objects.filter(effective_from__gte=since, effective_from__lt=until).order_by(
            "effective_from"
        )
    )
    announcements = list(
        Announcement.objects.filter(announced_on__lt=until).order_by("-announced_on")[:5]
    )
    reviews = list(
        ManagementReview.objects.filter(meeting_date__gte=since, meeting_date__lt=until)
        .exclude(status=ReviewStatus.CANCELLED)
        .select_related("chair")
        .order_by("meeting_date")
    )
    by_department = performance(ServiceCase.objects.all(), since, until, "department")
    summed = total(by_department)
    process_rows = performance(ServiceCase.objects.all(), since, until, "process")
    sections = [
        {
            "key": "service",
            "title": gettext_noop("On-time processing of administrative procedures"),
            "figures": [
                {"label": gettext_noop("Cases received"), "value": summed.received},
                {"label": gettext_noop("Cases completed"), "value": summed.completed},
                {"label": gettext_noop("Completed on time"), "value": summed.on_time},
                {"label": gettext_noop("On-time rate (%)"), "value": summed.on_time_rate},
                {"label": gettext_noop("Completed late"), "value": summed.late},
                {"label": gettext_noop("Satisfaction index (%)"), "value": summed.satisfaction},
            ],
            "columns": [
                gettext_noop("Department"),
                gettext_noop("Received"),
                gettext_noop("Completed"),
                gettext_noop("On-time rate (%)"),
                gettext_noop("Late"),
            ],
            "rows": [
                {
                    "cells": [
                        f"{r.code} {r.name}".strip(),
                        r.received,
                        r.completed,
                        r.on_time_rate,
                        r.late,
                    ],
                    "url": "",
                }
                for r in by_department
            ],
        },
        {
            "key": "audits",
            "title": gettext_noop("Internal audits carried out"),
            **inputs.audits(None, since, until),
        },
        {
            "key": "nonconformities",
            "title": gettext_noop("Nonconformities and corrective actions"),
            **inputs.nonconformities(None, since, until),
        },
        {
            "key": "satisfaction",
            "title": gettext_noop("Citizen satisfaction and feedback"),
            **inputs.satisfaction(None, since, until),
        },
        {
            "key": "objectives",
            "title": gettext_noop("Quality objectives"),
            **inputs.objectives(None, since, until),
        },
        {
            "key": "processes",
            "title": gettext_noop("Process performance"),
            **inputs.processes(None, since, until, process_rows),
        },
        {
            "key": "changes",
            "title": gettext_noop("Changes to the quality management system"),
            **inputs.issues(None, since, until),
        },
    ]
    return {
        "year": year,
        "since": since,
        "until": until - timedelta(days=1),
        "scope": scope,
        "scope_changes": scope_changes,
        "announcements": announcements,
        "reviews": reviews,
        "sections": sections,
    }


def _cell(value):
    if isinstance(value, dict) and "msgid" in value:
        return _(value["msgid"])
    return value


def workbook_sheets(report: dict) -> list[tuple[str, list[list]]]:
    """The report as sheets: a summary, then one sheet per section."""
    scope = report["scope"]
    summary = [
        [_("Annual QMS report %(year)s") % {"year": report["year"]}, ""],
        [_("Period"), f"{report['since']:%d/%m/%Y} – {report['until']:%d/%m/%Y}"],
        [_("Scope of the quality management system"), scope.statement if scope else ""],
        [_("Procedures covered"), scope.procedures.count() if scope else 0],
    ]
    for announcement in report["announcements"]:
        summary.append(
            [
                _("Conformity announcement"),
                f"{announcement.decision_number} ({announcement.announced_on:%d/%m/%Y})",
            ]
        )
    for change in report["scope_changes"]:
        summary.append([_("Scope changed"), f"{change.effective_from:%d/%m/%Y}: {change.reason}"])
    for review in report["reviews"]:
        summary.append(
            [
                _("Management review"),
                f"{review.number} {review.meeting_date:%d/%m/%Y} · {review.get_status_display()}",
            ]
        )
    sheets = [(_("Summary"), summary)]
    for section in report["sections"]:
        rows = [[_("Figure"), _("Value")]]
        rows += [[_(f["label"]), f["value"]] for f in section["figures"]]
        if section["rows"]:
            rows.append([])
            rows.append([_(c) for c in section["columns"]])
            rows += [[_cell(c) for c in row["cells"]] for row in section["rows"]]
        sheets.append((_(section["title"]), rows))
    return sheets
