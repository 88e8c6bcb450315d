"""Pages of the records module."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView

from qms import exports
from qms.attachments import attachments_of
from qms.history import object_history
from qms.signatures import signatures_listed
from qms.views.generic import (
    ObjectListView,
    PortalPermissionMixin,
    ServiceFormView,
    add_service_errors,
    errors_to_messages,
    posted_int,
)
from qms.visibility import get_visible_or_404
from records import selectors, services
from records.choices import BATCH_COLOURS, BatchStatus, RecordStatus
from records.filters import RecordFilter, RecordTypeFilter
from records.forms import (
    ApproveForm,
    CorrectionForm,
    HoldForm,
    ReasonForm,
    RecordForm,
    RecordTypeForm,
)
from records.models import DisposalBatch, DisposalItem, Record, RecordType

# --- Record types (the ISO "list of records") ---------------------------------------


TYPE_COLUMNS = [
    exports.Column(gettext_lazy("Code"), lambda t: t.code),
    exports.Column(gettext_lazy("Name of the record"), lambda t: t.name),
    exports.Column(gettext_lazy("Form"), lambda t: t.form.code if t.form_id else ""),
    exports.Column(
        gettext_lazy("Procedure or process"), lambda t: t.procedure.code if t.procedure_id else ""
    ),
    exports.Column(gettext_lazy("Owning department"), lambda t: t.department),
    exports.Column(gettext_lazy("Where the original is kept"), lambda t: t.get_storage_display()),
    exports.Column(gettext_lazy("Location"), lambda t: t.location),
    exports.Column(gettext_lazy("Retention"), lambda t: t.retention_label),
    exports.Column(gettext_lazy("At the end of retention"), lambda t: t.get_disposition_display()),
    exports.Column(gettext_lazy("Who may see them"), lambda t: t.get_access_display()),
    exports.Column(gettext_lazy("Records kept"), lambda t: t.kept_count),
]


class RecordTypeListView(ObjectListView):
    model = RecordType
    template_name = "records/recordtype_list.html"
    filterset_class = RecordTypeFilter
    title = gettext_lazy("Record types")
    sort_fields = {"code": ("code",), "name": ("name",), "department": ("department__name", "code")}
    default_sort = "code"
    export_name = "list-of-records"
    export_columns = TYPE_COLUMNS

    def base_queryset(self):
        return (
            RecordType.objects.visible_to(self.request.user)
            .select_related("department", "form", "procedure")
            .annotate(kept_count=Count("records", filter=Q(records__status=RecordStatus.ACTIVE)))
        )

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "pdf":
            return self.printable_list()
        return super().get(request, *args, **kwargs)

    def printable_list(self):
        from django.template.loader import render_to_string

        from qms import security_log
        from qms.context_processors import agency_name
        from qms.models import SecurityEvent
        from qms.pdf import html_to_pdf

        security_log.record(
            SecurityEvent.Kind.EXPORT, request=self.request, target="list-of-records pdf"
        )
        html = render_to_string(
            "records/list_of_records_pdf.html",
            {
                "types": self.get_queryset(),
                "agency_name": agency_name(),
                "today": timezone.localdate(),
                "columns": TYPE_COLUMNS,
            },
        )
        response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="list-of-records.pdf"'
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = services.can_manage(self.request.user)
        return context


class RecordTypeDetailView(PortalPermissionMixin, DetailView):
    template_name = "records/recordtype_detail.html"
    context_object_name = "record_type"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            RecordType.objects.select_related("department", "form", "procedure"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record_type = self.object
        counts = (
            Record.objects.visible_to(self.request.user)
            .filter(record_type=record_type)
            .aggregate(
                kept=Count("pk", filter=Q(status=RecordStatus.ACTIVE)),
                disposed=Count("pk", filter=Q(status=RecordStatus.DISPOSED)),
                ended=Count(
                    "pk",
                    filter=Q(status=RecordStatus.ACTIVE, retention_until__lt=timezone.localdate()),
                ),
            )
        )
        context.update(
            counts=counts,
            can_manage=services.can_manage(self.request.user),
            hold_form=HoldForm(),
            history_entries=object_history(record_type, limit=15),
        )
        return context


class RecordTypeFormView(ServiceFormView):
    permission_required = "records.manage_records"
    model = RecordType
    form_class = RecordTypeForm
    form_user_kwarg = "actor"
    context_object_name = "record_type"
    template_name = "records/recordtype_form.html"

    def save(self, form):
        return services.record_type_save(
            actor=self.request.user,
            record_type=form.save(commit=False),
            version=form.cleaned_data.get("version"),
        )

    def success_message(self, record_type) -> str:
        return _("The record type was saved.")


# --- The register -------------------------------------------------------------------


class RecordListView(ObjectListView):
    model = Record
    template_name = "records/record_list.html"
    filterset_class = RecordFilter
    title = gettext_lazy("Records")
    sort_fields = {
        "date": ("-record_date", "-pk"),
        "reference": ("reference",),
        "title": ("title",),
        "type": ("record_type__code", "-record_date"),
        "until": ("retention_until", "-record_date"),
    }
    default_sort = "date"
    row_fields = (
        "reference",
        "title",
        "legal_hold",
        "status",
        "record_date",
        "retention_until",
        "record_type__code",
        "record_type__name",
        "record_type__legal_hold",
        "department__name",
    )
    export_name = "records"
    pack_source = "records"
    export_columns = [
        exports.Column(gettext_lazy("Reference number"), lambda r: r.reference),
        exports.Column(gettext_lazy("Title"), lambda r: r.title),
        exports.Column(gettext_lazy("Record type"), lambda r: r.record_type.code),
        exports.Column(gettext_lazy("Date"), lambda r: r.record_date),
        exports.Column(gettext_lazy("Department"), lambda r: r.department),
        exports.Column(gettext_lazy("Kept until"), lambda r: r.retention_until),
        exports.Column(gettext_lazy("Status"), lambda r: r.get_status_display()),
        exports.Column(gettext_lazy("Legal hold"), lambda r: r.held),
        exports.Column(gettext_lazy("Physical location"), lambda r: r.physical_location),
    ]

    def base_queryset(self):
        return selectors.records_for_register(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        context["can_manage"] = services.can_manage(self.request.user)
        return context


class RecordCreateView(PortalPermissionMixin, FormView):
    form_class = RecordForm
    template_name = "records/record_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(actor=self.request.user, instance=Record())
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        initial["record_date"] = timezone.localdate()
        if self.request.user.department_id:
            initial["department"] = self.request.user.department_id
        type_id = posted_int(self.request.GET.get("type"))
        if type_id is not None:
            initial["record_type"] = type_id
        return initial

    def form_valid(self, form):
        record = form.save(commit=False)
        if not record.reference:
            record.reference = services.next_reference(record.record_type, record.record_date.year)
        try:
            record = services.record_register(
                actor=self.request.user, record=record, uploads=form.cleaned_data.get("files") or []
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The record %(reference)s is registered.") % {"reference": record.reference},
        )
        return redirect(record)


class RecordDetailView(PortalPermissionMixin, DetailView):
    template_name = "records/record_detail.html"
    context_object_name = "record"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            Record.objects.select_related(
                "record_type", "department", "registered_by", "disposal_batch"
            ),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        user = self.request.user
        destroyed = []
        if record.status == RecordStatus.DISPOSED and record.disposal_method == "destroy":
            from django.contrib.contenttypes.models import ContentType

            from qms.models import Attachment

            destroyed = Attachment.objects.filter(
                content_type=ContentType.objects.get_for_model(Record),
                object_id=record.pk,
                removed_at__isnull=False,
            )
        context.update(
            files=attachments_of(record),
            destroyed_files=destroyed,
            can_correct=services.can_correct(user, record),
            can_manage=services.can_manage(user),
            hold_form=HoldForm(),
            today=timezone.localdate(),
            history_entries=object_history(record, limit=20),
        )
        return context


class RecordCorrectView(PortalPermissionMixin, FormView):
    form_class = CorrectionForm
    template_name = "records/record_correct.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.record = get_visible_or_404(
            Record.objects.select_related("record_type"), request.user, pk=kwargs["pk"]
        )
        if not services.can_correct(request.user, self.record):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(actor=self.request.user, instance=self.record)
        return kwargs

    def get_initial(self):
        return {"version": self.record.version}

    def get_context_data(self, **kwargs):
        return super().get_context_data(record=self.record, **kwargs)

    def form_valid(self, form):
        try:
            record = services.record_correct(
                actor=self.request.user,
                record=form.save(commit=False),
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data.get("version"),
                uploads=form.cleaned_data.get("files") or [],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Version %(number)s of the record is saved.") % {"number": record.version_number},
        )
        return redirect(record)


class HoldView(PortalPermissionMixin, View):
    """Place or lift a legal hold on a record (``kind="record"``) or a whole type."""

    permission_required = "records.manage_records"
    http_method_names = ["post"]
    kind = "record"

    def post(self, request, pk: int):
        model = Record if self.kind == "record" else RecordType
        target = get_visible_or_404(model.objects, request.user, pk=pk)
        form = HoldForm(request.POST)
        form.is_valid()
        held = request.POST.get("held") == "1"
        try:
            services.hold_set(
                actor=request.user,
                target=target,
                held=held,
                reason=form.cleaned_data.get("reason", ""),
            )
            messages.success(
                request, _("The legal hold is placed.") if held else _("The legal hold is lifted.")
            )
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(target)


# --- Disposal -----------------------------------------------------------------------


class BatchListView(ObjectListView):
    model = DisposalBatch
    template_name = "records/batch_list.html"
    title = gettext_lazy("Disposal batches")
    sort_fields = {"proposed": ("-proposed_on", "-pk")}
    default_sort = "proposed"

    def has_permission(self):
        user = self.request.user
        return user.has_perm("records.manage_records") or user.has_perm("records.view_all_records")

    def base_queryset(self):
        return (
            DisposalBatch.objects.visible_to(self.request.user)
            .select_related("approved_by", "certificate")
            .annotate(
                item_count=Count("items", filter=Q(items__excluded=False)),
                excluded_count=Count("items", filter=Q(items__excluded=True)),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["colours"] = BATCH_COLOURS
        context["can_manage"] = services.can_manage(self.request.user)
        today = timezone.localdate()
        context["eligible"] = services.eligible_for_disposal(today).count()
        context["held"] = (
            Record.objects.filter(status=RecordStatus.ACTIVE, retention_until__lt=today)
            .filter(Q(legal_hold=True) | Q(record_type__legal_hold=True))
            .count()
        )
        return context


class BatchDetailView(PortalPermissionMixin, DetailView):
    template_name = "records/batch_detail.html"
    context_object_name = "batch"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            DisposalBatch.objects.select_related("approved_by", "certificate"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.object
        items = batch.items.select_related(
            "record", "record__record_type", "record__department"
        ).order_by("excluded", "record__record_type__code", "record__record_date")
        from qms.pagination import CappedPaginator

        summary = batch.items.filter(excluded=False).aggregate(
            total=Count("pk"),
            destroy=Count("pk", filter=Q(record__record_type__disposition="destroy")),
            transfer=Count("pk", filter=Q(record__record_type__disposition="transfer")),
            review=Count("pk", filter=Q(record__record_type__disposition="review")),
        )
        context.update(
            summary=summary,
            page_obj=CappedPaginator(items, 100).get_page(self.request.GET.get("page")),
            colours=BATCH_COLOURS,
            can_decide=services.can_manage(self.request.user)
            and batch.status == BatchStatus.PROPOSED,
            approve_form=kwargs.get("approve_form")
            or ApproveForm(initial={"version": batch.version}),
            cancel_form=ReasonForm(initial={"version": batch.version}),
            signatures=signatures_listed(batch),
            certificate_files=attachments_of(batch.certificate) if batch.certificate_id else [],
            history_entries=object_history(batch, limit=10),
        )
        return context


class BatchProposeView(PortalPermissionMixin, View):
    """Run the monthly disposal sweep now."""

    permission_required = "records.manage_records"
    http_method_names = ["post"]

    def post(self, request):
        batch = services.disposal_propose(actor=request.user)
        if batch is None:
            messages.info(request, _("No record has reached the end of its retention."))
            return redirect("records:batch_list")
        messages.success(
            request,
            _("Batch %(number)s lists the records whose retention has ended.")
            % {"number": batch.number},
        )
        return redirect(batch)


class BatchApproveView(PortalPermissionMixin, View):
    permission_required = "records.manage_records"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        batch = get_visible_or_404(DisposalBatch.objects, request.user, pk=pk)
        form = ApproveForm(request.POST)
        if form.is_valid():
            try:
                services.batch_approve(
                    actor=request.user,
                    batch=batch,
                    password=form.cleaned_data["password"],
                    version=form.cleaned_data.get("version"),
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Disposal approved and carried out; the certificate is issued.")
                )
                return redirect(batch)
        page = BatchDetailView()
        page.setup(request, pk=pk)
        page.object = page.get_object()
        from django.shortcuts import render

        return render(
            request,
            page.template_name,
            page.get_context_data(object=page.object, approve_form=form),
        )


class BatchCancelView(PortalPermissionMixin, View):
    permission_required = "records.manage_records"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        batch = get_visible_or_404(DisposalBatch.objects, request.user, pk=pk)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please give a reason."))
            return redirect(batch)
        try:
            services.batch_cancel(
                actor=request.user,
                batch=batch,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data.get("version"),
            )
            messages.success(request, _("The batch is cancelled; its records stay kept."))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(batch)


class ItemExcludeView(PortalPermissionMixin, View):
    permission_required = "records.manage_records"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        item = get_object_or_404(DisposalItem.objects.select_related("batch"), pk=pk)
        batch = get_visible_or_404(DisposalBatch.objects, request.user, pk=item.batch_id)
        reason = request.POST.get("reason", "")
        try:
            services.item_exclude(actor=request.user, item=item, reason=reason)
            messages.success(request, _("The record is left out of the batch and stays kept."))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(batch)
