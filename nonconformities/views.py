"""Pages of nonconformities and the action tracker."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from nonconformities import selectors, services
from nonconformities.choices import (
    ACTION_COLOURS,
    BOARD_COLUMNS,
    OPEN_ACTION_STATUSES,
    OPEN_STATUSES,
    SEVERITY_COLOURS,
    STATUS_COLOURS,
    Category,
    Status,
)
from nonconformities.filters import ActionFilter, NonconformityFilter
from nonconformities.forms import (
    ActionForm,
    ActionMoveForm,
    AnalysisForm,
    CorrectionForm,
    DueDateForm,
    MergeForm,
    NoteForm,
    ReportForm,
    TriageForm,
    VerifyForm,
)
from nonconformities.models import Action, Nonconformity
from nonconformities.workflows import ACTION_FLOW, NC_FLOW
from qms import exports
from qms.attachments import attachments_of
from qms.history import object_history
from qms.signatures import signatures_listed
from qms.views.generic import (
    ObjectListView,
    PortalPermissionMixin,
    add_service_errors,
    errors_to_messages,
)
from qms.visibility import get_visible_or_404, mark_openable

NC_COLUMNS = [
    exports.Column(gettext_lazy("Number"), lambda n: n.number),
    exports.Column(gettext_lazy("Title"), lambda n: n.title),
    exports.Column(gettext_lazy("Status"), lambda n: n.get_status_display()),
    exports.Column(gettext_lazy("Severity"), lambda n: n.get_severity_display()),
    exports.Column(gettext_lazy("Category"), lambda n: n.get_category_display()),
    exports.Column(gettext_lazy("Source"), lambda n: n.get_source_display()),
    exports.Column(gettext_lazy("Department"), lambda n: n.department),
    exports.Column(gettext_lazy("Owner"), lambda n: n.owner or ""),
    exports.Column(gettext_lazy("Reported at"), lambda n: n.reported_at),
    exports.Column(gettext_lazy("Due date"), lambda n: n.due_date),
    exports.Column(gettext_lazy("Closed at"), lambda n: n.closed_at),
    exports.Column(gettext_lazy("Root cause"), lambda n: n.root_cause),
]


class NonconformityListView(ObjectListView):
    model = Nonconformity
    template_name = "nonconformities/nonconformity_list.html"
    filterset_class = NonconformityFilter
    title = gettext_lazy("Nonconformities")
    sort_fields = {
        "reported": ("-reported_at", "-pk"),
        "number": ("number",),
        "severity": ("severity", "-reported_at"),
        "due": ("due_date", "-reported_at"),
        "department": ("department__name", "-reported_at"),
    }
    default_sort = "reported"
    row_fields = (
        "number",
        "title",
        "source",
        "reported_at",
        "severity",
        "status",
        "reopened_count",
        "due_date",
        "department__name",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
    )
    export_name = "nonconformities"
    export_columns = NC_COLUMNS
    pack_source = "nonconformities"

    def base_queryset(self):
        return selectors.nonconformities_for_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user

        def panels() -> dict:
            visible = Nonconformity.objects.visible_to(user)
            return {
                "summary": selectors.summary(visible),
                "by_department": selectors.by_department(visible)[:8],
                "recurrences": selectors.recurrences(visible)[:8],
                "overdue_actions": selectors.overdue_actions(
                    Action.objects.visible_to(user)
                ).count(),
            }

        # The figures above the list are statistics over everything the user sees: a
        # minute old is as good as live, and they cost five aggregate queries.
        context.update(
            cache.get_or_set(
                f"nc:list-panels:{user.pk}", panels, settings.QMS_DASHBOARD_CACHE_SECONDS
            ),
            colours=STATUS_COLOURS,
            severity_colours=SEVERITY_COLOURS,
            categories=dict(Category.choices),
            today=timezone.localdate(),
        )
        return context


class BoardView(PortalPermissionMixin, TemplateView):
    """Kanban-style: one column per status, the newest cards first, a count per column."""

    template_name = "nonconformities/board.html"
    per_column = 12

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visible = Nonconformity.objects.visible_to(self.request.user)
        form = NonconformityFilter(self.request.GET or None, queryset=visible, request=self.request)
        filtered = form.qs if form.is_bound and form.is_valid() else visible
        if not self.request.GET.get("closed_too"):
            filtered = filtered.filter(
                Q(status__in=OPEN_STATUSES) | Q(closed_at__gte=timezone.now() - timedelta(days=30))
            )
        counts = dict(
            filtered.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        # The newest cards of every column in one query: numbered within their column,
        # the first `per_column` of each kept. Only the ids are numbered (a narrow sort of
        # every open nonconformity); the wide rows with their departments and owners are
        # not sorted whole (1,600 of them, 1.7 MB: 6.1 → 4.7 ms at agency scale).
        newest_ids = (
            filtered.filter(status__in=BOARD_COLUMNS)
            .annotate(
                place=Window(
                    RowNumber(),
                    partition_by=[F("status")],
                    order_by=[F("reported_at").desc(), F("pk").desc()],
                )
            )
            .filter(place__lte=self.per_column)
            .values_list("pk", flat=True)
        )
        # The ids read first: inside one query the planner expected a fifth of all the
        # open cards and read every nonconformity and every user to join them (7 ms); by
        # their ids the cards and their names are read from the primary keys (0.3 ms).
        newest = (
            Nonconformity.objects.filter(pk__any_of=list(newest_ids))
            .select_related("department", "owner")
            .only(
                "number",
                "title",
                "severity",
                "status",
                "due_date",
                "reported_at",
                "department__name",
                "owner__first_name",
                "owner__last_name",
                "owner__username",
            )
            .order_by("status", "-reported_at", "-pk")
        )
        by_status: dict[str, list] = {status: [] for status in BOARD_COLUMNS}
        for nc in newest:
            by_status[nc.status].append(nc)
        cards = [
            {
                "status": status,
                "label": Status(status).label,
                "items": by_status[status],
                "count": counts.get(status, 0),
            }
            for status in BOARD_COLUMNS
        ]
        context.update(
            columns=cards,
            filterset=form,
            colours=STATUS_COLOURS,
            severity_colours=SEVERITY_COLOURS,
            today=timezone.localdate(),
        )
        return context


class ReportView(PortalPermissionMixin, FormView):
    form_class = ReportForm
    template_name = "nonconformities/report_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(actor=self.request.user, instance=Nonconformity())
        return kwargs

    def get_initial(self):
        return {
            "occurred_on": timezone.localdate(),
            "department": self.request.user.department_id,
            "source": "staff_report",
        }

    def form_valid(self, form):
        try:
            nc = services.nonconformity_report(
                actor=self.request.user,
                nonconformity=form.save(commit=False),
                uploads=form.cleaned_data.get("files") or [],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Thank you: %(number)s is reported and the QMS manager notified.")
            % {"number": nc.number},
        )
        return redirect(nc)


class NonconformityDetailView(PortalPermissionMixin, DetailView):
    template_name = "nonconformities/nonconformity_detail.html"
    context_object_name = "nc"

    def get_object(self, queryset=None):
        rows = Nonconformity.objects.select_related(
            "department",
            "owner",
            "reported_by",
            "triaged_by",
            "correction_by",
            "procedure",
            "duplicate_of",
        )
        nc = get_visible_or_404(rows, self.request.user, pk=self.kwargs["pk"])
        mark_openable([nc], self.request.user, "duplicate_of")
        return nc

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        nc = self.object
        user = self.request.user
        can_work = services.can_work_on(user, nc)
        actions = selectors.actions_of(nc)
        forms = kwargs.get("forms", {})
        context.update(
            colours=STATUS_COLOURS,
            severity_colours=SEVERITY_COLOURS,
            action_colours=ACTION_COLOURS,
            actions=actions,
            can_triage=nc.status == Status.REPORTED and services.can_triage(user, nc),
            can_work=can_work and nc.status not in services.CLOSED_OR_MERGED,
            can_verify=services.can_verify(user, nc),
            can_add_action=can_work
            and nc.status in (Status.CAUSE_ANALYSIS, Status.ACTIONS_PLANNED, Status.IMPLEMENTING),
            can_analyse=can_work
            and nc.status in (Status.CAUSE_ANALYSIS, Status.ACTIONS_PLANNED, Status.IMPLEMENTING),
            transitions=[
                t
                for t in NC_FLOW.available(nc, user)
                if t.name in ("start_analysis", "reopen")
                or (
                    t.name == "close_correction_only"
                    and not nc.needs_corrective_action
                    and nc.correction
                )
            ],
            triage_form=forms.get("triage")
            or TriageForm(
                initial={
                    "version": nc.version,
                    "owner": nc.owner_id,
                    "needs_corrective_action": True,
                }
            ),
            merge_form=forms.get("merge") or MergeForm(initial={"version": nc.version}),
            correction_form=forms.get("correction")
            or CorrectionForm(
                initial={
                    "version": nc.version,
                    "correction": nc.correction,
                    "correction_on": nc.correction_on or timezone.localdate(),
                }
            ),
            analysis_form=forms.get("analysis")
            or AnalysisForm(initial=AnalysisForm.initial_for(nc)),
            action_form=forms.get("action")
            or ActionForm(initial={"owner": nc.owner_id, "kind": "corrective"}),
            verify_form=forms.get("verify") or VerifyForm(initial={"version": nc.version}),
            move_form=ActionMoveForm(initial={"version": nc.version}),
            verifications=selectors.verifications_of(nc),
            signatures=signatures_listed(nc),
            files=attachments_of(nc),
            categories=dict(Category.choices),
            history_entries=object_history(nc, limit=20),
            today=timezone.localdate(),
        )
        return context


def _render_detail(request, nc, **forms):
    page = NonconformityDetailView()
    page.setup(request, pk=nc.pk)
    page.object = page.get_object()
    return render(
        request, page.template_name, page.get_context_data(object=page.object, forms=forms)
    )


class NonconformityStepView(PortalPermissionMixin, View):
    """Every form on the nonconformity's page posts here with ``step``: triage, merge,
    correction, analysis, action, verify, or a workflow move."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        nc = get_visible_or_404(
            Nonconformity.objects.select_related("department"), request.user, pk=pk
        )
        step = request.POST.get("step", "")
        handler = getattr(self, f"_{step}", None)
        if handler is None:
            messages.error(request, _("Unknown action."))
            return redirect(nc)
        return handler(request, nc)

    def _triage(self, request, nc):
        form = TriageForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.triage(
                    actor=request.user,
                    nc=nc,
                    severity=data["severity"],
                    category=data["category"],
                    needs_corrective_action=data["needs_corrective_action"],
                    owner=data["owner"],
                    due_date=data["due_date"],
                    version=data.get("version"),
                )
                messages.success(request, _("Triaged; the owner was notified."))
                return redirect(nc)
            except ValidationError as error:
                add_service_errors(form, error)
        return _render_detail(request, nc, triage=form)

    def _merge(self, request, nc):
        form = MergeForm(request.POST, actor=request.user, exclude=nc)
        if form.is_valid():
            try:
                services.merge(
                    actor=request.user,
                    nc=nc,
                    into=form.cleaned_data["into"],
                    reason=form.cleaned_data["reason"],
                    version=form.cleaned_data.get("version"),
                )
                messages.success(request, _("Merged."))
                return redirect(form.cleaned_data["into"])
            except ValidationError as error:
                add_service_errors(form, error)
        return _render_detail(request, nc, merge=form)

    def _correction(self, request, nc):
        form = CorrectionForm(request.POST)
        if form.is_valid():
            try:
                services.record_correction(
                    actor=request.user,
                    nc=nc,
                    text=form.cleaned_data["correction"],
                    done_on=form.cleaned_data["correction_on"],
                    version=form.cleaned_data.get("version"),
                )
                messages.success(request, _("The correction is recorded."))
                return redirect(nc)
            except ValidationError as error:
                add_service_errors(form, error)
        return _render_detail(request, nc, correction=form)

    def _analysis(self, request, nc):
        form = AnalysisForm(request.POST)
        if form.is_valid():
            try:
                services.save_analysis(
                    actor=request.user,
                    nc=nc,
                    five_whys=form.whys(),
                    fishbone=form.fishbone(),
                    root_cause=form.cleaned_data["root_cause"],
                    version=form.cleaned_data.get("version"),
                )
                messages.success(request, _("The cause analysis is saved."))
                return redirect(nc.get_absolute_url() + "#cause")
            except ValidationError as error:
                add_service_errors(form, error)
        return _render_detail(request, nc, analysis=form)

    def _action(self, request, nc):
        form = ActionForm(request.POST)
        if form.is_valid():
            try:
                services.action_add(
                    actor=request.user, action=form.save(commit=False), nonconformity=nc
                )
                messages.success(request, _("The action is planned and its owner notified."))
                return redirect(nc.get_absolute_url() + "#actions")
            except ValidationError as error:
                add_service_errors(form, error)
        return _render_detail(request, nc, action=form)

    def _verify(self, request, nc):
        form = VerifyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.verify(
                    actor=request.user,
                    nc=nc,
                    result=data["result"],
                    evidence=data["evidence"],
                    password=data["password"],
                    version=data.get("version"),
                    request=request,
                )
                messages.success(
                    request,
                    _("Verified effective: the nonconformity is closed.")
                    if result.status == Status.CLOSED
                    else _("Verified not effective: it is reopened for a new cause analysis."),
                )
                return redirect(nc)
            except ValidationError as error:
                add_service_errors(form, error)
        return _render_detail(request, nc, verify=form)

    def _move(self, request, nc):
        form = ActionMoveForm(request.POST)
        form.is_valid()
        move = request.POST.get("move", "")
        version = form.cleaned_data.get("version")
        try:
            if move == "start_analysis":
                services.start_analysis(actor=request.user, nc=nc, version=version)
                done = _(
                    "The cause analysis is open: record the five whys, the fishbone and the root cause."
                )
            elif move == "close_correction_only":
                services.close_correction_only(actor=request.user, nc=nc, version=version)
                done = _("Closed after the correction.")
            elif move == "reopen":
                services.reopen(
                    actor=request.user,
                    nc=nc,
                    reason=form.cleaned_data.get("reason", ""),
                    version=version,
                )
                done = _("Reopened for a new cause analysis.")
            else:
                raise ValidationError(_("Unknown action."))
            messages.success(request, done)
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(nc)


