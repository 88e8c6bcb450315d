"""Pages of document control. Views parse input, call one service, render."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from documents import selectors, services
from documents.choices import (
    DOCUMENT_COLOURS,
    REVISION_COLOURS,
    DocumentStatus,
    DocumentType,
    RevisionStatus,
    StepDecision,
)
from documents.filters import AcknowledgementFilter, DocumentFilter, ExternalDocumentFilter
from documents.forms import (
    DistributionForm,
    DocumentForm,
    ExternalDocumentForm,
    PeriodicReviewForm,
    ReasonForm,
    RevisionForm,
    StepDecisionForm,
    TypeSettingForm,
)
from documents.models import (
    Acknowledgement,
    ApprovalStep,
    DistributionEntry,
    Document,
    DocumentTypeSetting,
    ExternalDocument,
    Revision,
    external_documents_open_to,
)
from documents.workflows import REVISION_FLOW
from qms import exports
from qms.attachments import download_name
from qms.history import object_history
from qms.pdf import Stamp, stamp_pdf
from qms.signatures import signatures_listed
from qms.views.generic import (
    ObjectListView,
    PortalPermissionMixin,
    add_service_errors,
    errors_to_messages,
    posted_int,
)
from qms.visibility import get_visible_or_404

# --- Helpers ------------------------------------------------------------------------


# --- Register -----------------------------------------------------------------------


class DocumentListView(ObjectListView):
    model = Document
    template_name = "documents/document_list.html"
    filterset_class = DocumentFilter
    title = gettext_lazy("Document register")
    sort_fields = {
        "code": ("code",),
        "title": ("title",),
        "owner": ("owner__last_name", "owner__first_name", "code"),
        "type": ("document_type", "code"),
        "department": ("department__name", "code"),
        "review": ("next_review_date", "code"),
        "effective": ("effective_revision__effective_date", "code"),
    }
    default_sort = "code"
    row_fields = (
        "code",
        "title",
        "confidentiality",
        "review_flag",
        "review_flag_detail",
        "document_type",
        "status",
        "next_review_date",
        "department__name",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
        "effective_revision__number",
        "effective_revision__effective_date",
    )
    export_name = "document-register"
    pack_source = "documents"
    export_columns = [
        exports.Column(gettext_lazy("Code"), lambda d: d.code),
        exports.Column(gettext_lazy("Title"), lambda d: d.title),
        exports.Column(gettext_lazy("Type"), lambda d: d.get_document_type_display()),
        exports.Column(gettext_lazy("Department"), lambda d: d.department),
        exports.Column(gettext_lazy("Owner"), lambda d: d.owner),
        exports.Column(gettext_lazy("Status"), lambda d: d.get_status_display()),
        exports.Column(
            gettext_lazy("Revision"),
            lambda d: d.effective_revision.label if d.effective_revision_id else "",
        ),
        exports.Column(
            gettext_lazy("Effective date"),
            lambda d: d.effective_revision.effective_date if d.effective_revision_id else None,
        ),
        exports.Column(gettext_lazy("Next review"), lambda d: d.next_review_date),
        exports.Column(gettext_lazy("Confidentiality"), lambda d: d.get_confidentiality_display()),
        exports.Column(
            gettext_lazy("ISO 9001 clauses"), lambda d: ", ".join(c.number for c in d.clauses.all())
        ),
    ]

    def base_queryset(self):
        from django.db.models import OuterRef, Subquery

        open_revisions = Revision.objects.filter(
            document=OuterRef("pk"),
            status__in=[RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW, RevisionStatus.APPROVED],
        )
        return selectors.documents_for_register(self.request.user).annotate(
            open_number=Subquery(open_revisions.values("number")[:1]),
            open_status=Subquery(open_revisions.values("status")[:1]),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["colours"] = DOCUMENT_COLOURS
        context["revision_statuses"] = dict(RevisionStatus.choices)
        context["today"] = timezone.localdate()
        context["can_register"] = services.can_manage_register(self.request.user)
        return context


class DocumentCreateView(PortalPermissionMixin, FormView):
    permission_required = "documents.manage_register"
    form_class = DocumentForm
    template_name = "documents/document_form.html"

    def get_initial(self):
        initial = super().get_initial()
        document_type = self.request.GET.get("type")
        if document_type in DocumentType.values:
            initial["document_type"] = document_type
            initial["review_interval_months"] = services.type_setting(
                document_type
            ).review_interval_months
        parent = posted_int(self.request.GET.get("parent"))
        if parent is not None:
            initial["parent"] = parent
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(actor=self.request.user, instance=Document())
        return kwargs

    def form_valid(self, form):
        try:
            document = services.document_register(
                actor=self.request.user,
                document=form.save(commit=False),
                clauses=form.cleaned_data["clauses"],
                related=form.cleaned_data["related_documents"],
                legal_basis=form.cleaned_data["legal_basis"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(code)s is registered. Start revision 01 to add its content.")
            % {"code": document.code},
        )
        return redirect(document)


class DocumentUpdateView(PortalPermissionMixin, FormView):
    form_class = DocumentForm
    template_name = "documents/document_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.document = get_visible_or_404(Document.objects, request.user, pk=kwargs["pk"])
        if not (
            services.can_manage_register(request.user) or self.document.owner_id == request.user.pk
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(actor=self.request.user, instance=self.document)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(document=self.document, **kwargs)

    def form_valid(self, form):
        try:
            document = services.document_update(
                actor=self.request.user,
                document=form.save(commit=False),
                version=form.cleaned_data.get("version"),
                clauses=form.cleaned_data["clauses"],
                related=form.cleaned_data["related_documents"],
                legal_basis=form.cleaned_data["legal_basis"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The register entry was saved."))
        return redirect(document)


class DocumentDetailView(PortalPermissionMixin, DetailView):
    template_name = "documents/document_detail.html"
    context_object_name = "document"

    def get_object(self, queryset=None):
        try:
            return selectors.document_for_page(self.request.user, self.kwargs["pk"])
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        user = self.request.user
        revisions = (
            Revision.objects.visible_to(user)
            .filter(document=document)
            .select_related("created_by", "file")
            .order_by("-number")
        )
        effective = document.effective_revision
        is_manager = services.can_manage_register(user)
        is_owner = document.owner_id == user.pk
        open_revision = next(
            (
                r
                for r in revisions
                if r.status
                in (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW, RevisionStatus.APPROVED)
            ),
            None,
        )
        context.update(
            laws_openable=external_documents_open_to(self.request.user),
            describes=selectors.described_by(document),
            open_revision=open_revision,
            revisions=revisions,
            revision_colours=REVISION_COLOURS,
            colours=DOCUMENT_COLOURS,
            effective=effective,
            ack_summary=selectors.acknowledgement_summary(effective, user) if effective else None,
            distribution=selectors.distribution_listed(document),
            children=Document.objects.visible_to(user).filter(parent=document).order_by("code"),
            reviews=selectors.reviews_listed(document),
            review_form=PeriodicReviewForm(initial={"version": document.version}),
            withdraw_form=ReasonForm(initial={"version": document.version}),
            can_start_revision=open_revision is None
            and services.can_start_revision(user, document),
            can_edit=is_manager or is_owner,
            can_manage=is_manager,
            can_review=(is_owner or is_manager) and document.status == DocumentStatus.EFFECTIVE,
            can_distribute=is_manager or is_owner,
            history_entries=object_history(document, limit=15),
            today=timezone.localdate(),
        )
        return context


class DocumentWithdrawView(PortalPermissionMixin, View):
    permission_required = "documents.manage_register"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        document = get_visible_or_404(Document.objects, request.user, pk=pk)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please give a reason."))
            return redirect(document)
        try:
            services.document_withdraw(
                actor=request.user,
                document=document,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data.get("version"),
            )
            messages.success(request, _("The document is withdrawn; its revisions are obsolete."))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(document)


# --- Revisions ----------------------------------------------------------------------


def _initial_plan(document: Document, revision: Revision | None) -> dict:
    if revision is not None:
        plan = services.plan_of(revision)
    else:
        setting = DocumentTypeSetting.objects.filter(document_type=document.document_type).first()
        plan = services.StepPlan(
            reviewers=list(setting.default_reviewers.all()) if setting else [],
            approvers=list(setting.default_approvers.all()) if setting else [],
        )
    initial = {}
    for role, people in (("reviewer", plan.reviewers), ("approver", plan.approvers)):
        for i, person in enumerate(people[:4], start=1):
            initial[f"{role}_{i}"] = person.pk
    return initial


class RevisionCreateView(PortalPermissionMixin, FormView):
    form_class = RevisionForm
    template_name = "documents/revision_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.document = get_visible_or_404(Document.objects, request.user, pk=kwargs["pk"])
        if not services.can_start_revision(request.user, self.document):
            raise PermissionDenied
        open_revision = self.document.revisions.filter(
            status__in=[RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW, RevisionStatus.APPROVED]
        ).first()
        if open_revision is not None:
            messages.info(
                request,
                _("Revision %(number)s is already in progress: finish or discard it first.")
                % {"number": open_revision.label},
            )
            return redirect(open_revision)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return _initial_plan(self.document, None)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        from django.db.models import Max

        last = self.document.revisions.aggregate(last=Max("number"))["last"] or 0
        return super().get_context_data(
            document=self.document,
            next_number=f"{last + 1:02d}",
            effective=self.document.effective_revision,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            revision = services.revision_start(
                actor=self.request.user,
                document=self.document,
                upload=form.cleaned_data["file"],
                change_summary=form.cleaned_data["change_summary"],
                plan=services.StepPlan(form.people("reviewer"), form.people("approver")),
                planned_effective_date=form.cleaned_data["planned_effective_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Draft revision %(number)s saved. Check it, then submit it for review.")
            % {"number": revision.label},
        )
        return redirect(revision)


class RevisionUpdateView(PortalPermissionMixin, FormView):
    form_class = RevisionForm
    template_name = "documents/revision_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.revision = get_visible_or_404(
            Revision.objects.select_related("document", "file"), request.user, pk=kwargs["pk"]
        )
        if not services.can_edit_draft(request.user, self.revision):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = _initial_plan(self.revision.document, self.revision)
        initial.update(
            change_summary=self.revision.change_summary,
            planned_effective_date=self.revision.planned_effective_date,
            version=self.revision.version,
        )
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(actor=self.request.user, file_required=False)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            document=self.revision.document, revision=self.revision, **kwargs
        )

    def form_valid(self, form):
        try:
            revision = services.revision_update_draft(
                actor=self.request.user,
                revision=self.revision,
                version=form.cleaned_data.get("version"),
                change_summary=form.cleaned_data["change_summary"],
                plan=services.StepPlan(form.people("reviewer"), form.people("approver")),
                planned_effective_date=form.cleaned_data["planned_effective_date"],
                upload=form.cleaned_data.get("file"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The draft was saved."))
        return redirect(revision)


def _text_diff(old: str, new: str, limit: int = 400) -> list[tuple[str, str]]:
    """Line changes between two extracted texts: ("+", line), ("-", line), ("@", hunk)."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1):
        if line.startswith(("---", "+++")):
            continue
        lines.append((line[:1], line[1:]))
        if len(lines) >= limit:
            lines.append(("…", ""))
            break
    return lines


