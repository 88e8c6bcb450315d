"""The QMS dashboards: the whole system for the QMS manager, one unit for its head, a
one-page summary for the agency head, each exportable as PDF.

The figures may be a minute old (``qms.dashboard``), so the page below the layout is kept
whole, per language, scope and address, until the oldest figure in it expires: a reader
then gets the same page as the reader before them without building the panels and
rendering them again, and never an older figure than the cache already allowed.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from qms import dashboard, security_log
from qms.cache import kept_html
from qms.context_processors import agency_name
from qms.models import Department, SecurityEvent
from qms.views.generic import PortalPermissionMixin
from qms.visibility import headed_paths


def dashboard_scope(user) -> list[str] | None:
    """None: the whole agency; otherwise the paths of the units this user heads."""
    if user.has_perm("qms.view_dashboard"):
        return None
    paths = headed_paths(user)
    if not paths:
        raise PermissionDenied
    return paths


def _month(value: str) -> date | None:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return None


class DashboardView(PortalPermissionMixin, TemplateView):
    template_name = "qms/dashboard.html"
    content_template = "qms/dashboard_content.html"
    pdf_template = "qms/dashboard_pdf.html"
    summary = False

    def setup_view(self):
        request = self.request
        allowed = dashboard_scope(request.user)
        departments = list(
            Department.objects.filter(is_active=True).only(
                "pk", "code", "name", "parent_id", "path", "depth"
            )
        )
        agency_name(departments)  # the header's name, from the tree just read
        choosable = [
            d for d in departments if allowed is None or any(d.path.startswith(p) for p in allowed)
        ]
        wanted = request.GET.get("department", "")
        department = next((d for d in choosable if str(d.pk) == wanted), None)
        if department is None and allowed is not None:
            # a head sees their own unit by default (the first they head)
            department = next(d for d in choosable if d.path == allowed[0])
        today = timezone.localdate()
        at = _month(request.GET.get("at", "")) or today
        if at > today:
            at = today
        self.period = dashboard.period_for(request.GET.get("period", "month"), at, today)
        self.department = department
        self.view, self.panels = dashboard.build(request.user, department, self.period, departments)
        self.choosable = choosable

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "pdf":
            from qms.pdf import render_pdf

            self.setup_view()
            security_log.record(
                SecurityEvent.Kind.EXPORT,
                request=request,
                target="dashboard",
                details={"format": "pdf", "query": request.GET.urlencode()[:500]},
            )
            pdf = render_pdf(self.pdf_template, self.figures_context())
            response = HttpResponse(pdf, content_type="application/pdf")
            name = f"dashboard-{self.period.start:%Y-%m}.pdf"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        # besides the figures, the page depends on the reader's scope (None: the whole
        # agency), the address's choices and the day
        scope = dashboard_scope(request.user)
        content = kept_html(
            self.content_template,
            (
                timezone.localdate().isoformat(),
                "*" if scope is None else "|".join(scope),
                request.GET.urlencode(),
            ),
            self.render_content,
        )
        return self.render_to_response(self.get_context_data(content=content, summary=self.summary))

    def render_content(self) -> tuple[str, float]:
        self.setup_view()
        html = render_to_string(self.content_template, self.figures_context(), self.request)
        age = (timezone.now() - self.view.computed_at).total_seconds()
        return html, settings.QMS_DASHBOARD_CACHE_SECONDS - age

    def figures_context(self) -> dict:
        context: dict = {"view": self}
        params = self.request.GET.copy()
        params.pop("export", None)
        today = self.period.today
        months = []
        for back in range(0, 24):
            index = today.year * 12 + today.month - 1 - back
            months.append(date(index // 12, index % 12 + 1, 1))
        panels = self.panels
        if self.summary:
            for panel in panels:
                panel.tiles = [t for t in panel.tiles if t.testid in panel.summary]
        unit_rows = []
        for unit in self.view.units:
            f = self.view.unit(unit)
            unit_rows.append(
                {
                    "unit": unit,
                    "on_time": dashboard.rate(f["cases_on_time"], f["cases_completed"]),
                    "completed": f["cases_completed"],
                    "overdue": f["cases_overdue"],
                    "satisfaction": dashboard.rate(f["ratings_good"], f["ratings"]),
                    "nc_open": f["nc_open"],
                    "actions_overdue": f["actions_overdue"],
                    "docs_review_overdue": f["docs_review_overdue"],
                    "risks_high": f["risks_high"],
                }
            )
        unit_rows.sort(
            key=lambda row: (row["on_time"] is None, -(row["on_time"] or 0), row["unit"].name)
        )
        context.update(
            unit_rows=unit_rows,
            panels=panels,
            period=self.period,
            department=self.department,
            departments=self.choosable,
            months=months,
            at=self.period.start,
            querystring=params.urlencode(),
            units=self.view.units,
            agency_name=agency_name(),
            generated_at=self.view.computed_at,
            summary=self.summary,
            period_label=self.period_label(),
        )
        return context

    def period_label(self) -> str:
        period = self.period
        if period.kind == "month":
            return period.start.strftime("%m/%Y")
        if period.kind == "quarter":
            return _("Quarter %(q)s/%(year)s") % {
                "q": (period.start.month - 1) // 3 + 1,
                "year": period.start.year,
            }
        return str(period.start.year)


class SummaryView(DashboardView):
    """The agency head's one page: the few figures that say whether the system works."""

    content_template = "qms/dashboard_summary_content.html"
    pdf_template = "qms/dashboard_pdf.html"
    summary = True
