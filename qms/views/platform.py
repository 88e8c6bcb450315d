"""Pages of the platform: home and My tasks, profile, language, notifications,
attachments, and the administrator's pages (users, departments, calendar),
the activity page and the security log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView, UpdateView

from qms import attachments as attachment_service
from qms import exports, history, home, security_log, services
from qms.filters import (
    ActivityForm,
    CalendarFilter,
    DepartmentFilter,
    SecurityEventFilter,
    UserFilter,
)
from qms.forms import (
    AttachmentForm,
    CalendarDayForm,
    CalendarRangeForm,
    DepartmentForm,
    DepartmentScopeForm,
    LanguageForm,
    ProfileForm,
    UserForm,
)
from qms.links import url_for
from qms.middleware import set_language_cookie
from qms.models import Attachment, CalendarDay, Department, Notification, SecurityEvent, User
from qms.mytasks import tasks_for
from qms.pagination import CappedPaginator
from qms.roles import role_name
from qms.views.generic import ObjectListView, PortalPermissionMixin, add_service_errors
from qms.visibility import VisibleObjectMixin, granted_departments, mark_openable, openable_ids

# --- Home, profile, language --------------------------------------------------------


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "qms/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        tasks = tasks_for(self.request.user, today)
        context.update(
            home_blocks=home.blocks_for(self.request.user),
            tasks=tasks,
            overdue_count=sum(1 for t in tasks if t.is_overdue),
            today=today,
            recent_notifications=Notification.objects.filter(recipient=self.request.user)[:5],
        )
        return context


class ProfileView(LoginRequiredMixin, FormView):
    template_name = "qms/profile.html"
    form_class = ProfileForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.request.user
        return kwargs

    def form_valid(self, form):
        user = services.profile_update(user=self.request.user, fields=form.cleaned_data)
        translation.activate(user.language)
        messages.success(self.request, _("Your profile was saved."))
        return set_language_cookie(redirect("qms:profile"), user.language)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["role_names"] = [role_name(g.name) for g in user.groups.all()]
        return context


class LanguageView(View):
    """Switch language: saved on the account when signed in, in a cookie for everyone."""

    http_method_names = ["post"]

    def post(self, request):
        form = LanguageForm(request.POST)
        target = request.POST.get("next") or reverse("qms:home")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = reverse("qms:home")
        if not form.is_valid():
            messages.error(request, _("This language is not available."))
            return HttpResponseRedirect(target)
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.language_set(user=request.user, language=language)
        translation.activate(language)
        return set_language_cookie(HttpResponseRedirect(target), language)


# --- Notifications ------------------------------------------------------------------


class NotificationListView(LoginRequiredMixin, TemplateView):
    template_name = "qms/notification_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = Notification.objects.filter(recipient=self.request.user)
        if self.request.GET.get("unread"):
            rows = rows.filter(read_at__isnull=True)
        page = CappedPaginator(rows, 25).get_page(self.request.GET.get("page"))
        context.update(page_obj=page, only_unread=bool(self.request.GET.get("unread")))
        return context


class NotificationBadgeView(LoginRequiredMixin, TemplateView):
    """The bell's unread count, refreshed by HTMX every minute without a page load."""

    template_name = "qms/partials/bell_count.html"


class NotificationOpenView(LoginRequiredMixin, View):
    """Mark one notification read and go where it points."""

    def get(self, request, pk: int):
        notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
        from qms.notifications import mark_read

        mark_read(user=request.user, notification_ids=[notification.pk])
        target = notification.url or reverse("qms:notification_list")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = reverse("qms:notification_list")
        return HttpResponseRedirect(target)


class NotificationMarkAllReadView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        from qms.notifications import mark_read

        count = mark_read(user=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)s notification marked as read.",
                "%(count)s notifications marked as read.",
                count,
            )
            % {"count": count},
        )
        return redirect("qms:notification_list")


# --- Attachments --------------------------------------------------------------------


