"""Pages of internal audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView

from audits import services
from audits.choices import AUDIT_COLOURS, RESULT_COLOURS, AuditStatus, ProgrammeStatus
from audits.filters import AuditFilter
from audits.forms import (
    AnswerForm,
    ApproveForm,
    AuditForm,
    ExternalAuditorForm,
    FindingActionForm,
    FindingEditForm,
    FindingForm,
    ProgrammeForm,
    QuestionForm,
    ReportCorrectionForm,
    ReportForm,
    SessionForm,
    WithdrawFindingForm,
)
from audits.models import Audit, AuditProgramme, ChecklistItem, Finding
from audits.selectors import (
    checklist_listed,
    external_auditors,
    findings_listed,
    plan_lists,
    sessions_listed,
)
from audits.workflows import AUDIT_FLOW
from qms import exports
from qms.attachments import attachments_grouped
from qms.forms import choices_from
from qms.history import object_history
from qms.iso import guidance_for
from qms.models import Department
from qms.signatures import signatures_listed
from qms.views.generic import (
    ObjectListView,
    PortalPermissionMixin,
    ServiceFormView,
    add_service_errors,
    errors_to_messages,
    posted_int,
    render_detail_again,
)
from qms.visibility import get_visible_or_404, mark_openable


class AuditListView(ObjectListView):
    model = Audit
    template_name = "audits/audit_list.html"
    filterset_class = AuditFilter
    title = gettext_lazy("Audits")
    sort_fields = {"start": ("-start_date", "-pk"), "reference": ("reference",)}
    default_sort = "start"
    export_name = "audits"
    export_columns = [
        exports.Column(gettext_lazy("Reference"), lambda a: a.reference),
        exports.Column(gettext_lazy("Title"), lambda a: a.title),
        exports.Column(gettext_lazy("Type"), lambda a: a.get_audit_type_display()),
        exports.Column(gettext_lazy("From"), lambda a: a.start_date),
        exports.Column(gettext_lazy("To"), lambda a: a.end_date),
        exports.Column(gettext_lazy("Lead auditor"), lambda a: a.lead_auditor),
        exports.Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
        exports.Column(gettext_lazy("Findings"), lambda a: a.finding_count),
    ]

    def base_queryset(self):
        return (
            Audit.objects.visible_to(self.request.user)
            .select_related("lead_auditor", "programme")
            .annotate(
                finding_count=Count(
                    "findings", filter=Q(findings__withdrawn_at__isnull=True), distinct=True
                )
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["colours"] = AUDIT_COLOURS
        context["can_plan"] = self.request.user.has_perm("audits.manage_audits")
        return context


class AuditFormView(ServiceFormView):
    permission_required = "audits.manage_audits"
    model = Audit
    form_class = AuditForm
    form_user_kwarg = "actor"
    context_object_name = "audit"
    template_name = "audits/audit_form.html"

    def get_initial(self):
        initial = super().get_initial()
        programme = posted_int(self.request.GET.get("programme"))
        if programme is not None:
            initial["programme"] = programme
        return initial

    def save(self, form):
        data = form.cleaned_data
        return services.audit_plan(
            actor=self.request.user,
            audit=form.save(commit=False),
            departments=list(data["scope_departments"]),
            team=list(data["team"]),
            procedures=data["scope_procedures"],
            clauses=data["criteria_clauses"],
            documents=data["criteria_documents"],
            legal=data["legal_criteria"],
            version=data.get("version"),
        )

    def success_message(self, audit) -> str:
        return _("Audit %(reference)s is planned; the team was notified.") % {
            "reference": audit.reference
        }


class AuditDetailView(PortalPermissionMixin, DetailView):
    template_name = "audits/audit_detail.html"
    context_object_name = "audit"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            Audit.objects.select_related("lead_auditor", "programme"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit = self.object
        user = self.request.user
        forms = kwargs.get("forms", {})
        plan = plan_lists(audit)
        team = plan["team"]
        is_auditor = audit.lead_auditor_id == user.pk or user in team
        signatures = signatures_listed(audit)
        signed_hashes = {s.content_sha256 for s in signatures}
        checklist = checklist_listed(audit)
        item_type = ContentType.objects.get_for_model(ChecklistItem)
        files = attachments_grouped(
            {ChecklistItem: [item.pk for item in checklist], Audit: [audit.pk]}
        )
        for item in checklist:
            item.files = files.get((ChecklistItem, item.pk), [])
            item.guidance = guidance_for(item.clause_number) if item.clause_id else ""
        findings = findings_listed(audit)
        mark_openable(findings, user, "nonconformity", "action")
        can_fill = is_auditor and audit.status == AuditStatus.IN_PROGRESS
        can_manage_access = user.has_perm("audits.manage_audits")
        # one finding at a time is corrected (?edit=<id>), so the page renders one form
        editing = None
        if can_fill:
            edit_form = forms.get("edit")
            edit_id = (
                edit_form.instance.pk if edit_form else posted_int(self.request.GET.get("edit"))
            )
            editing = next((f for f in findings if f.pk == edit_id and not f.withdrawn_at), None)
            if editing is not None:
                editing.edit_form = edit_form or FindingEditForm(instance=editing, audit=audit)
        is_lead = audit.lead_auditor_id == user.pk
        manages = user.has_perm("audits.manage_audits")
        can_add_session = (is_lead or manages) and audit.status in (
            AuditStatus.PLANNED,
            AuditStatus.PREPARED,
            AuditStatus.IN_PROGRESS,
        )
        can_edit_checklist = (is_auditor or manages) and audit.status in (
            AuditStatus.PLANNED,
            AuditStatus.PREPARED,
        )
        can_follow_up = (
            (is_lead or manages)
            and audit.status in (AuditStatus.FINDINGS_CONFIRMED, AuditStatus.REPORTED)
            and any(
                f.kind in ("observation", "ofi") and not f.action_id and not f.withdrawn_at
                for f in findings
            )
        )
        can_sign = is_lead and audit.status == AuditStatus.FINDINGS_CONFIRMED
        can_correct = is_lead and audit.status in (AuditStatus.REPORTED, AuditStatus.CLOSED)
        departments = plan["scope_departments"]

        # most readers may do none of this: a form (and the queries behind its choices) is
        # built only for a section the page shows
        def form_for(step: str, shown: bool, build):
            if not shown:
                return None
            form = forms.get(step) or build()
            if "department" in form.fields:
                choices_from(form.fields["department"], departments)
            return form

        outsiders = external_auditors(audit) if can_manage_access else []
        external_form = None
        if can_manage_access:
            external_form = ExternalAuditorForm()
            choices_from(external_form.fields["user"], [p for p in outsiders if p.is_active])
        context.update(
            editing=editing,
            colours=AUDIT_COLOURS,
            result_colours=RESULT_COLOURS,
            departments=departments,
            procedures=plan["scope_procedures"],
            clauses=plan["criteria_clauses"],
            criteria_documents=plan["criteria_documents"],
            legal=plan["legal_criteria"],
            team=team,
            sessions=sessions_listed(audit),
            checklist=checklist,
            findings=findings,
            transitions=[t for t in AUDIT_FLOW.available(audit, user) if t.name != "report"],
            is_auditor=is_auditor,
            can_plan=manages and audit.status in (AuditStatus.PLANNED, AuditStatus.PREPARED),
            can_fill=can_fill,
            can_add_session=can_add_session,
            can_sign=can_sign,
            session_form=form_for("session", can_add_session, lambda: SessionForm(audit=audit)),
            finding_form=form_for("finding", can_fill, lambda: FindingForm(audit=audit)),
            report_form=form_for(
                "report",
                can_sign,
                lambda: ReportForm(initial={"version": audit.version, "summary": audit.summary}),
            ),
            external_form=external_form,
            external_auditors=[person for person in outsiders if person.has_access],
            can_manage_access=can_manage_access,
            can_follow_up=can_follow_up,
            action_form=form_for("action", can_follow_up, lambda: FindingActionForm(audit=audit)),
            answer_form=AnswerForm() if can_fill else None,
            item_type_id=item_type.pk,
            can_edit_checklist=can_edit_checklist,
            question_form=form_for(
                "question", can_edit_checklist, lambda: QuestionForm(audit=audit)
            ),
            # only the signed report PDFs are "the report" (oldest first: version 1, 2…);
            # other files on the audit are evidence
            reports=[a for a in files.get((Audit, audit.pk), []) if a.sha256 in signed_hashes],
            can_correct=can_correct,
            correction_form=form_for(
                "correction",
                can_correct,
                lambda: ReportCorrectionForm(
                    initial={
                        "version": audit.version,
                        "summary": audit.summary,
                        "conclusion": audit.conclusion,
                    }
                ),
            ),
            signatures=signatures,
            answered=sum(1 for item in checklist if item.result),
            history_entries=object_history(audit, limit=15),
        )
        return context


def _again(request, audit, **forms):
    return render_detail_again(request, AuditDetailView, audit.pk, forms)


class AuditStepView(PortalPermissionMixin, View):
    """Every form of the audit's page posts here with ``step``."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        audit = get_visible_or_404(
            Audit.objects.select_related("lead_auditor"), request.user, pk=pk
        )
        step = request.POST.get("step", "")
        try:
            if step == "move":
                services.audit_move(
                    actor=request.user,
                    audit=audit,
                    move=request.POST.get("move", ""),
                    version=posted_int(request.POST.get("version")),
                )
                messages.success(
                    request,
                    _("The audit moved on: %(status)s.")
                    % {"status": Audit.objects.get(pk=pk).get_status_display()},
                )
            elif step == "checklist":
                count = services.checklist_generate(actor=request.user, audit=audit)
                messages.success(
                    request, _("%(count)s questions added to the checklist.") % {"count": count}
                )
            elif step == "session":
                form = SessionForm(request.POST, audit=audit)
                if not form.is_valid():
                    return _again(request, audit, session=form)
                services.session_add(actor=request.user, audit=audit, **form.cleaned_data)
                messages.success(
                    request, _("The session is in the plan; the department head was notified.")
                )
            elif step == "question":
                item = None
                if request.POST.get("item"):
                    item = get_object_or_404(ChecklistItem, pk=request.POST["item"], audit=audit)
                form = QuestionForm(request.POST, audit=audit)
                if not form.is_valid():
                    return _again(request, audit, question=form)
                try:
                    item = services.checklist_question_save(
                        actor=request.user, audit=audit, item=item, **form.cleaned_data
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                    return _again(request, audit, question=form)
                messages.success(request, _("The checklist is updated."))
                return redirect(audit.get_absolute_url() + f"#item-{item.position}")
            elif step == "answer":
                item = get_object_or_404(ChecklistItem, pk=request.POST.get("item"), audit=audit)
                form = AnswerForm(request.POST)
                form.is_valid()
                services.checklist_answer(actor=request.user, item=item, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect(audit.get_absolute_url() + f"#item-{item.position}")
            elif step == "finding":
                form = FindingForm(request.POST, audit=audit)
                if not form.is_valid():
                    return _again(request, audit, finding=form)
                finding = form.save(commit=False)
                finding.audit = audit
                item_id = request.POST.get("item")
                if item_id:
                    finding.checklist_item = audit.checklist.filter(pk=item_id).first()
                services.finding_add(actor=request.user, finding=finding)
                messages.success(request, _("The finding is recorded."))
                return redirect(audit.get_absolute_url() + "#findings")
            elif step == "finding_edit":
                finding = get_object_or_404(
                    Finding, pk=posted_int(request.POST.get("finding")), audit=audit
                )
                form = FindingEditForm(request.POST, instance=finding, audit=audit)
                if form.is_valid():
                    try:
                        services.finding_update(
                            actor=request.user, finding=finding, **form.cleaned_data
                        )
                        messages.success(request, _("The finding is corrected."))
                        return redirect(audit.get_absolute_url() + f"#finding-{finding.number}")
                    except ValidationError as error:
                        add_service_errors(form, error)
                return _again(request, audit, edit=form)
            elif step == "finding_withdraw":
                finding = get_object_or_404(
                    Finding, pk=posted_int(request.POST.get("finding")), audit=audit
                )
                form = WithdrawFindingForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Say why the finding is withdrawn."))
                services.finding_withdraw(actor=request.user, finding=finding, **form.cleaned_data)
                messages.success(
                    request, _("The finding is withdrawn; it stays on record, struck through.")
                )
                return redirect(audit.get_absolute_url() + f"#finding-{finding.number}")
            elif step == "action":
                form = FindingActionForm(request.POST, audit=audit)
                if not form.is_valid():
                    return _again(request, audit, action=form)
                try:
                    action = services.finding_action(actor=request.user, **form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(form, error)
                    return _again(request, audit, action=form)
                messages.success(
                    request,
                    _("Action %(number)s is in the tracker; its owner was notified.")
                    % {"number": action.number},
                )
                return redirect(audit.get_absolute_url() + "#findings")
            elif step == "report":
                form = ReportForm(request.POST)
                if form.is_valid():
                    try:
                        services.report_sign(
                            actor=request.user, audit=audit, request=request, **form.cleaned_data
                        )
                        messages.success(request, _("The report is signed and frozen."))
                        return redirect(audit)
                    except ValidationError as error:
                        add_service_errors(form, error)
                return _again(request, audit, report=form)
            elif step == "correct":
                form = ReportCorrectionForm(request.POST)
                if form.is_valid():
                    try:
                        corrected = services.report_correct(
                            actor=request.user, audit=audit, request=request, **form.cleaned_data
                        )
                        messages.success(
                            request,
                            _("Version %(number)s of the report is signed; earlier ones are kept.")
                            % {"number": corrected.report_version},
                        )
                        return redirect(audit)
                    except ValidationError as error:
                        add_service_errors(form, error)
                return _again(request, audit, correction=form)
            elif step == "external":
                form = ExternalAuditorForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Choose an external auditor."))
                services.assign_external_auditor(
                    actor=request.user, audit=audit, user=form.cleaned_data["user"]
                )
                messages.success(
                    request, _("The external auditor can now see this audit, read-only.")
                )
            elif step == "external_remove":
                form = ExternalAuditorForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Choose an external auditor."))
                services.assign_external_auditor(
                    actor=request.user, audit=audit, user=form.cleaned_data["user"], granted=False
                )
                messages.success(
                    request,
                    _("%(name)s no longer sees this audit.") % {"name": form.cleaned_data["user"]},
                )
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(audit)


# --- Programme ----------------------------------------------------------------------


class ProgrammeListView(ObjectListView):
    model = AuditProgramme
    template_name = "audits/programme_list.html"
    title = gettext_lazy("Audit programmes")
    sort_fields = {"year": ("-year",)}
    default_sort = "year"

    def base_queryset(self):
        return AuditProgramme.objects.visible_to(self.request.user).annotate(
            audit_count=Count("audits")
        )


class ProgrammeFormView(PortalPermissionMixin, FormView):
    permission_required = "audits.manage_audits"
    form_class = ProgrammeForm
    template_name = "audits/programme_form.html"

    def get_initial(self):
        return {
            "year": timezone.localdate().year + (1 if timezone.localdate().month >= 10 else 0),
            "cycle_years": 3,
        }

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = AuditProgramme()
        return kwargs

    def form_valid(self, form):
        try:
            programme = services.programme_save(
                actor=self.request.user, programme=form.save(commit=False)
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect(programme)


class ProgrammeDetailView(PortalPermissionMixin, DetailView):
    """The programme with its coverage: when each department was last audited, open
    findings, and the gaps against the audit cycle."""

    template_name = "audits/programme_detail.html"
    context_object_name = "programme"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            AuditProgramme.objects.select_related("approved_by", "signature"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        from nonconformities.choices import OPEN_STATUSES

        context = super().get_context_data(**kwargs)
        programme = self.object
        cycle_start = timezone.localdate().replace(
            year=programme.year - programme.cycle_years + 1, month=1, day=1
        )
        departments = (
            Department.objects.filter(is_active=True, depth__lte=1)
            .annotate(
                last_audit=Max(
                    "audits__end_date",
                    filter=Q(audits__status__in=[AuditStatus.REPORTED, AuditStatus.CLOSED]),
                ),
                planned=Count("audits", filter=Q(audits__programme=programme), distinct=True),
                open_findings=Count(
                    "audits__findings",
                    filter=Q(audits__findings__nonconformity__status__in=OPEN_STATUSES),
                    distinct=True,
                ),
            )
            .order_by("path")
        )
        rows = [
            {
                "department": d,
                "last": d.last_audit,
                "planned": d.planned,
                "open": d.open_findings,
                "gap": not d.planned and (d.last_audit is None or d.last_audit < cycle_start),
            }
            for d in departments
        ]
        from qms.models import IsoClause

        clauses = IsoClause.objects.annotate(
            planned=Count("audits", filter=Q(audits__programme=programme), distinct=True)
        ).order_by("position")
        audits = list(programme.audits.select_related("lead_auditor").order_by("start_date"))
        mark_openable(audits, self.request.user)
        context.update(
            audits=audits,
            coverage=rows,
            clauses=clauses,
            colours=AUDIT_COLOURS,
            can_approve=self.request.user.has_perm("audits.approve_programme")
            and programme.status == ProgrammeStatus.DRAFT,
            can_plan=self.request.user.has_perm("audits.manage_audits")
            and programme.status == ProgrammeStatus.DRAFT,
            approve_form=kwargs.get("approve_form") or ApproveForm(),
            signatures=signatures_listed(programme),
            history_entries=object_history(programme, limit=10),
        )
        return context


class ProgrammeApproveView(PortalPermissionMixin, View):
    permission_required = "audits.approve_programme"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        programme = get_visible_or_404(AuditProgramme.objects, request.user, pk=pk)
        form = ApproveForm(request.POST)
        if form.is_valid():
            try:
                services.programme_approve(
                    actor=request.user,
                    programme=programme,
                    password=form.cleaned_data["password"],
                    request=request,
                )
                messages.success(request, _("The audit programme is approved."))
                return redirect(programme)
            except ValidationError as error:
                add_service_errors(form, error)
        page = ProgrammeDetailView()
        page.setup(request, pk=pk)
        page.object = page.get_object()
        return render(
            request,
            page.template_name,
            page.get_context_data(object=page.object, approve_form=form),
        )


class AuditPlanPdfView(PortalPermissionMixin, View):
    """The audit plan to print or send to auditees: scope, criteria, team, sessions."""

    def get(self, request, pk: int):
        audit = get_visible_or_404(
            Audit.objects.select_related("lead_auditor"), request.user, pk=pk
        )
        pdf = services.plan_pdf(audit)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{audit.reference}-plan.pdf"'
        return response
