"""Base views every module's pages are built from.

``ObjectListView``: visibility first, then filters (django-filter), whitelisted sorting,
pagination and CSV/XLSX export of the whole filtered list — the same on every list page —
and, where the page names a ``pack_source``, an evidence pack of the filtered set.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView

from qms import exports, security_log
from qms.db import rows_showing
from qms.models import SecurityEvent
from qms.pagination import CappedPaginator
from qms.visibility import get_visible_or_404, kept_access_stamp


class PortalPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Signed-in users only; ``permission_required`` is a role (model-level) permission.

    A signed-in user without the permission gets 403 for a *page*; objects outside their
    scope are filtered by ``visible_to`` and answer 404.
    """

    raise_exception = False

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()

    def has_permission(self) -> bool:
        if not self.permission_required:
            return True
        return super().has_permission()


class ObjectListView(PortalPermissionMixin, ListView):
    filterset_class = None
    #: query parameter value -> ORM ordering; the first entry is the default
    sort_fields: dict[str, tuple[str, ...]] = {}
    default_sort = ""
    export_columns: list[exports.Column] | None = None
    export_name = "export"
    #: a list evidence-pack source (``qms.evidence.register_list_pack_source``) for this page
    pack_source = ""
    title = ""
    #: what the page's rows show ("title", "department__name"…): the page reads only those
    #: columns and joins only those relations (``qms.db.rows_showing``); exports and
    #: evidence packs read whole rows
    row_fields: tuple[str, ...] = ()
    #: a list of at most this many rows is read by its ids, which the query counting it
    #: returns (``CappedPaginator``): PostgreSQL can misjudge a short list as a long one and
    #: walk its sort order's index past the rows the reader may not see
    ids_first_below = 1000

    paginator_class = CappedPaginator

    def get_paginate_by(self, queryset):
        return settings.QMS_LIST_PAGE_SIZE

    def get_paginator(self, queryset, per_page, **kwargs):
        # The rows of a list are named by its address, its filters and sort, and who reads
        # it (their access as kept now): the same name, the same rows.
        params = self.request.GET.copy()
        params.pop("page", None)
        user = self.request.user
        access = kept_access_stamp(user)
        key = f"{self.request.path}?{params.urlencode()}|{user.pk}|{access}"
        return super().get_paginator(
            queryset, per_page, count_key=key, ids_first_below=self.ids_first_below, **kwargs
        )

    def paginate_queryset(self, queryset, page_size):
        if self.row_fields:
            queryset = rows_showing(queryset, self.row_fields)
        return super().paginate_queryset(queryset, page_size)

    def base_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_filterset(self, queryset):
        if self.filterset_class is None:
            return None
        return self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )

    def current_sort(self) -> str:
        sort = self.request.GET.get("sort", "")
        return sort if sort.lstrip("-") in self.sort_fields else self.default_sort

    def get_queryset(self):
        queryset = self.base_queryset()
        self.filterset = self.get_filterset(queryset)
        if self.filterset is not None and self.filterset.is_bound:
            queryset = self.filterset.qs if self.filterset.is_valid() else queryset.none()
        sort = self.current_sort()
        if sort:
            fields = self.sort_fields[sort.lstrip("-")]
            if sort.startswith("-"):
                fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
            queryset = queryset.order_by(*fields)
        return queryset

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in exports.FORMATS and self.export_columns:
            return self.export(fmt)
        return super().get(request, *args, **kwargs)

    def export(self, fmt: str):
        rows = self.get_queryset()[: settings.QMS_EXPORT_MAX_ROWS]
        security_log.record(
            SecurityEvent.Kind.EXPORT,
            request=self.request,
            target=self.export_name,
            details={"format": fmt, "query": self.request.GET.urlencode()[:500]},
        )
        return exports.export_response(fmt, rows, self.export_columns, self.export_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            filterset=self.filterset,
            sort=self.current_sort(),
            querystring=params.urlencode(),
            can_export=bool(self.export_columns),
            pack_source=self.pack_source,
            title=self.title,
        )
        return context


class ServiceFormView(PortalPermissionMixin, FormView):
    """Create or edit one object through its module's service.

    With a ``pk`` in the URL the object is found through visibility (404 outside the
    user's scope) and given to the form as ``instance`` — with its ``version`` for the
    concurrent-edit check; ``form_user_kwarg`` names the form's argument for the signed-in
    user when it takes one. A subclass writes ``save(form)`` (the service call) and
    ``success_message(obj)``; the service's refusals show next to their fields.
    """

    model = None
    context_object_name = "object"
    form_user_kwarg = ""

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        if "pk" in kwargs and request.user.is_authenticated:
            self.object = get_visible_or_404(self.model.objects, request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        if self.object is not None and hasattr(self.object, "version"):
            initial["version"] = self.object.version
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        if self.form_user_kwarg:
            kwargs[self.form_user_kwarg] = self.request.user
        return kwargs

    def save(self, form):
        raise NotImplementedError

    def success_message(self, obj) -> str:
        return _("Saved.")

    def form_valid(self, form):
        try:
            obj = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message(obj))
        return redirect(obj)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.context_object_name: self.object}, **kwargs)


EXPORT_HELP = _("Exports the whole filtered list, not only this page.")


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field when it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def errors_to_messages(request, error: ValidationError) -> None:
    """For buttons without a form: the service's reasons as error messages on the page."""
    for message in error.messages:
        messages.error(request, message)


def render_detail_again(request, view_class, pk: int, forms: dict):
    """An object's page shown again after a form on it failed: the page's own context, with
    the failed forms (their errors next to their fields) in place of fresh ones. The page's
    ``get_context_data`` takes ``forms``."""
    from django.shortcuts import render

    page = view_class()
    page.setup(request, pk=pk)
    page.object = page.get_object()
    return render(
        request, page.template_name, page.get_context_data(object=page.object, forms=forms)
    )


def form_step(request, view_class, pk: int, name: str, form, service):
    """One form posted on an object's page: when valid, ``service(cleaned_data)`` runs.
    Returns ``(result, None)`` when it did, or ``(None, page)`` — the object's page again
    with the form's errors (its own or the service's) next to the fields."""
    if form.is_valid():
        try:
            return service(form.cleaned_data), None
        except ValidationError as error:
            add_service_errors(form, error)
    return None, render_detail_again(request, view_class, pk, {name: form})


def posted_int(value) -> int | None:
    """A whole number posted in a form or an address (an id, a version), or None for
    anything else (``str.isdigit`` admits "²", which ``int`` refuses)."""
    return int(value) if value and str(value).isdecimal() else None
