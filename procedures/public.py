"""Public pages (no login): the catalogue of administrative procedures.

What a citizen or business needs before coming to the one-stop desk: the steps, the
documents to bring, the time limit in working days, the fees and the result, in the three
languages of the portal's interface (the procedures' own texts are as the agency wrote
them).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from procedures import services
from procedures.forms import ComplaintForm, LookupForm, RatingForm
from procedures.models import (
    CaseStatus,
    DossierItem,
    Procedure,
    ProcedureStep,
    Rating,
    ServiceCase,
)
from procedures.performance import Row, performance, total
from qms.cache import kept_html
from qms.pagination import CappedPaginator
from qms.public_forms import rate_limited
from qms.search import fold
from qms.views.generic import posted_int


class PublicProcedureListView(ListView):
    """A paginated list of the public procedures, searched by name or code and filtered by
    field (the catalogue and the transparency page)."""

    paginator_class = CappedPaginator

    def get_paginate_by(self, queryset):
        return settings.QMS_LIST_PAGE_SIZE

    def procedures(self):
        return Procedure.objects.public().select_related("department").order_by("field", "code")

    def get_queryset(self):
        procedures = self.procedures()
        query = self.request.GET.get("q", "").strip()
        if query:
            procedures = procedures.filter(search_text__matches=fold(query))
        field = self.request.GET.get("field", "")
        if field and "\x00" not in field:
            procedures = procedures.filter(field=field)
        return procedures

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            fields=list(
                Procedure.objects.public()
                .order_by("field")
                .values_list("field", flat=True)
                .distinct()
            ),
            query=self.request.GET.get("q", ""),
            field=self.request.GET.get("field", ""),
        )
        return context


class PublicCatalogueView(PublicProcedureListView):
    template_name = "procedures/public/catalogue.html"
    context_object_name = "procedures"


class PublicProcedureView(DetailView):
    template_name = "procedures/public/procedure.html"
    context_object_name = "procedure"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Procedure.objects.public()
            .select_related("department")
            .prefetch_related(
                Prefetch(
                    "steps",
                    queryset=ProcedureStep.objects.select_related("department").order_by(
                        "position"
                    ),
                ),
                Prefetch("dossier", queryset=DossierItem.objects.order_by("position")),
                "legal_basis",
            ),
            pk=self.kwargs["pk"],
        )


# --- Case lookup, rating, complaint ---------------------------------------------------


def lookup_limit() -> tuple[int, int]:
    """Ten lookups per ten minutes per address unless configured otherwise (a load test
    from one address raises it)."""
    return (settings.QMS_PUBLIC_LOOKUP_LIMIT, 600)


FORM_LIMIT = (5, 3600)  # five ratings or complaints per hour per address


def _too_many(request, scope: str, limit: tuple[int, int]) -> bool:
    return rate_limited(request, scope, *limit)


class PublicLookupView(View):
    """Status and dates of a case, for its receipt code and the phone's last four digits.

    A wrong code and a wrong phone get the same answer, and an address that tries too
    often is refused for a while, so codes cannot be guessed.
    """

    template_name = "procedures/public/lookup.html"

    def get(self, request):
        return render(request, self.template_name, {"form": LookupForm()})

    def post(self, request):
        form = LookupForm(request.POST)
        context = {"form": form}
        if _too_many(request, "lookup", lookup_limit()):
            context["refused"] = _(
                "Too many attempts from your connection. Try again in ten minutes."
            )
            return render(request, self.template_name, context, status=429)
        if form.is_valid():
            case = services.lookup(
                form.cleaned_data["receipt_code"], form.cleaned_data["phone_digits"]
            )
            if case is None:
                context["not_found"] = True
            else:
                context["case"] = case
                can_rate = (
                    case.status == CaseStatus.COMPLETED
                    and not Rating.objects.filter(case=case).exists()
                )
                if can_rate:
                    context["rating_form"] = RatingForm(
                        initial={
                            "receipt_code": case.receipt_code,
                            "phone_digits": form.cleaned_data["phone_digits"],
                        }
                    )
        return render(request, self.template_name, context)


class PublicRateView(View):
    template_name = "procedures/public/lookup.html"

    def post(self, request):
        form = RatingForm(request.POST)
        if _too_many(request, "public-form", FORM_LIMIT):
            return render(
                request,
                self.template_name,
                {
                    "form": LookupForm(),
                    "refused": _("Too many forms from your connection. Try again later."),
                },
                status=429,
            )
        # the code and digits come back from the lookup page; anything else is not found
        case = services.lookup(
            request.POST.get("receipt_code", ""), request.POST.get("phone_digits", "")
        )
        if case is None:
            raise Http404
        if form.is_valid():
            try:
                services.rate(
                    case=case,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return render(request, "procedures/public/thanks.html", {"rated": True})
        return render(
            request,
            self.template_name,
            {"form": LookupForm(), "case": case, "rating_form": form},
        )


class PublicComplaintView(View):
    template_name = "procedures/public/complaint.html"

    def get(self, request):
        initial = {}
        procedure = posted_int(request.GET.get("procedure"))
        if procedure is not None:
            initial["procedure"] = procedure
        return render(request, self.template_name, {"form": ComplaintForm(initial=initial)})

    def post(self, request):
        form = ComplaintForm(request.POST)
        if _too_many(request, "public-form", FORM_LIMIT):
            return render(
                request,
                self.template_name,
                {
                    "form": form,
                    "refused": _("Too many forms from your connection. Try again later."),
                },
                status=429,
            )
        if form.is_valid():
            try:
                item = services.complaint_submit(
                    text=form.cleaned_data["text"],
                    name=form.cleaned_data["name"],
                    contact=form.cleaned_data["contact"],
                    procedure=form.cleaned_data["procedure"],
                    receipt_code=form.cleaned_data["receipt_code"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return render(request, "procedures/public/thanks.html", {"item": item})
        return render(request, self.template_name, {"form": form})


class PublicTransparencyView(PublicProcedureListView):
    """The agency's commitments and results, for anyone: the quality policy, the scope of
    the quality management system, and per procedure the on-time rate and satisfaction
    index of the last twelve months (computed once a day), a page of procedures at a time."""

    template_name = "procedures/public/transparency.html"
    content_template = "procedures/public/transparency_content.html"
    context_object_name = "procedures"

    def get(self, request, *args, **kwargs):
        # The same for every visitor, of figures counted once a day: kept whole for
        # QMS_PUBLIC_PAGE_SECONDS per language and address (qms.cache.kept_html).
        content = kept_html(
            self.content_template,
            (timezone.localdate().isoformat(), request.GET.urlencode()),
            self.render_content,
        )
        return render(request, self.template_name, {"content": content})

    def render_content(self) -> tuple[str, float]:
        self.object_list = self.get_queryset()
        html = render_to_string(self.content_template, self.get_context_data(), self.request)
        return html, settings.QMS_PUBLIC_PAGE_SECONDS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        end = today.replace(day=1)
        start = date(end.year - 1, end.month, 1)
        figures, overall = cache.get_or_set(
            f"transparency:figures:{today.isoformat()}",
            lambda: _public_figures(start, end),
            timeout=24 * 3600,
        )
        for procedure in context["procedures"]:
            procedure.figures = figures.get(procedure.pk)
        context.update(
            policy=_quality_policy(),
            procedure_count=Procedure.objects.public().count(),
            total=overall,
            start=start,
            end=end - timedelta(days=1),
        )
        return context


class PublicFigures(NamedTuple):
    """What the transparency page shows of a procedure's row."""

    completed: int
    on_time_rate: float | None
    satisfaction: float | None


def _public_figures(start: date, end: date) -> tuple[dict[int, PublicFigures], Row]:
    """Per public procedure, the figures shown, and the total: kept a day. Only what is
    shown is kept, so that each request reads back 1,500 small tuples rather than 1,500
    rows with their histograms (that, and summing them, was a fifth of the page)."""
    rows = performance(
        ServiceCase.objects.filter(procedure__in=Procedure.objects.public()),
        start,
        end,
        "procedure",
    )
    figures = {
        row.key: PublicFigures(row.completed, row.on_time_rate, row.satisfaction) for row in rows
    }
    return figures, total(rows)


def _quality_policy():
    """The effective quality policy (a controlled document of type policy, clause 5.2)."""
    from documents.choices import Confidentiality, DocumentStatus, DocumentType
    from documents.models import Document

    return (
        Document.objects.filter(
            document_type=DocumentType.POLICY,
            status=DocumentStatus.EFFECTIVE,
            clauses__number="5.2",
        )
        .exclude(confidentiality=Confidentiality.RESTRICTED)
        .select_related("effective_revision")
        .order_by("code")
        .first()
    )