class AttachmentDownloadView(LoginRequiredMixin, View):
    """Files are only ever sent as downloads, after checking the parent is visible."""

    def get(self, request, uuid):
        attachment = Attachment.objects.select_related("content_type").filter(uuid=uuid).first()
        if attachment is None or attachment.removed_at is not None:
            raise Http404
        if not attachment_service.parent_is_visible(attachment, request.user):
            raise Http404
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment_service.download_name(attachment),
            content_type=attachment.mime_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response["Cache-Control"] = "private, no-store"
        return response


class AttachmentRemoveView(LoginRequiredMixin, View):
    """Hide an attachment (kept in storage and history); only who may upload may remove."""

    http_method_names = ["post"]

    def post(self, request, uuid):
        attachment = Attachment.objects.select_related("content_type").filter(uuid=uuid).first()
        if attachment is None or attachment.removed_at is not None:
            raise Http404
        if not attachment_service.parent_is_visible(attachment, request.user):
            raise Http404
        parent = attachment.parent
        if not attachment_service.can_upload(request.user, parent):
            raise Http404
        attachment_service.attachment_remove(attachment=attachment, actor=request.user, reason="")
        messages.success(request, _("The file was removed from the list; it stays in the history."))
        return redirect(parent.get_absolute_url())


class AttachmentUploadView(LoginRequiredMixin, View):
    """One upload endpoint for every attachable object, addressed by type and id."""

    http_method_names = ["post"]

    def post(self, request, content_type_id: int, object_id: int):
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type else None
        if model is None or not attachment_service.is_attachable(model):
            raise Http404
        parent = model.objects.visible_to(request.user).filter(pk=object_id).first()
        if parent is None:
            raise Http404
        if not attachment_service.can_upload(request.user, parent):
            raise Http404
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            attachment_service.attachment_create(
                parent=parent,
                upload=form.cleaned_data["file"],
                actor=request.user,
                description=form.cleaned_data["description"],
            )
            messages.success(request, _("The file was attached."))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect(parent.get_absolute_url())


# --- Users --------------------------------------------------------------------------


class UserListView(ObjectListView):
    model = User
    permission_required = "qms.view_user"
    template_name = "qms/user_list.html"
    filterset_class = UserFilter
    title = gettext_lazy("Users")
    sort_fields = {
        "name": ("last_name", "first_name", "username"),
        "username": ("username",),
        "department": ("department__name", "username"),
        "last_login": ("last_login", "username"),
    }
    default_sort = "name"
    export_name = "users"
    export_columns = [
        exports.Column(gettext_lazy("User name"), lambda u: u.username),
        exports.Column(gettext_lazy("Full name"), lambda u: u.get_full_name()),
        exports.Column(gettext_lazy("E-mail"), lambda u: u.email),
        exports.Column(gettext_lazy("Department"), lambda u: u.department or ""),
        exports.Column(gettext_lazy("Job title"), lambda u: u.job_title),
        exports.Column(
            gettext_lazy("Roles"), lambda u: ", ".join(role_name(g.name) for g in u.groups.all())
        ),
        exports.Column(gettext_lazy("Active"), lambda u: u.is_active),
        exports.Column(gettext_lazy("Last sign-in"), lambda u: u.last_login),
    ]

    def base_queryset(self):
        return (
            User.objects.visible_to(self.request.user)
            .select_related("department")
            .prefetch_related("groups")
        )


class UserDetailView(PortalPermissionMixin, VisibleObjectMixin, DetailView):
    model = User
    permission_required = User.page_permission
    template_name = "qms/user_detail.html"
    context_object_name = "account"

    def get_queryset(self):
        return super().get_queryset().select_related("department").prefetch_related("groups")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        context.update(
            role_names=[role_name(g.name) for g in account.groups.all()],
            scope_departments=granted_departments(account),
            scope_form=DepartmentScopeForm(actor=self.request.user),
            history_entries=history.object_history(account, limit=20),
            can_manage=self.request.user.has_perm("qms.manage_user"),
        )
        return context