# --- Actions ------------------------------------------------------------------------


class ActionListView(ObjectListView):
    model = Action
    template_name = "nonconformities/action_list.html"
    filterset_class = ActionFilter
    title = gettext_lazy("Actions")
    sort_fields = {
        "due": ("due_date", "pk"),
        "number": ("number",),
        "owner": ("owner__last_name", "owner__first_name", "due_date"),
        "department": ("department__name", "due_date"),
    }
    default_sort = "due"
    row_fields = (
        "number",
        "title",
        "kind",
        "source_label",
        "due_date",
        "status",
        "department__name",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
    )
    export_name = "actions"
    export_columns = [
        exports.Column(gettext_lazy("Number"), lambda a: a.number),
        exports.Column(gettext_lazy("Action"), lambda a: a.title),
        exports.Column(gettext_lazy("Type of action"), lambda a: a.get_kind_display()),
        exports.Column(gettext_lazy("Source"), lambda a: a.source_label),
        exports.Column(gettext_lazy("Owner"), lambda a: a.owner),
        exports.Column(gettext_lazy("Department"), lambda a: a.department),
        exports.Column(gettext_lazy("Due date"), lambda a: a.due_date),
        exports.Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
        exports.Column(gettext_lazy("Completed at"), lambda a: a.completed_at),
    ]

    def base_queryset(self):
        return selectors.actions_for_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            colours=ACTION_COLOURS, today=timezone.localdate(), open_statuses=OPEN_ACTION_STATUSES
        )
        return context


