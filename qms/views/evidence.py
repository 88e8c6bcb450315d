"""Evidence packs: ask for one, watch it build, download it, verify one you were given."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from qms import evidence
from qms.models import EvidencePack
from qms.views.generic import ObjectListView, errors_to_messages, posted_int
from qms.visibility import get_visible_or_404


class EvidencePackRequestView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        source = request.POST.get("source", "")
        object_id = request.POST.get("object_id", "")
        try:
            if source in evidence.LIST_SOURCES:
                pack = evidence.list_pack_request(
                    actor=request.user,
                    source=source,
                    query=request.POST.get("query", ""),
                    request=request,
                )
            elif posted_int(object_id) is not None:
                pack = evidence.pack_request(
                    actor=request.user,
                    source=source,
                    object_id=posted_int(object_id),
                    request=request,
                )
            else:
                raise Http404
        except PermissionDenied as exc:  # a foreign or hidden id looks like a missing one
            raise Http404 from exc
        except ValidationError as error:
            errors_to_messages(request, error)
            return redirect(_back(request))
        pack.refresh_from_db()  # without a broker the pack was built before this line
        if pack.status == EvidencePack.Status.READY:
            messages.success(request, _("The evidence pack is ready to download."))
        else:
            messages.success(
                request, _("The evidence pack is being prepared; this page shows its progress.")
            )
        return redirect(pack)


def _back(request) -> str:
    """Back to the page the button was on (same site only), else to the packs list."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("qms:evidence_list")


class EvidencePackListView(ObjectListView):
    model = EvidencePack
    template_name = "qms/evidence_list.html"
    title = gettext_lazy("My evidence packs")
    sort_fields = {"requested": ("-requested_at",)}
    default_sort = "requested"

    def base_queryset(self):
        return EvidencePack.objects.visible_to(self.request.user)


class EvidencePackView(LoginRequiredMixin, DetailView):
    template_name = "qms/evidence_pack.html"
    context_object_name = "pack"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            EvidencePack.objects.all(), self.request.user, pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["list_url"] = evidence.list_url(self.object)
        return context

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["qms/partials/evidence_progress.html"]
        return [self.template_name]


class EvidencePackDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        pack = get_visible_or_404(EvidencePack.objects.all(), request.user, pk=pk)
        try:
            handle = evidence.pack_open(pack=pack, user=request.user)
        except PermissionDenied as exc:
            raise Http404 from exc
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{slugify(pack.title)[:80] or 'evidence'}-{pack.pk}.zip",
            content_type="application/zip",
        )
        response["Cache-Control"] = "private, no-store"
        return response


class VerifyForm(forms.Form):
    pack = forms.FileField(
        label=gettext_lazy("evidence pack (ZIP)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )


class EvidenceVerifyView(LoginRequiredMixin, View):
    template_name = "qms/evidence_verify.html"

    def get(self, request):
        return render(request, self.template_name, {"form": VerifyForm()})

    def post(self, request):
        form = VerifyForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            report = evidence.verify_pack(form.cleaned_data["pack"])
        return render(request, self.template_name, {"form": form, "report": report})
