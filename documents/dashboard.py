"""Document control's figures for the dashboards."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from documents.choices import DocumentStatus, RevisionStatus
from documents.models import Acknowledgement, Document, Revision
from qms import dashboard


@dashboard.register_metrics
def document_metrics(period: dashboard.Period) -> dict[str, Counter]:
    today = period.today
    result: dict[str, Counter] = defaultdict(Counter)
    effective = Q(status=DocumentStatus.EFFECTIVE)
    for row in (
        Document.objects.values("department__path")
        .annotate(
            n_effective=Count("pk", filter=effective),
            n_overdue=Count("pk", filter=effective & Q(next_review_date__lt=today)),
            n_soon=Count(
                "pk",
                filter=effective
                & Q(next_review_date__gte=today, next_review_date__lte=today + timedelta(days=30)),
            ),
        )
        .order_by()
    ):
        result[row["department__path"]].update(
            docs_effective=row["n_effective"],
            docs_review_overdue=row["n_overdue"],
            docs_review_soon=row["n_soon"],
        )
    for row in (
        Revision.objects.filter(status=RevisionStatus.IN_REVIEW)
        .values("document__department__path")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        result[row["document__department__path"]]["revisions_in_review"] += row["n"]
    for row in (
        Acknowledgement.objects.outstanding()
        .filter(revision__status=RevisionStatus.EFFECTIVE)
        .values("user__department__path")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        result[row["user__department__path"] or ""]["acks_outstanding"] += row["n"]
    return result


@dashboard.register_panel(10, "documents")
def documents_panel(view: dashboard.View) -> dashboard.Panel:
    f = view.figures
    return dashboard.Panel(
        key="documents",
        title=_("Documents"),
        tiles=[
            dashboard.Tile(
                _("Effective documents"),
                f["docs_effective"],
                view.link("documents:document_list", status="effective"),
                testid="tile-docs-effective",
            ),
            dashboard.Tile(
                _("Revisions waiting for approval"),
                f["revisions_in_review"],
                view.link("documents:document_list", approval="pending"),
                tone="warn" if f["revisions_in_review"] else "",
                testid="tile-docs-pending",
            ),
            dashboard.Tile(
                _("Reviews due within 30 days"),
                f["docs_review_soon"],
                view.link("documents:document_list", review="soon"),
                testid="tile-docs-review-soon",
            ),
            dashboard.Tile(
                _("Reviews overdue"),
                f["docs_review_overdue"],
                view.link("documents:document_list", review="overdue"),
                tone="bad" if f["docs_review_overdue"] else "good",
                testid="tile-docs-review-overdue",
            ),
            dashboard.Tile(
                _("Acknowledgements outstanding"),
                f["acks_outstanding"],
                view.link("documents:document_list", acknowledgement="outstanding"),
                tone="warn" if f["acks_outstanding"] else "",
                testid="tile-docs-acks",
            ),
        ],
        summary=["tile-docs-review-overdue", "tile-docs-pending"],
    )
