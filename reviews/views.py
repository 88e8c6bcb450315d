"""Pages of the management review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from nonconformities.choices import ACTION_COLOURS
from qms import exports
from qms.attachments import attachments_of
from qms.history import object_history
from qms.signatures import signatures_listed
from qms.views.generic import (
    ObjectListView,
    PortalPermissionMixin,
    ServiceFormView,
    errors_to_messages,
    form_step,
    posted_int,
)
from qms.visibility import get_visible_or_404, mark_openable
from reviews import selectors, services
from reviews.choices import STATUS_COLOURS
from reviews.forms import CancelForm, DecisionForm, MinutesForm, ReviewForm, SignForm
from reviews.inputs import only_openable_links
from reviews.models import ManagementReview
from reviews.workflows import REVIEW_FLOW


class ReviewListView(ObjectListView):
    model = ManagementReview
    template_name = "reviews/review_list.html"
    title = gettext_lazy("Management reviews")
    sort_fields = {"date": ("-meeting_date", "-pk"), "number": ("number",)}
    default_sort = "date"
    export_name = "management-reviews"
    export_columns = [
        exports.Column(gettext_lazy("Number"), lambda r: r.number),
        exports.Column(gettext_lazy("Title"), lambda r: r.title),
        exports.Column(gettext_lazy("Meeting date"), lambda r: r.meeting_date),
        exports.Column(gettext_lazy("Chaired by"), lambda r: r.chair),
        exports.Column(gettext_lazy("Status"), lambda r: r.get_status_display()),
    ]

    def base_queryset(self):
        return ManagementReview.objects.visible_to(self.request.user).select_related("chair")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            colours=STATUS_COLOURS, can_manage=services.can_manage(self.request.user), **kwargs
        )


class ReviewFormView(ServiceFormView):
    permission_required = "reviews.manage_reviews"
    model = ManagementReview
    form_class = ReviewForm
    context_object_name = "review"
    template_name = "reviews/review_form.html"

    def get_initial(self):
        if self.object is not None:
            return super().get_initial()
        return {"title": _("Management review %(year)s") % {"year": timezone.localdate().year}}

    def save(self, form):
        participants = form.cleaned_data["participants"]
        if self.object is None:
            return services.review_schedule(
                actor=self.request.user, review=form.save(commit=False), participants=participants
            )
        return services.review_update(
            actor=self.request.user,
            review=form.save(commit=False),
            participants=participants,
            version=form.cleaned_data["version"],
        )

    def success_message(self, review) -> str:
        return _("%(number)s saved.") % {"number": review.number}


class ReviewDetailView(PortalPermissionMixin, DetailView):
    template_name = "reviews/review_detail.html"
    context_object_name = "review"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            ManagementReview.objects.select_related("chair", "created_by", "signature"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review, user = self.object, self.request.user
        forms = kwargs.get("forms", {})
        participants = list(review.participants.select_related("department"))
        decisions = selectors.decisions_of(review)
        mark_openable(decisions, user, "action")
        context.update(
            colours=STATUS_COLOURS,
            action_colours=ACTION_COLOURS,
            participants=participants,
            sections=only_openable_links(review.inputs.get("sections", []), user),
            decisions=decisions,
            moves=[
                m for m in REVIEW_FLOW.available(review, user) if m.name in ("compile", "cancel")
            ],
            can_manage=services.can_manage(user),
            is_chair=review.chair_id == user.pk,
            minutes_form=forms.get("minutes")
            or MinutesForm(
                initial={
                    "participants": [p.pk for p in participants],
                    "other_participants": review.other_participants,
                    "minutes": review.minutes,
                    "conclusion": review.conclusion,
                    "version": review.version,
                }
            ),
            decision_form=forms.get("decision") or DecisionForm(),
            sign_form=forms.get("sign") or SignForm(initial={"version": review.version}),
            cancel_form=forms.get("cancel") or CancelForm(initial={"version": review.version}),
            files=attachments_of(review),
            signatures=signatures_listed(review),
            today=timezone.localdate(),
            history_entries=object_history(review, limit=20),
        )
        return context


class ReviewStepView(PortalPermissionMixin, View):
    def post(self, request, pk: int):
        review = get_visible_or_404(ManagementReview.objects, request.user, pk=pk)
        step, user = request.POST.get("step"), request.user
        steps = {
            "minutes": (
                MinutesForm(request.POST),
                lambda data: services.review_hold(actor=user, review=review, **data),
                lambda _result: _("The minutes are recorded."),
            ),
            "decision": (
                DecisionForm(request.POST),
                lambda data: services.decision_add(actor=user, review=review, **data),
                lambda decision: (
                    _("The decision is recorded; action %(number)s is in the tracker.")
                    % {"number": decision.action.number}
                ),
            ),
            "sign": (
                SignForm(request.POST),
                lambda data: services.review_sign(
                    actor=user, review=review, request=request, **data
                ),
                lambda _result: _("The minutes are signed and kept as a record."),
            ),
            "cancel": (
                CancelForm(request.POST),
                lambda data: services.review_cancel(actor=user, review=review, **data),
                lambda _result: _("The review is cancelled."),
            ),
        }
        try:
            if step == "compile":
                services.review_compile(
                    actor=user, review=review, version=posted_int(request.POST.get("version"))
                )
                messages.success(request, _("The inputs are compiled from today's data."))
            elif step in steps:
                form, service, message = steps[step]
                result, page = form_step(request, ReviewDetailView, pk, step, form, service)
                if page is not None:
                    return page
                messages.success(request, message(result))
        except ValidationError as error:
            errors_to_messages(request, error)
        return redirect(review)