class ActionCreateView(PortalPermissionMixin, FormView):
    """An action not born from a nonconformity: an improvement, a preventive action."""

    form_class = ActionForm
    template_name = "nonconformities/action_form.html"

    def get_initial(self):
        return {"owner": self.request.user.pk, "kind": "improvement"}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # Corrective actions belong to their nonconformity's page.
        form.fields["kind"].choices = [
            c for c in form.fields["kind"].choices if c[0] != "corrective"
        ]
        return form

    def form_valid(self, form):
        try:
            action = services.action_add(actor=self.request.user, action=form.save(commit=False))
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The action %(number)s is in the tracker.") % {"number": action.number}
        )
        return redirect(action)


class ActionDetailView(PortalPermissionMixin, DetailView):
    template_name = "nonconformities/action_detail.html"
    context_object_name = "action"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            Action.objects.select_related("owner", "department", "nonconformity", "created_by"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = self.object
        user = self.request.user
        forms = kwargs.get("forms", {})
        context.update(
            colours=ACTION_COLOURS,
            can_update=services.can_update_action(user, action),
            moves=ACTION_FLOW.available(action, user),
            move_form=ActionMoveForm(initial={"version": action.version}),
            due_form=forms.get("due")
            or DueDateForm(initial={"version": action.version, "due_date": action.due_date}),
            note_form=forms.get("note") or NoteForm(),
            notes=selectors.notes_of(action),
            files=attachments_of(action),
            today=timezone.localdate(),
            history_entries=object_history(action, limit=20),
        )
        return context


class ActionStepView(PortalPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        action = get_visible_or_404(
            Action.objects.select_related("nonconformity"), request.user, pk=pk
        )
        step = request.POST.get("step", "")
        try:
            if step == "move":
                form = ActionMoveForm(request.POST)
                form.is_valid()
                services.action_move(
                    actor=request.user,
                    action=action,
                    move=request.POST.get("move", ""),
                    reason=form.cleaned_data.get("reason", ""),
                    version=form.cleaned_data.get("version"),
                )
                messages.success(request, _("The action is updated."))
            elif step == "due":
                form = DueDateForm(request.POST)
                if not form.is_valid():
                    return self._again(request, action, due=form)
                services.action_change_due(
                    actor=request.user,
                    action=action,
                    due_date=form.cleaned_data["due_date"],
                    reason=form.cleaned_data["reason"],
                    version=form.cleaned_data.get("version"),
                )
                messages.success(
                    request, _("The due date is changed; the reason is in the history.")
                )
            elif step == "note":
                form = NoteForm(request.POST, request.FILES)
                if not form.is_valid():
                    return self._again(request, action, note=form)
                services.action_note(
                    actor=request.user,
                    action=action,
                    text=form.cleaned_data["text"],
                    uploads=form.cleaned_data.get("files") or [],
                )
                messages.success(request, _("The note is added."))
            else:
                raise ValidationError(_("Unknown action."))
        except KeyError as exc:
            raise PermissionDenied from exc
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(action)

    def _again(self, request, action, **forms):
        page = ActionDetailView()
        page.setup(request, pk=action.pk)
        page.object = page.get_object()
        return render(
            request, page.template_name, page.get_context_data(object=page.object, forms=forms)
        )
