"""Public pages (no login): the catalogue of administrative procedures.

What a citizen or business needs before coming to the one-stop desk: the steps, the
documents to bring, the time limit in working days, the fees and the result, in the three
languages of the portal's interface (the procedures' own texts are as the agency wrote
them).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from procedures.models import DossierItem, Procedure, ProcedureStep
from qms.search import fold


class PublicCatalogueView(ListView):
    template_name = "procedures/public/catalogue.html"
    context_object_name = "procedures"

    def get_paginate_by(self, queryset):
        return settings.QMS_LIST_PAGE_SIZE

    def get_queryset(self):
        procedures = (
            Procedure.objects.public()
            .select_related("department")
            .annotate(step_count=Count("steps"))
            .order_by("field", "code")
        )
        query = self.request.GET.get("q", "").strip()
        if query:
            procedures = procedures.filter(search_text__contains=fold(query))
        field = self.request.GET.get("field", "")
        if field:
            procedures = procedures.filter(field=field)
        return procedures

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            fields=list(
                Procedure.objects.public()
                .order_by("field")
                .values_list("field", flat=True)
                .distinct()
            ),
            query=self.request.GET.get("q", ""),
            field=self.request.GET.get("field", ""),
            querystring=params.urlencode(),
        )
        return context


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
