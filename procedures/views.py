"""Pages of processes and administrative procedures (signed-in staff)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from documents.models import Document, external_documents_open_to
from documents.selectors import openable_documents
from procedures import importing, selectors, services
from procedures.choices import PROCESS_COLOURS, STATUS_COLOURS, ProcedureStatus
from procedures.filters import ProcedureFilter, ProcessFilter
from procedures.forms import (
    DossierFormSet,
    ImportForm,
    IndicatorFormSet,
    ProcedureForm,
    ProcessForm,
    StepFormSet,
    department_choices,
)
from procedures.models import Procedure, Process, short_number
from procedures.process_map import layout
from qms import exports
from qms.calendar import hours_per_day
from qms.history import object_history
from qms.views.generic import (
    ObjectListView,
    PortalPermissionMixin,
    add_service_errors,
    errors_to_messages,
    posted_int,
)
from qms.visibility import get_visible_or_404

PROCEDURE_COLUMNS = [
    exports.Column(gettext_lazy("Procedure code"), lambda p: p.code),
    exports.Column(gettext_lazy("Code in the national database"), lambda p: p.national_code),
    exports.Column(gettext_lazy("Name"), lambda p: p.name),
    exports.Column(gettext_lazy("Field"), lambda p: p.field),
    exports.Column(gettext_lazy("Level"), lambda p: p.get_level_display()),
    exports.Column(gettext_lazy("Department in charge"), lambda p: p.department),
    exports.Column(gettext_lazy("Process"), lambda p: p.process.code if p.process_id else ""),
    exports.Column(gettext_lazy("Statutory time (working days)"), lambda p: p.statutory_days),
    exports.Column(gettext_lazy("Steps"), lambda p: p.step_count),
    exports.Column(gettext_lazy("Fees and charges"), lambda p: p.fees),
    exports.Column(gettext_lazy("Status"), lambda p: p.get_status_display()),
    exports.Column(gettext_lazy("Review needed"), lambda p: p.get_review_flag_display()),
]


class ProcedureListView(ObjectListView):
    model = Procedure
    template_name = "procedures/procedure_list.html"
    filterset_class = ProcedureFilter
    title = gettext_lazy("Administrative procedures")
    sort_fields = {
        "code": ("code",),
        "name": ("name",),
        "field": ("field", "code"),
        "department": ("department__name", "code"),
        "days": ("statutory_days", "code"),
    }
    default_sort = "code"
    export_name = "procedures"
    export_columns = PROCEDURE_COLUMNS

    def base_queryset(self):
        return (
            Procedure.objects.visible_to(self.request.user)
            .select_related("department", "process")
            .annotate(step_count=Count("steps"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(colours=STATUS_COLOURS, can_manage=services.can_manage(self.request.user))
        return context


class ProcedureDetailView(PortalPermissionMixin, DetailView):
    template_name = "procedures/procedure_detail.html"
    context_object_name = "procedure"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            selectors.procedure_for_page(Procedure.objects.all()),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        procedure = self.object
        lists = selectors.procedure_lists(procedure)
        steps = selectors.procedure_steps(procedure)
        user = self.request.user
        openable = openable_documents(user, lists["documents"])
        context.update(
            laws_openable=external_documents_open_to(user),
            # only what the reader may open: a restricted document's title is not theirs
            documents=[d for d in lists["documents"] if d.pk in openable],
            colours=STATUS_COLOURS,
            steps=steps,
            dossier=selectors.procedure_dossier(procedure),
            steps_days=short_number(sum((step.allowance_days for step in steps), 0)),
            can_manage=services.can_manage(user),
            can_mark_reviewed=bool(procedure.review_flag)
            and (services.can_manage(user) or procedure.owner_id == user.pk),
            statuses=[s for s in ProcedureStatus if s != procedure.status],
            history_entries=object_history(procedure, limit=15),
        )
        return context


class ProcedureFormView(PortalPermissionMixin, View):
    """New procedure or change one: the procedure, its steps and its dossier together."""

    permission_required = "procedures.manage_processes"
    template_name = "procedures/procedure_form.html"

    def _procedure(self, pk):
        if pk is None:
            return Procedure()
        return get_visible_or_404(Procedure.objects.all(), self.request.user, pk=pk)

    def _forms(self, procedure, data=None):
        departments = department_choices()
        if data is None and procedure.pk:
            steps_initial = [
                {
                    "name": s.name,
                    "department": s.department_id,
                    "role": s.role,
                    "allowance": s.allowance,
                    "unit": s.unit,
                }
                for s in procedure.steps.order_by("position")
            ]
            dossier_initial = [
                {"name": d.name, "copies": d.copies, "required": d.required}
                for d in procedure.dossier.order_by("position")
            ]
        else:
            steps_initial = dossier_initial = None
        return (
            ProcedureForm(data, instance=procedure),
            StepFormSet(
                data,
                prefix="steps",
                initial=steps_initial,
                form_kwargs={"departments": departments},
            ),
            DossierFormSet(data, prefix="dossier", initial=dossier_initial),
        )

    def _render(self, procedure, form, steps, dossier):
        return render(
            self.request,
            self.template_name,
            {
                "procedure": procedure,
                "form": form,
                "steps": steps,
                "dossier": dossier,
                "hours_per_day": short_number(hours_per_day()),
            },
        )

    def get(self, request, pk=None):
        procedure = self._procedure(pk)
        return self._render(procedure, *self._forms(procedure))

    def post(self, request, pk=None):
        procedure = self._procedure(pk)
        form, steps, dossier = self._forms(procedure, request.POST)
        if form.is_valid() and steps.is_valid() and dossier.is_valid():
            try:
                saved = services.procedure_save(
                    actor=request.user,
                    procedure=form.save(commit=False),
                    steps=[d for d in (f.as_data() for f in steps) if d],
                    dossier=[d for d in (f.as_data() for f in dossier) if d],
                    version=form.cleaned_data.get("version"),
                    legal_basis=form.cleaned_data["legal_basis"],
                    documents=form.cleaned_data["documents"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The procedure was saved."))
                return redirect(saved)
        return self._render(procedure, form, steps, dossier)


class ProcedureStatusView(PortalPermissionMixin, View):
    permission_required = "procedures.manage_processes"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        procedure = get_visible_or_404(Procedure.objects.all(), request.user, pk=pk)
        try:
            services.procedure_set_status(
                actor=request.user,
                procedure=procedure,
                status=request.POST.get("status", ""),
                version=posted_int(request.POST.get("version")),
            )
            messages.success(request, _("The procedure's status was changed."))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(procedure)


class ProcedureReviewedView(PortalPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        procedure = get_visible_or_404(Procedure.objects.all(), request.user, pk=pk)
        try:
            services.review_done(
                actor=request.user,
                procedure=procedure,
                version=posted_int(request.POST.get("version")),
            )
            messages.success(request, _("The procedure is marked as reviewed."))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(procedure)


class ProcedureAttentionView(PortalPermissionMixin, View):
    """The QMS manager answers a flag: raise a nonconformity, or dismiss it with a reason."""

    permission_required = "procedures.manage_processes"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        procedure = get_visible_or_404(Procedure.objects.all(), request.user, pk=pk)
        raise_nc = request.POST.get("decision") == "raise"
        try:
            nc = services.attention_resolve(
                actor=request.user,
                procedure=procedure,
                version=posted_int(request.POST.get("version")),
                raise_nc=raise_nc,
                reason=request.POST.get("reason", ""),
            )
            if nc is not None:
                messages.success(
                    request, _("Nonconformity %(number)s is raised.") % {"number": nc.number}
                )
            else:
                messages.success(request, _("The flag is dismissed."))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(procedure)


class ProcedureImportView(PortalPermissionMixin, View):
    """Upload → preview of every row (nothing written) → confirm → all rows saved."""

    permission_required = "procedures.manage_processes"
    template_name = "procedures/procedure_import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ImportForm()})

    def post(self, request):
        token = request.POST.get("token", "")
        if token:
            try:
                plan = importing.apply_stored(actor=request.user, token=token)
            except ValidationError as error:
                errors_to_messages(request, error)
                return redirect("procedures:procedure_import")
            messages.success(
                request,
                _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "created": plan.count("create"),
                    "updated": plan.count("update"),
                    "unchanged": plan.count("unchanged"),
                },
            )
            return redirect("procedures:procedure_list")
        form = ImportForm(request.POST, request.FILES)
        plan = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                content = upload.read()
                plan = importing.plan_upload(upload.name, content)
                upload.seek(0)
                token = importing.store_upload(upload) if plan.ok else ""
            except ValidationError as error:
                add_service_errors(form, error)
                plan, token = None, ""
        else:
            token = ""
        return render(request, self.template_name, {"form": form, "plan": plan, "token": token})


# --- Processes ----------------------------------------------------------------------


PROCESS_COLUMNS = [
    exports.Column(gettext_lazy("Code"), lambda p: p.code),
    exports.Column(gettext_lazy("Name"), lambda p: p.name),
    exports.Column(gettext_lazy("Process type"), lambda p: p.get_process_type_display()),
    exports.Column(gettext_lazy("Owner department"), lambda p: p.department),
    exports.Column(gettext_lazy("Process owner"), lambda p: p.owner or ""),
    exports.Column(gettext_lazy("Procedures"), lambda p: p.procedure_count),
]


class ProcessListView(ObjectListView):
    model = Process
    template_name = "procedures/process_list.html"
    filterset_class = ProcessFilter
    title = gettext_lazy("Processes")
    sort_fields = {
        "code": ("code",),
        "name": ("name",),
        "type": ("process_type", "code"),
        "department": ("department__name", "code"),
    }
    default_sort = "code"
    export_name = "processes"
    export_columns = PROCESS_COLUMNS

    def base_queryset(self):
        return (
            Process.objects.visible_to(self.request.user)
            .select_related("department", "owner")
            .annotate(procedure_count=Count("procedures", distinct=True))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(colours=PROCESS_COLOURS, can_manage=services.can_manage(self.request.user))
        return context


class ProcessMapView(PortalPermissionMixin, TemplateView):
    template_name = "procedures/process_map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        processes = selectors.processes_for_map(self.request.user)
        context.update(
            map=layout(processes),
            processes=processes,
            colours=PROCESS_COLOURS,
            can_manage=services.can_manage(self.request.user),
        )
        return context


class ProcessDetailView(PortalPermissionMixin, DetailView):
    template_name = "procedures/process_detail.html"
    context_object_name = "process"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            Process.objects.select_related("department", "owner").prefetch_related(
                "hands_over_to",
                "receives_from",
                # only what the reader may open: a restricted document's title is not theirs
                Prefetch(
                    "documents",
                    queryset=Document.objects.visible_to(self.request.user).order_by("code"),
                ),
                "indicators",
                Prefetch(
                    "procedures",
                    queryset=Procedure.objects.select_related("department").order_by("code"),
                ),
            ),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            indicators=process_indicators(self.object),
            colours=PROCESS_COLOURS,
            status_colours=STATUS_COLOURS,
            can_manage=services.can_manage(self.request.user),
            history_entries=object_history(self.object, limit=15),
        )
        return context


def process_indicators(process: Process) -> list[dict]:
    """Each indicator with its actual value over the last twelve whole months, computed from
    the cases of the process's procedures, whether it meets the target, and the monthly
    on-time series for on-time indicators (a few queries, whatever the number of cases)."""
    from datetime import date

    from django.utils import timezone

    from procedures.choices import Direction, Measure
    from procedures.models import ServiceCase
    from procedures.performance import chart, monthly_on_time, performance, total
    from procedures.performance_views import months_between

    indicators = list(process.indicators.all())
    live = [i for i in indicators if i.measure != Measure.MANUAL]
    figures, trend = None, []
    if live:
        end = timezone.localdate().replace(day=1)
        start = date(end.year - 1, end.month, 1)
        cases = ServiceCase.objects.filter(procedure__process=process)
        figures = total(performance(cases, start, end, "process"))
        if any(i.measure == Measure.ON_TIME for i in live):
            trend = monthly_on_time(cases, months_between(start, end)[:12])
    rows = []
    for indicator in indicators:
        actual = None
        if figures is not None:
            actual = {
                Measure.ON_TIME: figures.on_time_rate,
                Measure.SATISFACTION: figures.satisfaction,
                Measure.AVERAGE_DAYS: figures.average_days,
            }.get(indicator.measure)
        met = None
        if actual is not None:
            target = float(indicator.target)
            met = actual >= target if indicator.direction == Direction.HIGHER else actual <= target
        rows.append(
            {
                "indicator": indicator,
                "actual": actual,
                "met": met,
                "trend": trend if indicator.measure == Measure.ON_TIME else [],
                "chart": chart(trend, float(indicator.target))
                if indicator.measure == Measure.ON_TIME and trend
                else None,
            }
        )
    return rows


class ProcessFormView(PortalPermissionMixin, View):
    permission_required = "procedures.manage_processes"
    template_name = "procedures/process_form.html"

    def _process(self, pk):
        if pk is None:
            return Process()
        return get_visible_or_404(Process.objects.all(), self.request.user, pk=pk)

    def _forms(self, process, data=None):
        initial = None
        if data is None and process.pk:
            initial = [
                {
                    "name": i.name,
                    "target": i.target,
                    "unit": i.unit,
                    "direction": i.direction,
                    "measure": i.measure,
                }
                for i in process.indicators.all()
            ]
        return (
            ProcessForm(data, instance=process),
            IndicatorFormSet(data, prefix="indicators", initial=initial),
        )

    def _render(self, process, form, indicators):
        return render(
            self.request,
            self.template_name,
            {"process": process, "form": form, "indicators": indicators},
        )

    def get(self, request, pk=None):
        process = self._process(pk)
        return self._render(process, *self._forms(process))

    def post(self, request, pk=None):
        process = self._process(pk)
        form, indicators = self._forms(process, request.POST)
        if form.is_valid() and indicators.is_valid():
            try:
                saved = services.process_save(
                    actor=request.user,
                    process=form.save(commit=False),
                    version=form.cleaned_data.get("version"),
                    hands_over_to=form.cleaned_data["hands_over_to"],
                    documents=form.cleaned_data["documents"],
                    indicators=[d for d in (f.as_data() for f in indicators) if d],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The process was saved."))
                return redirect(saved)
        return self._render(process, form, indicators)
