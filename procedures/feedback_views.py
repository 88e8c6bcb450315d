"""Pages of citizen feedback (complaints, dissatisfied ratings) for the agency's staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from procedures import services
from procedures.filters import FeedbackFilter
from procedures.forms import CallbackForm, FeedbackCloseForm
from procedures.models import Feedback, FeedbackStatus
from qms import exports
from qms.attachments import attachments_of
from qms.forms import AttachmentForm
from qms.history import object_history
from qms.views.generic import (
    ObjectListView,
    PortalPermissionMixin,
    add_service_errors,
    posted_int,
    render_detail_again,
)
from qms.visibility import get_visible_or_404

FEEDBACK_COLOURS = {
    FeedbackStatus.OPEN: "warning",
    FeedbackStatus.RECTIFIED: "success",
    FeedbackStatus.UNFOUNDED: "secondary",
}


class FeedbackListView(ObjectListView):
    model = Feedback
    template_name = "procedures/feedback_list.html"
    filterset_class = FeedbackFilter
    title = gettext_lazy("Citizen feedback")
    sort_fields = {"received": ("-received_at", "-pk"), "deadline": ("deadline", "pk")}
    default_sort = "received"
    export_name = "citizen-feedback"
    export_columns = [
        exports.Column(gettext_lazy("Number"), lambda f: f.number),
        exports.Column(gettext_lazy("Kind"), lambda f: f.get_kind_display()),
        exports.Column(gettext_lazy("Received at"), lambda f: f.received_at),
        exports.Column(gettext_lazy("Department"), lambda f: f.department),
        exports.Column(gettext_lazy("Case"), lambda f: f.case.receipt_code if f.case_id else ""),
        exports.Column(gettext_lazy("What happened"), lambda f: f.text),
        exports.Column(gettext_lazy("Owner"), lambda f: f.owner or ""),
        exports.Column(gettext_lazy("Deadline"), lambda f: f.deadline),
        exports.Column(gettext_lazy("Status"), lambda f: f.get_status_display()),
        exports.Column(gettext_lazy("What was done"), lambda f: f.resolution),
    ]

    def base_queryset(self):
        return Feedback.objects.visible_to(self.request.user).select_related(
            "department", "case", "owner", "procedure"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(colours=FEEDBACK_COLOURS, today=timezone.localdate())
        return context


class FeedbackDetailView(PortalPermissionMixin, DetailView):
    template_name = "procedures/feedback_detail.html"
    context_object_name = "item"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            Feedback.objects.select_related(
                "department", "case", "owner", "procedure", "nonconformity", "closed_by"
            ),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        forms = forms or {}
        item = self.object
        user = self.request.user
        can_handle = services.can_handle_feedback(user, item) and item.status == "open"
        context.update(
            colours=FEEDBACK_COLOURS,
            can_handle=can_handle,
            can_raise=can_handle
            and user.has_perm("procedures.manage_processes")
            and not item.nonconformity_id,
            callback_form=forms.get("callback")
            or CallbackForm(initial={"version": item.version, "callback_on": timezone.localdate()}),
            close_form=forms.get("close") or FeedbackCloseForm(initial={"version": item.version}),
            attachments=list(attachments_of(item)),
            attachment_form=AttachmentForm(),
            content_type_id=ContentType.objects.get_for_model(Feedback).pk,
            rating=getattr(item.case, "rating", None) if item.case_id else None,
            history_entries=object_history(item, limit=15),
        )
        return context


class FeedbackStepView(PortalPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        item = get_visible_or_404(Feedback.objects.all(), request.user, pk=pk)
        step = request.POST.get("step", "")
        version = posted_int(request.POST.get("version"))
        try:
            if step == "raise":
                nc = services.feedback_raise_nonconformity(
                    actor=request.user, item=item, version=version
                )
                messages.success(
                    request, _("Nonconformity %(number)s is raised.") % {"number": nc.number}
                )
                return redirect(item)
            forms_by_step = {"callback": CallbackForm, "close": FeedbackCloseForm}
            if step not in forms_by_step:
                raise Http404
            form = forms_by_step[step](request.POST)
            if form.is_valid():
                data = dict(form.cleaned_data)
                try:
                    if step == "callback":
                        services.feedback_callback(actor=request.user, item=item, **data)
                        messages.success(request, _("The call-back is recorded."))
                    else:
                        services.feedback_close(actor=request.user, item=item, **data)
                        messages.success(request, _("The feedback is closed."))
                    return redirect(item)
                except ValidationError as error:
                    add_service_errors(form, error)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(item)
        return render_detail_again(request, FeedbackDetailView, pk, {step: form})