class UserFormMixin(PortalPermissionMixin):
    model = User
    form_class = UserForm
    permission_required = "qms.manage_user"
    template_name = "qms/user_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def form_valid(self, form):
        creating = form.instance.pk is None
        try:
            user = services.user_save(
                actor=self.request.user,
                user=form.save(commit=False),
                roles=form.cleaned_data["roles"],
                password=form.cleaned_data.get("password", ""),
                request=self.request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if creating and not form.cleaned_data.get("password"):
            services.account_invite(user=user, request=self.request)
            messages.success(self.request, _("The account was created and an e-mail sent."))
        else:
            messages.success(self.request, _("The account was saved."))
        return redirect(user.get_absolute_url())


class UserCreateView(UserFormMixin, FormView):
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = User()
        return kwargs


class UserUpdateView(UserFormMixin, VisibleObjectMixin, UpdateView):
    context_object_name = "account"


class UserScopeView(PortalPermissionMixin, View):
    """Grant or withdraw another department's scope (object permission via guardian)."""

    permission_required = "qms.manage_user"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        account = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
        form = DepartmentScopeForm(request.POST, actor=request.user)
        if not form.is_valid():
            messages.error(request, _("Choose a department you can see."))
            return redirect(account.get_absolute_url())
        granted = request.POST.get("action") != "revoke"
        services.user_grant_department_scope(
            actor=request.user,
            user=account,
            department=form.cleaned_data["department"],
            granted=granted,
            request=request,
        )
        messages.success(request, _("The user's scope was updated."))
        return redirect(account.get_absolute_url())


# --- Departments --------------------------------------------------------------------


class DepartmentListView(ObjectListView):
    model = Department
    template_name = "qms/department_list.html"
    filterset_class = DepartmentFilter
    title = gettext_lazy("Departments")
    sort_fields = {"tree": ("path",), "code": ("code",), "name": ("name",)}
    default_sort = "tree"
    export_name = "departments"
    export_columns = [
        exports.Column(gettext_lazy("Code"), lambda d: d.code),
        exports.Column(gettext_lazy("Name"), lambda d: d.name),
        exports.Column(gettext_lazy("Parent department"), lambda d: d.parent or ""),
        exports.Column(gettext_lazy("Head of department"), lambda d: d.head or ""),
        exports.Column(gettext_lazy("Level"), lambda d: d.depth + 1),
        exports.Column(gettext_lazy("Active"), lambda d: d.is_active),
    ]

    def base_queryset(self):
        from django.db.models import Count, Q

        return (
            Department.objects.visible_to(self.request.user)
            .select_related("parent", "head")
            .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
        )


class DepartmentDetailView(PortalPermissionMixin, VisibleObjectMixin, DetailView):
    model = Department
    template_name = "qms/department_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("parent", "head")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        department = self.object
        # a unit's parent lies outside the scope of its own staff: named, not linked
        mark_openable([department], self.request.user, "parent")
        user = self.request.user
        context.update(
            children=Department.objects.visible_to(user)
            .filter(parent=department)
            .select_related("head"),
            members=User.objects.filter(department=department, is_active=True).order_by(
                "last_name", "first_name"
            )[:200],
            attachments=attachment_service.attachments_of(department),
            attachment_form=AttachmentForm(),
            can_attach=attachment_service.can_upload(user, department),
            content_type_id=ContentType.objects.get_for_model(Department).pk,
            history_entries=history.object_history(department, limit=20),
            can_manage=user.has_perm("qms.manage_department"),
        )
        return context


class DepartmentFormMixin(PortalPermissionMixin):
    model = Department
    form_class = DepartmentForm
    permission_required = "qms.manage_department"
    template_name = "qms/department_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            department = services.department_save(
                actor=self.request.user, department=form.save(commit=False)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The department was saved."))
        return redirect(department.get_absolute_url())


class DepartmentCreateView(DepartmentFormMixin, FormView):
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Department(parent_id=self.request.GET.get("parent") or None)
        return kwargs


class DepartmentUpdateView(DepartmentFormMixin, VisibleObjectMixin, UpdateView):
    pass


# --- Working-day calendar -----------------------------------------------------------


class CalendarListView(ObjectListView):
    model = CalendarDay
    permission_required = "qms.view_calendarday"
    template_name = "qms/calendar_list.html"
    filterset_class = CalendarFilter
    title = gettext_lazy("Holidays and working days")
    sort_fields = {"date": ("date",)}
    default_sort = "date"
    export_name = "calendar"
    export_columns = [
        exports.Column(gettext_lazy("Date"), lambda d: d.date),
        exports.Column(gettext_lazy("Type of day"), lambda d: d.get_kind_display()),
        exports.Column(gettext_lazy("Name"), lambda d: d.name),
    ]

    def base_queryset(self):
        return CalendarDay.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["range_form"] = CalendarRangeForm()
        context["can_manage"] = self.request.user.has_perm("qms.manage_calendar")
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        context["years"] = [d.year for d in years]
        return context


class CalendarAddView(PortalPermissionMixin, FormView):
    permission_required = "qms.manage_calendar"
    form_class = CalendarRangeForm
    template_name = "qms/calendar_form.html"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            created = services.calendar_days_add(
                actor=self.request.user,
                first=data["first"],
                last=data["last"],
                kind=data["kind"],
                name=data["name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            ngettext("%(count)s day added.", "%(count)s days added.", len(created))
            % {"count": len(created)},
        )
        return redirect(reverse("qms:calendar_list") + f"?year={data['first'].year}")


class CalendarDayUpdateView(PortalPermissionMixin, UpdateView):
    permission_required = "qms.manage_calendar"
    model = CalendarDay
    form_class = CalendarDayForm
    template_name = "qms/calendar_form.html"

    def form_valid(self, form):
        day = services.calendar_day_update(actor=self.request.user, day=form.save(commit=False))
        messages.success(self.request, _("The calendar day was saved."))
        return redirect(reverse("qms:calendar_list") + f"?year={day.date.year}")


class CalendarDayDeleteView(PortalPermissionMixin, View):
    permission_required = "qms.manage_calendar"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        day = get_object_or_404(CalendarDay, pk=pk)
        year = day.date.year
        services.calendar_day_remove(actor=request.user, day=day)
        messages.success(request, _("The day was removed from the calendar."))
        return redirect(reverse("qms:calendar_list") + f"?year={year}")


# --- Global search ------------------------------------------------------------------


class SearchView(LoginRequiredMixin, TemplateView):
    """One box over every module; each result already limited by visible_to."""

    template_name = "qms/search.html"

    def get_context_data(self, **kwargs):
        from qms.search import search

        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:200]
        results = search(self.request.user, query) if query else {}
        context.update(query=query, results=results, total=sum(len(h) for h in results.values()))
        return context


# --- Activity and security log -----------------------------------------------------


class ActivityView(PortalPermissionMixin, TemplateView):
    """Agency-wide: who changed what and when, from every history table."""

    permission_required = "qms.view_activity"
    template_name = "qms/activity.html"

    def get_context_data(self, **kwargs):
        from django.apps import apps

        context = super().get_context_data(**kwargs)
        tracked = history.tracked_models()
        modules = sorted(
            {
                (m._meta.app_label, apps.get_app_config(m._meta.app_label).verbose_name)
                for m in tracked
            }
        )
        models = [(history.model_key(m), m._meta.verbose_name_plural.capitalize()) for m in tracked]
        form = ActivityForm(self.request.GET or None, modules=modules, models=models)
        filters = {}
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            if data["user"]:
                found = (
                    User.objects.filter(username=data["user"]).values_list("pk", flat=True).first()
                )
                filters["user_id"] = found or -1
            filters.update(
                app_label=data["module"] or "",
                model=data["model"] or "",
                object_id=data["object_id"],
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
        rows = history.activity(**filters) if not form.errors else None
        page = CappedPaginator(rows if rows is not None else [], 50).get_page(
            self.request.GET.get("page")
        )
        user_ids = {row["history_user_id"] for row in page.object_list if row["history_user_id"]}
        users = User.objects.in_bulk(user_ids)
        model_by_key = {history.model_key(m): m for m in tracked}
        # an entry links its object only where the reader may open it (else the link
        # answered "Page not found"): one query per kind of object on the page that the
        # reader sees only some of
        ids_by_model: dict = {}
        for row in page.object_list:
            model = model_by_key.get(row["entry_model"])
            if model is not None and row["history_type"] != "-":
                ids_by_model.setdefault(model, set()).add(row["id"])
        openable = {
            model: openable_ids(model, self.request.user, ids)
            for model, ids in ids_by_model.items()
        }
        entries = []
        for row in page.object_list:
            model = model_by_key.get(row["entry_model"])
            opens = row["id"] in openable.get(model, ())
            entries.append(
                {
                    **row,
                    "user": users.get(row["history_user_id"]),
                    "model_name": model._meta.verbose_name if model else row["entry_model"],
                    "url": _object_url(model, row["id"]) if opens else "",
                }
            )
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(form=form, page_obj=page, entries=entries, querystring=params.urlencode())
        return context


def _object_url(model, pk) -> str:
    # Through ActivityOpenView: many objects' addresses need more than their id (a
    # finding's audit, an attachment's uuid), and reading each row's object here would
    # cost a query per kind of object on the page.
    if model is None or not hasattr(model, "get_absolute_url"):
        return ""
    return url_for("qms:activity_open", ContentType.objects.get_for_model(model).pk, pk)


class ActivityOpenView(PortalPermissionMixin, View):
    """An activity entry's object, opened on its own page (which checks who may see it)."""

    permission_required = "qms.view_activity"

    def get(self, request, content_type_id: int, pk: int):
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        if model not in history.tracked_models() or not hasattr(model, "get_absolute_url"):
            raise Http404
        found = model._base_manager.filter(pk=pk).first()
        if found is None:
            raise Http404
        return HttpResponseRedirect(found.get_absolute_url())


class SecurityLogView(ObjectListView):
    model = SecurityEvent
    permission_required = "qms.view_securityevent"
    template_name = "qms/securityevent_list.html"
    filterset_class = SecurityEventFilter
    title = gettext_lazy("Security log")
    sort_fields = {"sequence": ("-sequence",)}
    default_sort = "sequence"
    export_name = "security-log"
    export_columns = [
        exports.Column(gettext_lazy("Sequence"), lambda e: e.sequence),
        exports.Column(gettext_lazy("Time"), lambda e: e.occurred_at),
        exports.Column(gettext_lazy("Event"), lambda e: e.get_kind_display()),
        exports.Column(gettext_lazy("User name"), lambda e: e.username),
        exports.Column(gettext_lazy("IP address"), lambda e: e.ip_address),
        exports.Column(gettext_lazy("Object"), lambda e: e.target),
        exports.Column(gettext_lazy("Hash"), lambda e: e.entry_hash),
    ]

    def base_queryset(self):
        return SecurityEvent.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.GET.get("verify"):
            context["chain"] = security_log.verify_chain()
        return context


class HealthView(View):
    """``/healthz/``: the smallest page the portal serves — a template rendered without the
    request's context processors: no database, no session. Load balancers poll it;
    ``make bench`` measures the machine's ceiling with it."""

    def get(self, request):
        from django.http import HttpResponse
        from django.template.loader import render_to_string

        return HttpResponse(render_to_string("qms/healthz.html"))