class RevisionDetailView(PortalPermissionMixin, DetailView):
    template_name = "documents/revision_detail.html"
    context_object_name = "revision"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A link to a revision outlives it (a notification, an e-mail, a bookmark), and
            # a superseded revision is not every reader's: whoever may read the document
            # is taken to it, where its effective revision is.
            replaced = [
                RevisionStatus.SUPERSEDED,
                RevisionStatus.OBSOLETE,
                RevisionStatus.DISCARDED,
            ]
            document = (
                Document.objects.visible_to(request.user)
                .filter(revisions__pk=kwargs["pk"], revisions__status__in=replaced)
                .first()
            )
            if document is None:
                raise
            messages.info(
                request,
                _("That revision is no longer current; here is the document as it stands."),
            )
            return redirect(document)

    def get_object(self, queryset=None):
        return get_visible_or_404(
            # with its text (left out of other queries): the page compares it with the last one
            Revision.objects.defer(None).select_related(
                "document", "document__owner", "document__department", "file", "created_by"
            ),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        revision = self.object
        user = self.request.user
        steps = selectors.approval_steps_of(revision)
        current = next(
            (
                s
                for s in steps
                if s.decision == StepDecision.PENDING
                and revision.status == RevisionStatus.IN_REVIEW
            ),
            None,
        )
        previous = (
            Revision.objects.visible_to(user)
            .defer(None)
            .filter(document=revision.document, number__lt=revision.number)
            .exclude(status=RevisionStatus.DISCARDED)
            .select_related("file")
            .order_by("-number")
            .first()
        )
        latest_round = max((s.round for s in steps), default=1)
        file_hash = revision.file.sha256 if revision.file_id else ""
        context.update(
            colours=REVISION_COLOURS,
            steps=[
                s for s in steps if s.round == latest_round or s.decision != StepDecision.CANCELLED
            ],
            current_step=current,
            my_turn=current is not None and current.user_id == user.pk,
            decision_form=kwargs.get("decision_form")
            or StepDecisionForm(
                initial={"version": revision.version}, role=current.role if current else "approver"
            ),
            discard_form=ReasonForm(initial={"version": revision.version}),
            previous=previous,
            diff=_text_diff(previous.text, revision.text)
            if previous and (previous.text or revision.text)
            else [],
            signatures=[
                (signature, signature.content_sha256 == file_hash)
                for signature in signatures_listed(revision)
            ],
            transitions=REVISION_FLOW.available(revision, user),
            can_edit=services.can_edit_draft(user, revision),
            ack_summary=selectors.acknowledgement_summary(revision, user)
            if revision.status == RevisionStatus.EFFECTIVE
            else None,
            can_see_acks=services.can_manage_register(user)
            or revision.document.owner_id == user.pk,
            history_entries=object_history(revision, limit=15),
        )
        return context


class RevisionSubmitView(PortalPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        revision = get_visible_or_404(Revision.objects, request.user, pk=pk)
        version = request.POST.get("version")
        try:
            services.revision_submit(
                actor=request.user, revision=revision, version=int(version) if version else None
            )
            messages.success(request, _("Submitted: the first reviewer or approver was notified."))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(revision)


class RevisionDiscardView(PortalPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        revision = get_visible_or_404(
            Revision.objects.select_related("document"), request.user, pk=pk
        )
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please give a reason."))
            return redirect(revision)
        try:
            services.revision_discard(
                actor=request.user,
                revision=revision,
                version=form.cleaned_data.get("version"),
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("The draft was discarded; it stays in the history."))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(revision.document)


class StepDecideView(PortalPermissionMixin, View):
    """Record a decision; on an error the page is shown again with what was typed."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        step = get_object_or_404(ApprovalStep.objects.select_related("revision"), pk=pk)
        revision = get_visible_or_404(Revision.objects, request.user, pk=step.revision_id)
        form = StepDecisionForm(request.POST, role=step.role)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.step_decide(
                    actor=request.user,
                    step=step,
                    decision=data["decision"],
                    comment=data["comment"],
                    password=data["password"],
                    version=data.get("version"),
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _decision_message(step.role, data["decision"]))
                return redirect(revision)
        page = RevisionDetailView()
        page.setup(request, pk=revision.pk)
        page.object = page.get_object()
        context = page.get_context_data(object=page.object, decision_form=form)
        return render(request, page.template_name, context)


def _decision_message(role: str, decision: str) -> str:
    if decision == StepDecision.APPROVED:
        if role == "reviewer":
            return _("Thank you: your review is signed and recorded.")
        return _("Thank you: your approval is signed and recorded.")
    if decision == StepDecision.CHANGES_REQUESTED:
        return _("The revision was returned to its drafter for changes.")
    return _("The revision was rejected and returned to its drafter.")


class RevisionFileView(PortalPermissionMixin, View):
    """The revision's file: PDFs stamped as a controlled copy, office files as they are."""

    def get(self, request, pk: int):
        revision = get_visible_or_404(
            Revision.objects.select_related("document", "file", "created_by"), request.user, pk=pk
        )
        if not revision.file_id:
            raise Http404
        attachment = revision.file
        filename = download_name(attachment)
        inline = False
        if attachment.mime_type == "application/pdf":
            with attachment.file.open("rb") as handle:
                data = stamp_pdf(handle.read(), _stamp_for(revision, request.user))
            inline = request.GET.get("view") == "1"
            response = HttpResponse(data, content_type=attachment.mime_type)
            response["Content-Disposition"] = content_disposition_header(not inline, filename)
        else:
            # Office files go out as they are, streamed from storage.
            response = FileResponse(
                attachment.file.open("rb"),
                as_attachment=True,
                filename=filename,
                content_type=attachment.mime_type,
            )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        if inline:
            # A validated PDF shown by the browser's viewer; nothing else may load.
            response["Content-Security-Policy"] = "default-src 'none'; object-src 'self'"
            response["X-Frame-Options"] = "SAMEORIGIN"
        else:
            response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response


def _stamp_for(revision: Revision, user) -> Stamp:
    document = revision.document
    steps = sorted(
        (s for s in selectors.approval_steps_of(revision) if s.decision == StepDecision.APPROVED),
        key=lambda step: step.position,
    )
    reviewers = ", ".join(str(s.user) for s in steps if s.role == "reviewer") or "—"
    approvers = ", ".join(str(s.user) for s in steps if s.role == "approver") or "—"
    today = timezone.localdate().strftime("%d/%m/%Y")
    if revision.effective_date:
        first_line = _("%(code)s · revision %(number)s · effective %(date)s") % {
            "code": document.code,
            "number": revision.label,
            "date": revision.effective_date.strftime("%d/%m/%Y"),
        }
    else:
        first_line = _("%(code)s · revision %(number)s · not yet effective") % {
            "code": document.code,
            "number": revision.label,
        }
    header = [first_line, document.title]
    if revision.status == RevisionStatus.EFFECTIVE:
        footer_first = _(
            "Controlled copy — printed by %(name)s on %(date)s — uncontrolled when printed"
        ) % {"name": user.get_full_name() or user.get_username(), "date": today}
        watermark = ""
    else:
        footer_first = _("Not the effective version — printed by %(name)s on %(date)s") % {
            "name": user.get_full_name() or user.get_username(),
            "date": today,
        }
        watermark = {
            RevisionStatus.SUPERSEDED: _("SUPERSEDED"),
            RevisionStatus.OBSOLETE: _("OBSOLETE"),
        }.get(revision.status, _("DRAFT"))
    footer = [
        footer_first,
        _("Drafted by: %(drafter)s · Reviewed by: %(reviewers)s · Approved by: %(approvers)s")
        % {"drafter": revision.created_by, "reviewers": reviewers, "approvers": approvers},
    ]
    return Stamp(header=header, footer=footer, watermark=watermark)


class AcknowledgeView(PortalPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        revision = get_visible_or_404(
            Revision.objects.select_related("document"), request.user, pk=pk
        )
        try:
            services.acknowledge(actor=request.user, revision=revision)
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(revision)


class AcknowledgementListView(PortalPermissionMixin, TemplateView):
    """Who has and has not acknowledged a revision (owner and document controller)."""

    template_name = "documents/acknowledgement_list.html"

    def get(self, request, *args, **kwargs):
        self.revision = get_visible_or_404(
            Revision.objects.select_related("document"), request.user, pk=kwargs["pk"]
        )
        if not (
            services.can_manage_register(request.user)
            or self.revision.document.owner_id == request.user.pk
        ):
            raise PermissionDenied
        form = AcknowledgementFilter(request.GET or None)
        rows = Acknowledgement.objects.filter(revision=self.revision).select_related(
            "user", "user__department"
        )
        state = form.cleaned_data["state"] if form.is_valid() else ""
        if state == "done":
            rows = rows.filter(acknowledged_at__isnull=False)
        elif state == "outstanding":
            rows = rows.outstanding()
        elif state == "withdrawn":
            rows = rows.filter(withdrawn_at__isnull=False)
        rows = rows.order_by("acknowledged_at", "user__last_name", "user__first_name")
        fmt = request.GET.get("export")
        if fmt in exports.FORMATS:
            from qms import security_log
            from qms.models import SecurityEvent

            security_log.record(
                SecurityEvent.Kind.EXPORT,
                request=request,
                target=f"acknowledgements {self.revision}",
            )
            columns = [
                exports.Column(_("Person"), lambda a: a.user),
                exports.Column(_("Department"), lambda a: a.user.department or ""),
                exports.Column(_("Requested at"), lambda a: a.requested_at),
                exports.Column(_("Acknowledged at"), lambda a: a.acknowledged_at),
                exports.Column(_("Request withdrawn at"), lambda a: a.withdrawn_at),
            ]
            return exports.export_response(
                fmt, rows, columns, f"acknowledgements-{self.revision.document.code}"
            )
        from qms.pagination import CappedPaginator

        page = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
        context = self.get_context_data(
            revision=self.revision,
            page_obj=page,
            form=form,
            summary=selectors.acknowledgement_summary(self.revision),
            can_export=True,
        )
        return self.render_to_response(context)


# --- Distribution and periodic review ------------------------------------------------


class DistributionAddView(PortalPermissionMixin, View):
    """GET: the add form (loaded by HTMX when asked for); POST: add the entry."""

    http_method_names = ["get", "post"]

    def get(self, request, pk: int):
        document = get_visible_or_404(Document.objects, request.user, pk=pk)
        if not (services.can_manage_register(request.user) or document.owner_id == request.user.pk):
            raise PermissionDenied
        template = (
            "documents/partials/distribution_form.html"
            if request.headers.get("HX-Request")
            else "documents/distribution_page.html"
        )
        return render(
            request,
            template,
            {"document": document, "distribution_form": DistributionForm(actor=request.user)},
        )

    def post(self, request, pk: int):
        document = get_visible_or_404(Document.objects, request.user, pk=pk)
        form = DistributionForm(request.POST, actor=request.user)
        if not form.is_valid():
            for error in form.errors.get("__all__", []) + [
                e for f, es in form.errors.items() if f != "__all__" for e in es
            ]:
                messages.error(request, error)
            return redirect(document.get_absolute_url() + "#distribution")
        try:
            services.distribution_add(
                actor=request.user,
                document=document,
                department=form.cleaned_data["department"],
                role=form.cleaned_data["role"],
                user=form.cleaned_data["user"],
            )
            messages.success(request, _("Added to the distribution list."))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(document.get_absolute_url() + "#distribution")


class DistributionRemoveView(PortalPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        entry = get_object_or_404(
            DistributionEntry.objects.select_related("document"), pk=pk, removed_at__isnull=True
        )
        document = get_visible_or_404(Document.objects, request.user, pk=entry.document_id)
        services.distribution_remove(actor=request.user, entry=entry)
        messages.success(request, _("Removed from the distribution list."))
        return redirect(document.get_absolute_url() + "#distribution")


class PeriodicReviewView(PortalPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        document = get_visible_or_404(Document.objects, request.user, pk=pk)
        form = PeriodicReviewForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(document.get_absolute_url() + "#periodic-review")
        try:
            services.document_review_record(
                actor=request.user,
                document=document,
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["comment"],
                next_review_date=form.cleaned_data["next_review_date"],
                version=form.cleaned_data.get("version"),
            )
            messages.success(request, _("The periodic review is recorded."))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(document.get_absolute_url() + "#periodic-review")


# --- External documents -------------------------------------------------------------


class ExternalListView(ObjectListView):
    model = ExternalDocument
    template_name = "documents/external_list.html"
    filterset_class = ExternalDocumentFilter
    title = gettext_lazy("External documents")
    sort_fields = {
        "issued": ("-issued_on", "number"),
        "number": ("number",),
        "title": ("title",),
        "effective": ("effective_on", "number"),
    }
    default_sort = "issued"
    export_name = "external-documents"
    export_columns = [
        exports.Column(gettext_lazy("Number and symbol"), lambda e: e.number),
        exports.Column(gettext_lazy("Title"), lambda e: e.title),
        exports.Column(gettext_lazy("Kind"), lambda e: e.get_kind_display()),
        exports.Column(gettext_lazy("Issuing body"), lambda e: e.issuing_body),
        exports.Column(gettext_lazy("Date issued"), lambda e: e.issued_on),
        exports.Column(gettext_lazy("Effective date"), lambda e: e.effective_on),
        exports.Column(gettext_lazy("Status"), lambda e: e.get_legal_status_display()),
        exports.Column(gettext_lazy("Dependent documents"), lambda e: e.dependent_count),
    ]

    def base_queryset(self):
        return ExternalDocument.objects.visible_to(self.request.user).annotate(
            dependent_count=Count("dependent_documents", distinct=True)
        )


class ExternalDetailView(PortalPermissionMixin, DetailView):
    template_name = "documents/external_detail.html"
    context_object_name = "external"

    def get_object(self, queryset=None):
        return get_visible_or_404(ExternalDocument.objects, self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        from qms.attachments import attachments_of, can_upload
        from qms.forms import AttachmentForm

        context = super().get_context_data(**kwargs)
        external = self.object
        user = self.request.user
        from django.contrib.contenttypes.models import ContentType

        context.update(
            dependents=Document.objects.visible_to(user)
            .filter(legal_basis=external)
            .select_related("owner")
            .order_by("code"),
            attachments=attachments_of(external),
            attachment_form=AttachmentForm(),
            can_attach=can_upload(user, external),
            content_type_id=ContentType.objects.get_for_model(ExternalDocument).pk,
            can_manage=user.has_perm("documents.manage_external"),
            history_entries=object_history(external, limit=15),
        )
        return context


class ExternalFormView(PortalPermissionMixin, FormView):
    permission_required = "documents.manage_external"
    form_class = ExternalDocumentForm
    template_name = "documents/external_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.external = None
        if "pk" in kwargs and request.user.is_authenticated:
            self.external = get_visible_or_404(
                ExternalDocument.objects, request.user, pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.external or ExternalDocument()
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(external=self.external, **kwargs)

    def form_valid(self, form):
        try:
            external = services.external_save(
                actor=self.request.user,
                external=form.save(commit=False),
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The external document was saved."))
        return redirect(external)


# --- Type settings ------------------------------------------------------------------


class TypeSettingListView(PortalPermissionMixin, TemplateView):
    permission_required = "documents.manage_register"
    template_name = "documents/type_settings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        settings_by_type = {
            s.document_type: s
            for s in DocumentTypeSetting.objects.prefetch_related(
                Prefetch("default_reviewers"), Prefetch("default_approvers")
            )
        }
        context["rows"] = [
            (value, label, settings_by_type.get(value) or services.type_setting(value))
            for value, label in DocumentType.choices
        ]
        return context


class TypeSettingUpdateView(PortalPermissionMixin, FormView):
    permission_required = "documents.manage_register"
    form_class = TypeSettingForm
    template_name = "documents/type_setting_form.html"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["document_type"] not in DocumentType.values:
            raise Http404
        self.setting = services.type_setting(kwargs["document_type"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(actor=self.request.user, instance=self.setting)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(setting=self.setting, **kwargs)

    def form_valid(self, form):
        services.type_setting_save(
            actor=self.request.user,
            setting=form.save(commit=False),
            reviewers=form.cleaned_data["default_reviewers"],
            approvers=form.cleaned_data["default_approvers"],
        )
        messages.success(self.request, _("The settings were saved."))
        return redirect(reverse("documents:type_settings"))


def code_suggestion(request):
    """HTMX: the next free code for the chosen type (and parent) on the register form."""
    if not request.user.is_authenticated:
        raise Http404
    document_type = request.GET.get("document_type", "")
    if document_type not in DocumentType.values:
        return HttpResponse("")
    parent = None
    parent_id = posted_int(request.GET.get("parent"))
    if parent_id is not None:
        parent = Document.objects.visible_to(request.user).filter(pk=parent_id).first()
    return render(
        request,
        "documents/partials/code_suggestion.html",
        {"code": services.next_code(document_type, parent)},
    )
