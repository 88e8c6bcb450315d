"""Pages of service cases: the list, receiving at the desk, the case page and its steps."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from procedures import selectors, services
from procedures.filters import CaseFilter
from procedures.forms import ApologyForm, CloseForm, MoveForm, NoteForm, PauseForm, ReceiveForm
from procedures.models import CaseStatus, Procedure, ServiceCase
from qms import exports
from qms.history import object_history
from qms.views.generic import (
    ObjectListView,
    PortalPermissionMixin,
    add_service_errors,
    errors_to_messages,
    posted_int,
    render_detail_again,
)
from qms.visibility import get_visible_or_404

CASE_COLOURS = {
    CaseStatus.IN_PROGRESS: "primary",
    CaseStatus.PAUSED: "warning",
    CaseStatus.COMPLETED: "success",
    CaseStatus.RETURNED: "secondary",
    CaseStatus.WITHDRAWN: "secondary",
}

CASE_COLUMNS = [
    exports.Column(gettext_lazy("Receipt code"), lambda c: c.receipt_code),
    exports.Column(gettext_lazy("Procedure"), lambda c: c.procedure.code),
    exports.Column(gettext_lazy("Applicant"), lambda c: c.applicant_name),
    exports.Column(gettext_lazy("Department in charge"), lambda c: c.department),
    exports.Column(gettext_lazy("Received at"), lambda c: c.received_at),
    exports.Column(gettext_lazy("Due"), lambda c: c.due_at),
    exports.Column(gettext_lazy("Status"), lambda c: c.get_status_display()),
    exports.Column(
        gettext_lazy("Current step"), lambda c: c.current_step.name if c.current_step_id else ""
    ),
    exports.Column(gettext_lazy("Finished at"), lambda c: c.finished_at),
    exports.Column(
        gettext_lazy("On time"),
        lambda c: "" if c.on_time is None else (_("yes") if c.on_time else _("no")),
    ),
    exports.Column(gettext_lazy("Working days used"), lambda c: c.working_days_used),
]


class CaseListView(ObjectListView):
    model = ServiceCase
    template_name = "procedures/case_list.html"
    filterset_class = CaseFilter
    title = gettext_lazy("Service cases")
    sort_fields = {
        "received": ("-received_at", "-pk"),
        "due": ("due_at", "pk"),
        "code": ("receipt_code",),
    }
    default_sort = "received"
    row_fields = (
        "receipt_code",
        "applicant_name",
        "received_at",
        "due_at",
        "status",
        "on_time",
        "procedure__code",
        "procedure__name",
        "current_step__position",
        "current_step__name",
        "current_step__department__name",
        "current_step__handler__first_name",
        "current_step__handler__last_name",
        "current_step__handler__username",
    )
    export_name = "service-cases"
    export_columns = CASE_COLUMNS

    def base_queryset(self):
        return ServiceCase.objects.visible_to(self.request.user).select_related(
            "procedure", "department", "current_step__department", "current_step__handler"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["colours"] = CASE_COLOURS
        now = timezone.now()
        for case in context["page_obj"]:
            # in the row's values, so that a kept row turns red when the time passes
            case.overdue_now = case.status == CaseStatus.IN_PROGRESS and case.due_at < now
        return context


class CaseReceiveView(PortalPermissionMixin, View):
    """The one-stop desk: choose the procedure, then the applicant and the dossier."""

    template_name = "procedures/case_receive.html"

    def _procedure(self, request):
        pk = request.GET.get("procedure") or request.POST.get("procedure")
        if not pk:
            return None
        if posted_int(pk) is None:
            raise Http404
        return get_visible_or_404(
            Procedure.objects.filter(status="active").select_related("department"),
            request.user,
            pk=pk,
        )

    def _render(self, request, procedure, form):
        return render(
            request,
            self.template_name,
            {
                "procedure": procedure,
                "form": form,
                "procedures": Procedure.objects.filter(status="active").order_by("field", "code")
                if procedure is None
                else [],
            },
        )

    def get(self, request):
        procedure = self._procedure(request)
        form = ReceiveForm(procedure=procedure) if procedure else None
        return self._render(request, procedure, form)

    def post(self, request):
        procedure = self._procedure(request)
        if procedure is None:
            raise Http404
        form = ReceiveForm(request.POST, procedure=procedure)
        if form.is_valid():
            try:
                case = services.case_receive(
                    actor=request.user,
                    procedure=procedure,
                    applicant=form.applicant(),
                    dossier_received=form.cleaned_data["dossier"],
                    channel=form.cleaned_data["channel"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Case %(code)s received; due %(due)s. Print the receipt for the applicant.")
                    % {
                        "code": case.receipt_code,
                        "due": f"{timezone.localtime(case.due_at):%d/%m/%Y %H:%M}",
                    },
                )
                return redirect(case)
        return self._render(request, procedure, form)


class CaseDetailView(PortalPermissionMixin, DetailView):
    template_name = "procedures/case_detail.html"
    context_object_name = "case"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            ServiceCase.objects.select_related(
                "procedure", "department", "received_by", "current_step__department"
            ),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        forms = forms or {}
        case = self.object
        user = self.request.user
        steps = selectors.case_steps(case)
        current = next((s for s in steps if s.pk == case.current_step_id), None)
        following = next((s for s in steps if current and s.position == current.position + 1), None)
        can_handle = current is not None and services.can_handle(user, current)
        now = timezone.now()
        context.update(
            colours=CASE_COLOURS,
            steps=steps,
            following=following,
            can_handle=can_handle,
            is_late=case.is_open and now > case.due_at,
            needs_apology=case.is_open and now > case.due_at and not case.apology_issued_at,
            pauses=selectors.case_pauses(case),
            notes=selectors.case_notes(case),
            dossier=selectors.case_dossier(case),
            move_form=forms.get("move")
            or MoveForm(next_step=following, initial={"version": case.version}),
            pause_form=forms.get("pause")
            or PauseForm(initial={"version": case.version, "notified_on": timezone.localdate()}),
            close_form=forms.get("close") or CloseForm(initial={"version": case.version}),
            apology_form=forms.get("apology") or ApologyForm(initial={"version": case.version}),
            note_form=forms.get("note") or NoteForm(),
            history_entries=object_history(case, limit=15),
        )
        return context


class CaseStepView(PortalPermissionMixin, View):
    """Every action form of the case page posts here with ``step``."""

    http_method_names = ["post"]

    FORMS = {
        "move": MoveForm,
        "pause": PauseForm,
        "close": CloseForm,
        "apology": ApologyForm,
        "note": NoteForm,
    }

    def post(self, request, pk: int):
        case = get_visible_or_404(
            ServiceCase.objects.select_related("current_step__department"), request.user, pk=pk
        )
        step = request.POST.get("step", "")
        if step == "resume":
            try:
                services.case_resume(
                    actor=request.user, case=case, version=posted_int(request.POST.get("version"))
                )
                messages.success(request, _("The supplement is received; the clock runs again."))
            except ValidationError as error:
                errors_to_messages(request, error)
            return redirect(case)
        if step not in self.FORMS:
            raise Http404
        kwargs = {}
        if step == "move":
            following = (
                case.steps.filter(
                    position=(case.current_step.position + 1) if case.current_step_id else 0
                )
                .select_related("department")
                .first()
            )
            kwargs["next_step"] = following
        form = self.FORMS[step](request.POST, **kwargs)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                done = self._apply(step, request.user, case, data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done)
                return redirect(case)
        return render_detail_again(request, CaseDetailView, pk, {step: form})

    def _apply(self, step: str, actor, case: ServiceCase, data: dict) -> str:
        if step == "move":
            moved = services.case_move(
                actor=actor,
                case=case,
                version=data["version"],
                note=data["note"],
                handler=data.get("handler"),
            )
            if moved.status == CaseStatus.COMPLETED:
                return _("The case is completed.")
            return _("The case moved to step %(number)s: %(step)s.") % {
                "number": moved.current_step.position,
                "step": moved.current_step.name,
            }
        if step == "pause":
            services.case_pause(actor=actor, case=case, **data)
            return _("The case waits for the supplement; the clock is stopped.")
        if step == "close":
            services.case_close(actor=actor, case=case, **data)
            return _("The case is closed.")
        if step == "apology":
            services.apology_issue(actor=actor, case=case, **data)
            return _(
                "The reason is recorded. Print the apology letter and give it to the applicant."
            )
        services.case_annotate(actor=actor, case=case, text=data["text"])
        return _("The note is added.")


class CaseLetterView(PortalPermissionMixin, View):
    """The receipt (giấy biên nhận) or the apology letter, as PDF, in the letters' language."""

    kind = "receipt"

    def get(self, request, pk: int):
        from qms.context_processors import agency_name
        from qms.pdf import render_pdf

        case = get_visible_or_404(
            ServiceCase.objects.select_related("procedure", "department", "received_by"),
            request.user,
            pk=pk,
        )
        if self.kind == "apology" and not case.apology_issued_at:
            raise Http404
        with translation.override(settings.QMS_LETTER_LANGUAGE):
            pdf = render_pdf(
                f"procedures/{self.kind}_pdf.html",
                {
                    "case": case,
                    "dossier": list(case.dossier.all()),
                    "agency_name": agency_name(),
                    "today": timezone.localdate(),
                },
            )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{case.receipt_code}-{self.kind}.pdf"'
        return response
