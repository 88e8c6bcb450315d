"""The service-delivery figures page, its Excel export and the monthly report PDF."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from procedures.models import ServiceCase
from procedures.performance import GROUPS, chart, monthly_on_time, performance, total
from qms import exports, security_log
from qms.models import Department, SecurityEvent
from qms.views.generic import PortalPermissionMixin, posted_int

COLUMNS = [
    exports.Column(gettext_lazy("Code"), lambda r: r.code),
    exports.Column(gettext_lazy("Name"), lambda r: r.name),
    exports.Column(gettext_lazy("Carried over"), lambda r: r.carried_over),
    exports.Column(gettext_lazy("Received"), lambda r: r.received),
    exports.Column(gettext_lazy("Completed"), lambda r: r.completed),
    exports.Column(gettext_lazy("On time"), lambda r: r.on_time),
    exports.Column(gettext_lazy("Late"), lambda r: r.late),
    exports.Column(gettext_lazy("On-time rate (%)"), lambda r: r.on_time_rate),
    exports.Column(gettext_lazy("Returned or withdrawn"), lambda r: r.closed_otherwise),
    exports.Column(gettext_lazy("Average working days"), lambda r: r.average_days),
    exports.Column(gettext_lazy("90th percentile (working days)"), lambda r: r.p90_days),
    exports.Column(gettext_lazy("Pending, on time"), lambda r: r.pending_on_time),
    exports.Column(gettext_lazy("Pending, overdue"), lambda r: r.pending_overdue),
    exports.Column(gettext_lazy("Ratings"), lambda r: r.ratings),
    exports.Column(gettext_lazy("Satisfaction index (%)"), lambda r: r.satisfaction),
]


def _month(value: str, default: date) -> date:
    try:
        year, month = (int(part) for part in value.split("-")[:2])
        return date(year, month, 1)
    except (ValueError, TypeError):
        return default


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    months, current = [], first
    while current <= last and len(months) < 120:
        months.append(current)
        current = _next_month(current)
    return months


class PerformanceView(PortalPermissionMixin, TemplateView):
    template_name = "procedures/performance.html"

    def setup_period(self):
        request = self.request
        this_month = timezone.localdate().replace(day=1)
        first = _month(request.GET.get("from", ""), this_month)
        last = _month(request.GET.get("to", ""), first)
        if last < first:
            first, last = last, first
        self.first, self.last = first, last
        self.start, self.end = first, _next_month(last)
        self.by = request.GET.get("by") if request.GET.get("by") in GROUPS else "procedure"
        cases = ServiceCase.objects.visible_to(request.user)
        self.department = None
        department_id = posted_int(request.GET.get("department"))
        if department_id is not None:
            self.department = (
                Department.objects.visible_to(request.user).filter(pk=department_id).first()
            )
            if self.department is not None:
                cases = cases.filter(department__path__startswith=self.department.path)
        self.cases = cases

    def get(self, request, *args, **kwargs):
        self.setup_period()
        fmt = request.GET.get("export")
        if fmt in exports.FORMATS:
            rows = performance(self.cases, self.start, self.end, self.by)
            security_log.record(
                SecurityEvent.Kind.EXPORT,
                request=request,
                target="service-delivery figures",
                details={"format": fmt, "query": request.GET.urlencode()[:500]},
            )
            return exports.export_response(
                fmt, [*rows, total(rows)], COLUMNS, f"service-delivery-{self.first:%Y-%m}"
            )
        if fmt == "pdf":
            return self.monthly_report()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = performance(self.cases, self.start, self.end, self.by)
        trend_months = months_between(
            date(self.last.year - 1, self.last.month, 1)
            if self.last.month != 12
            else date(self.last.year, 1, 1),
            self.last,
        )[-12:]
        params = self.request.GET.copy()
        params.pop("export", None)
        context.update(
            rows=rows,
            total=total(rows),
            by=self.by,
            first=self.first,
            last=self.last,
            department=self.department,
            departments=Department.objects.visible_to(self.request.user)
            .filter(is_active=True)
            .order_by("path"),
            trend=(trend := monthly_on_time(self.cases, trend_months)),
            chart=chart(trend),
            target=settings.QMS_ON_TIME_TARGET,
            querystring=params.urlencode(),
            group_labels={
                "procedure": _("per procedure"),
                "department": _("per department"),
                "process": _("per process"),
            },
        )
        return context

    def monthly_report(self):
        """The report an agency sends upward: per procedure, what came in, what was done."""
        from qms.context_processors import agency_name
        from qms.pdf import render_pdf

        rows = performance(self.cases, self.start, self.end, "procedure")
        security_log.record(
            SecurityEvent.Kind.EXPORT,
            request=self.request,
            target="service-delivery report pdf",
            details={"query": self.request.GET.urlencode()[:500]},
        )
        pdf = render_pdf(
            "procedures/performance_pdf.html",
            {
                "rows": rows,
                "total": total(rows),
                "first": self.first,
                "last": self.last,
                "department": self.department,
                "agency_name": agency_name(),
                "today": timezone.localdate(),
            },
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="service-delivery-{self.first:%Y-%m}.pdf"'
        )
        return response
