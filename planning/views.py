"""Pages of planning: objectives, the risk register with its heat map, the QMS scope."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from nonconformities.choices import ACTION_COLOURS
from nonconformities.forms import PlanActionForm
from planning import matrix, measures, selectors, services
from planning.choices import LEVEL_COLOURS, OBJECTIVE_COLOURS, ObjectiveStatus, RiskStatus
from planning.filters import ObjectiveFilter, RiskFilter
from planning.forms import (
    AnnouncementForm,
    MeasurementForm,
    ObjectiveForm,
    ReasonForm,
    RiskForm,
    RiskReviewForm,
    ScopeForm,
)
from planning.models import Objective, Risk
from qms import charts, exports
from qms.history import object_history
from qms.views.generic import (
    ObjectListView,
    PortalPermissionMixin,
    ServiceFormView,
    add_service_errors,
    errors_to_messages,
    form_step,
    posted_int,
)
from qms.visibility import get_visible_or_404

# --- Objectives ---------------------------------------------------------------------


class ObjectiveListView(ObjectListView):
    model = Objective
    template_name = "planning/objective_list.html"
    filterset_class = ObjectiveFilter
    title = gettext_lazy("Quality objectives")
    sort_fields = {
        "number": ("-year", "number"),
        "status": ("status", "number"),
        "department": ("department__name", "number"),
    }
    default_sort = "number"
    export_name = "objectives"
    export_columns = [
        exports.Column(gettext_lazy("Number"), lambda o: o.number),
        exports.Column(gettext_lazy("Year"), lambda o: o.year),
        exports.Column(gettext_lazy("Department"), lambda o: o.department or _("The whole agency")),
        exports.Column(gettext_lazy("Objective"), lambda o: o.statement),
        exports.Column(gettext_lazy("Indicator"), lambda o: o.indicator),
        exports.Column(gettext_lazy("Target"), lambda o: o.target),
        exports.Column(gettext_lazy("Unit"), lambda o: o.unit),
        exports.Column(gettext_lazy("Latest value"), lambda o: o.last_value),
        exports.Column(gettext_lazy("Status"), lambda o: o.get_status_display()),
        exports.Column(gettext_lazy("Owner"), lambda o: o.owner),
    ]

    def base_queryset(self):
        return Objective.objects.visible_to(self.request.user).select_related("department", "owner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(self.object_list.order_by().values_list("status").annotate(n=Count("pk")))
        context.update(
            colours=OBJECTIVE_COLOURS,
            status_counts=[(s, counts.get(s.value, 0)) for s in ObjectiveStatus],
            can_manage=services.can_manage(self.request.user),
        )
        return context


class ObjectiveFormView(ServiceFormView):
    permission_required = "planning.manage_planning"
    model = Objective
    form_class = ObjectiveForm
    form_user_kwarg = "user"
    context_object_name = "objective"
    template_name = "planning/objective_form.html"

    def get_initial(self):
        if self.object is None:
            return {"year": timezone.localdate().year, "owner": self.request.user.pk}
        return super().get_initial()

    def save(self, form):
        return services.objective_save(
            actor=self.request.user,
            objective=form.save(commit=False),
            version=form.cleaned_data.get("version"),
        )

    def success_message(self, objective) -> str:
        return _("Objective %(number)s saved.") % {"number": objective.number}


class ObjectiveDetailView(PortalPermissionMixin, DetailView):
    template_name = "planning/objective_detail.html"
    context_object_name = "objective"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            Objective.objects.select_related("department", "owner", "procedure", "created_by"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        objective, user = self.object, self.request.user
        forms = kwargs.get("forms", {})
        values = {m.period_end: m for m in selectors.measurements_of(objective)}
        rows = []
        for start, end in measures.periods(objective.year, objective.frequency):
            last = end.fromordinal(end.toordinal() - 1)
            rows.append({"start": start, "end": last, "measurement": values.get(last)})
        points = [
            (f"{row['end']:%m/%y}", row["measurement"].value if row["measurement"] else None)
            for row in rows
        ]
        context.update(
            colours=OBJECTIVE_COLOURS,
            action_colours=ACTION_COLOURS,
            rows=rows,
            chart=charts.columns(
                points,
                target=objective.target,
                higher_is_better=objective.direction == "higher",
                maximum=100 if objective.unit == "%" else None,
            ),
            actions=selectors.actions_from(objective),
            can_manage=services.can_manage(user),
            can_record=services.can_record_value(user, objective)
            and objective.status != ObjectiveStatus.WITHDRAWN,
            value_form=forms.get("value") or MeasurementForm(objective=objective),
            action_form=forms.get("action")
            or PlanActionForm(initial={"owner": objective.owner_id}),
            withdraw_form=forms.get("withdraw")
            or ReasonForm(initial={"version": objective.version}),
            today=timezone.localdate(),
            history_entries=object_history(objective, limit=20),
        )
        return context


class ObjectiveStepView(PortalPermissionMixin, View):
    def post(self, request, pk: int):
        objective = get_visible_or_404(
            Objective.objects.select_related("department"), request.user, pk=pk
        )
        step, user = request.POST.get("step"), request.user
        steps = {
            "value": (
                MeasurementForm(request.POST, objective=objective),
                lambda data: services.measurement_record(actor=user, objective=objective, **data),
                lambda _result: _("The value is recorded."),
            ),
            "action": (
                PlanActionForm(request.POST),
                lambda data: services.objective_action(actor=user, objective=objective, **data),
                lambda action: (
                    _("The action %(number)s is in the tracker.") % {"number": action.number}
                ),
            ),
            "withdraw": (
                ReasonForm(request.POST),
                lambda data: services.objective_withdraw(actor=user, objective=objective, **data),
                lambda _result: _("The objective is withdrawn."),
            ),
        }
        try:
            if step == "measure":
                if not services.can_record_value(user, objective):
                    raise PermissionDenied
                changed = services.measure_live(objective)
                messages.success(
                    request, _("Measured again: %(n)s values changed.") % {"n": changed}
                )
            elif step in steps:
                form, service, message = steps[step]
                result, page = form_step(request, ObjectiveDetailView, pk, step, form, service)
                if page is not None:
                    return page
                messages.success(request, message(result))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(objective)


# --- Risks --------------------------------------------------------------------------


def _cell_class(level: str) -> str:
    return f"heat-{level}" if level else ""


class RiskListView(ObjectListView):
    model = Risk
    template_name = "planning/risk_list.html"
    filterset_class = RiskFilter
    title = gettext_lazy("Risks and opportunities")
    sort_fields = {
        "score": ("-score", "number"),
        "number": ("number",),
        "review": ("review_date", "number"),
        "department": ("department__name", "-score"),
    }
    default_sort = "score"
    export_name = "risks"
    export_columns = [
        exports.Column(gettext_lazy("Number"), lambda r: r.number),
        exports.Column(gettext_lazy("Kind"), lambda r: r.get_kind_display()),
        exports.Column(gettext_lazy("Title"), lambda r: r.title),
        exports.Column(gettext_lazy("Department"), lambda r: r.department),
        exports.Column(gettext_lazy("Process"), lambda r: r.process or ""),
        exports.Column(gettext_lazy("Likelihood"), lambda r: r.likelihood),
        exports.Column(gettext_lazy("Impact"), lambda r: r.impact),
        exports.Column(gettext_lazy("Score"), lambda r: r.score),
        exports.Column(gettext_lazy("Treatment"), lambda r: r.get_treatment_display()),
        exports.Column(gettext_lazy("Score after treatment"), lambda r: r.residual_score),
        exports.Column(gettext_lazy("Next review"), lambda r: r.review_date),
        exports.Column(gettext_lazy("Owner"), lambda r: r.owner),
        exports.Column(gettext_lazy("Status"), lambda r: r.get_status_display()),
    ]

    def base_queryset(self):
        return Risk.objects.visible_to(self.request.user).select_related(
            "department", "process", "owner"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        residual = self.request.GET.get("residual") == "yes"
        # the heat map shows the register as filtered, except for the cell being looked at
        params = self.request.GET.copy()
        for key in ("likelihood", "impact", "page"):
            params.pop(key, None)
        kind = "opportunity" if params.get("kind") == "opportunity" else "risk"
        base = Risk.objects.visible_to(self.request.user).filter(kind=kind)
        filtered = RiskFilter(params or None, queryset=base, request=self.request)
        counts = selectors.heat_map(
            filtered.qs if filtered.is_bound and filtered.is_valid() else base, residual
        )
        if "kind" not in params:
            params["kind"] = kind
        base_query = params.urlencode()
        grid = [
            [
                {
                    "likelihood": likelihood,
                    "impact": impact,
                    "score": score,
                    "css": _cell_class(level),
                    "count": counts.get((likelihood, impact), 0),
                    "query": f"{base_query}&likelihood={likelihood}&impact={impact}".lstrip("&"),
                }
                for likelihood, impact, score, level in row
            ]
            for row in matrix.grid()
        ]
        context.update(
            grid=grid,
            impacts=matrix.scale("impact"),
            likelihoods=dict(matrix.scale("likelihood")),
            residual=residual,
            heat_kind=kind,
            level_colours=LEVEL_COLOURS,
            today=timezone.localdate(),
            can_add=services.can_manage(self.request.user)
            or bool(services.headed_paths(self.request.user)),
        )
        return context


class RiskFormView(ServiceFormView):
    model = Risk
    form_class = RiskForm
    form_user_kwarg = "user"
    context_object_name = "risk"
    template_name = "planning/risk_form.html"

    def get_initial(self):
        if self.object is not None:
            return super().get_initial()
        today = timezone.localdate()
        return {
            "owner": self.request.user.pk,
            "department": self.request.user.department_id,
            "review_date": today.replace(day=1, year=today.year + 1),
        }

    def save(self, form):
        try:
            return services.risk_save(
                actor=self.request.user,
                risk=form.save(commit=False),
                version=form.cleaned_data.get("version"),
            )
        except PermissionDenied as denied:
            raise ValidationError(
                {
                    "department": _(
                        "Only the QMS manager or the head of this department keeps its risks."
                    )
                }
            ) from denied

    def success_message(self, risk) -> str:
        return _("%(number)s saved.") % {"number": risk.number}


class RiskDetailView(PortalPermissionMixin, DetailView):
    template_name = "planning/risk_detail.html"
    context_object_name = "risk"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            Risk.objects.select_related("department", "process", "owner", "created_by"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        risk, user = self.object, self.request.user
        forms = kwargs.get("forms", {})
        open_risk = risk.status == RiskStatus.OPEN
        context.update(
            level_colours=LEVEL_COLOURS,
            action_colours=ACTION_COLOURS,
            likelihoods=dict(matrix.scale("likelihood")),
            impacts=dict(matrix.scale("impact")),
            reviews=selectors.reviews_of(risk),
            actions=selectors.actions_from(risk),
            can_edit=open_risk and services.can_edit_risks_of(user, risk.department),
            can_review=open_risk and services.can_review_risk(user, risk),
            review_form=forms.get("review")
            or RiskReviewForm(
                initial={
                    "likelihood": risk.likelihood,
                    "impact": risk.impact,
                    "residual_likelihood": risk.residual_likelihood,
                    "residual_impact": risk.residual_impact,
                    "version": risk.version,
                }
            ),
            action_form=forms.get("action") or PlanActionForm(initial={"owner": risk.owner_id}),
            close_form=forms.get("close") or ReasonForm(initial={"version": risk.version}),
            today=timezone.localdate(),
            history_entries=object_history(risk, limit=20),
        )
        return context


class RiskStepView(PortalPermissionMixin, View):
    def post(self, request, pk: int):
        risk = get_visible_or_404(Risk.objects.select_related("department"), request.user, pk=pk)
        step, user = request.POST.get("step"), request.user
        steps = {
            "review": (
                RiskReviewForm(request.POST),
                lambda data: services.risk_review(actor=user, risk=risk, **data),
                lambda _result: _("The review is recorded."),
            ),
            "action": (
                PlanActionForm(request.POST),
                lambda data: services.risk_action(actor=user, risk=risk, **data),
                lambda action: (
                    _("The action %(number)s is in the tracker.") % {"number": action.number}
                ),
            ),
            "close": (
                ReasonForm(request.POST),
                lambda data: services.risk_close(actor=user, risk=risk, **data),
                lambda _result: _("The risk is closed."),
            ),
        }
        if step in steps:
            form, service, message = steps[step]
            result, page = form_step(request, RiskDetailView, pk, step, form, service)
            if page is not None:
                return page
            messages.success(request, message(result))
        return redirect(risk)


# --- Scope and announcements ----------------------------------------------------------


class ScopeView(PortalPermissionMixin, TemplateView):
    template_name = "planning/scope.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and selectors.staff_q(request.user) is not None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from planning.models import Announcement, Scope

        context = super().get_context_data(**kwargs)
        scope = selectors.current_scope()
        announcement = selectors.latest_announcement()
        context.update(
            scope=scope,
            announcement=announcement,
            outdated=selectors.announcement_outdated(scope, announcement),
            versions=Scope.objects.select_related("created_by").order_by("-effective_from", "-pk")[
                :20
            ],
            announcements=Announcement.objects.select_related("scope").order_by("-announced_on")[
                :20
            ],
            can_manage=services.can_manage(self.request.user),
            scope_form=kwargs.get("scope_form")
            or ScopeForm(
                user=self.request.user,
                initial={
                    "statement": scope.statement if scope else "",
                    "exclusions": scope.exclusions if scope else "",
                    "departments": list(scope.departments.all()) if scope else [],
                    "procedures": list(scope.procedures.all()) if scope else [],
                    "effective_from": timezone.localdate(),
                },
            ),
            announcement_form=kwargs.get("announcement_form") or AnnouncementForm(),
        )
        return context

    def post(self, request):
        if not services.can_manage(request.user):
            raise PermissionDenied
        if request.POST.get("step") == "announcement":
            form = AnnouncementForm(request.POST)
            scope = selectors.current_scope()
            if form.is_valid() and scope is not None:
                try:
                    services.announcement_record(
                        actor=request.user, scope=scope, **form.cleaned_data
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("The conformity announcement is recorded."))
                    return redirect("planning:scope")
            elif scope is None:
                form.add_error(None, _("Record the scope first."))
            return self.render_to_response(self.get_context_data(announcement_form=form))
        form = ScopeForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.scope_change(actor=request.user, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The new scope is recorded."))
                return redirect("planning:scope")
        return self.render_to_response(self.get_context_data(scope_form=form))


# --- Scorecard and the annual report ------------------------------------------------------


class ScorecardView(PortalPermissionMixin, TemplateView):
    """Each unit's score on the weighted criteria, for a period, ranked; the QMS manager
    keeps the criteria on the same page."""

    template_name = "planning/scorecard.html"

    def get(self, request, *args, **kwargs):
        from qms.views.dashboard import DashboardView

        self.board = DashboardView()
        self.board.setup(request)
        self.board.setup_view()
        if request.GET.get("export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def scores(self):
        from collections import Counter

        from planning.models import ScorecardCriterion
        from planning.scorecard import score_unit

        criteria = list(ScorecardCriterion.objects.filter(is_active=True))
        view = self.board.view
        units = [score_unit(unit, view.unit(unit), criteria) for unit in view.units]
        overall = Counter(view.figures)
        if view.department is None:
            programme = view.metrics.get("~programme", Counter())
            overall["audits_planned"], overall["audits_done"] = (
                programme["programme_audits"],
                programme["programme_done"],
            )
        total = score_unit(view.department, overall, criteria)
        units.sort(key=lambda s: (s.score is None, -(s.score or 0), s.unit.name))
        return criteria, units, total

    def export(self):
        criteria, units, total = self.scores()
        header = [_("Unit"), *[c.name for c in criteria], _("Score (%)")]
        rows = [header]
        for line in [*units, total]:
            name = line.unit.name if line.unit is not None else _("The whole agency")
            rows.append([name, *[v.value for v in line.lines], line.score])
        from django.http import HttpResponse

        response = HttpResponse(
            exports.workbook_bytes([(_("Scorecard"), rows)]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="scorecard-{self.board.period.start:%Y-%m}.xlsx"'
        )
        return response

    def get_context_data(self, **kwargs):
        from planning.forms import CriterionForm
        from planning.models import ScorecardCriterion

        context = super().get_context_data(**kwargs)
        criteria, units, total = self.scores()
        board_context = self.board.figures_context()
        context.update(
            {
                key: board_context[key]
                for key in (
                    "period",
                    "department",
                    "departments",
                    "months",
                    "period_label",
                    "querystring",
                )
            },
            criteria=criteria,
            units=units,
            total=total,
            chart=charts.ranking(
                [
                    (
                        s.unit.name,
                        s.score,
                        f"?{self.request.GET.urlencode()}&department={s.unit.pk}".replace(
                            "?&", "?"
                        ),
                        "",
                    )
                    for s in units
                ],
                maximum=100,
            ),
            all_criteria=ScorecardCriterion.objects.all(),
            can_manage=services.can_manage(self.request.user),
            criterion_form=kwargs.get("criterion_form") or CriterionForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        from planning.forms import CriterionForm
        from planning.models import ScorecardCriterion

        if not services.can_manage(request.user):
            raise PermissionDenied
        instance = None
        if request.POST.get("criterion"):
            instance = ScorecardCriterion.objects.filter(
                pk=posted_int(request.POST["criterion"])
            ).first()
            if instance is None:
                raise Http404
        form = CriterionForm(request.POST, instance=instance)
        if form.is_valid():
            services.criterion_save(actor=request.user, criterion=form.save(commit=False))
            messages.success(request, _("The scorecard criterion is saved."))
            return redirect("planning:scorecard")
        from qms.views.dashboard import DashboardView

        self.board = DashboardView()
        self.board.setup(request)
        self.board.setup_view()
        return self.render_to_response(self.get_context_data(criterion_form=form))


class AnnualReportView(PortalPermissionMixin, TemplateView):
    """The annual QMS report to the supervising body, on screen, as PDF and as XLSX."""

    permission_required = "qms.view_dashboard"
    template_name = "planning/annual_report.html"

    def get(self, request, *args, **kwargs):
        from planning.annual_report import compile_report, workbook_sheets
        from qms import security_log
        from qms.models import SecurityEvent

        today = timezone.localdate()
        year = posted_int(request.GET.get("year")) or today.year
        if not 2000 <= year <= today.year:
            year = today.year
        self.report = compile_report(year)
        fmt = request.GET.get("export")
        if fmt in ("pdf", "xlsx"):
            security_log.record(
                SecurityEvent.Kind.EXPORT,
                request=request,
                target="annual QMS report",
                details={"format": fmt, "year": year},
            )
            from django.http import HttpResponse

            if fmt == "xlsx":
                response = HttpResponse(
                    exports.workbook_bytes(workbook_sheets(self.report)),
                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            else:
                from qms.context_processors import agency_name
                from qms.pdf import render_pdf

                response = HttpResponse(
                    render_pdf(
                        "planning/annual_report_pdf.html",
                        {**self.report, "agency_name": agency_name(), "today": today},
                    ),
                    content_type="application/pdf",
                )
            response["Content-Disposition"] = (
                f'attachment; filename="qms-annual-report-{year}.{fmt}"'
            )
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(
            **self.report, years=list(range(today.year, today.year - 6, -1)), **kwargs
        )
