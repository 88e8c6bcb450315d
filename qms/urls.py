from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qms.views import accounts
from qms.views import dashboard as dashboard_views
from qms.views import evidence as evidence_views
from qms.views import platform as views

app_name = "qms"

platform_patterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password-reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/profile/", views.ProfileView.as_view(), name="profile"),
    path("language/", views.LanguageView.as_view(), name="language"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path(
        "notifications/badge/",
        views.NotificationBadgeView.as_view(),
        name="notification_badge",
    ),
    path("notifications/<int:pk>/", views.NotificationOpenView.as_view(), name="notification_open"),
    path(
        "notifications/read-all/",
        views.NotificationMarkAllReadView.as_view(),
        name="notification_read_all",
    ),
    path(
        "attachments/<uuid:uuid>/download/",
        views.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path(
        "attachments/<uuid:uuid>/remove/",
        views.AttachmentRemoveView.as_view(),
        name="attachment_remove",
    ),
    path(
        "attachments/upload/<int:content_type_id>/<int:object_id>/",
        views.AttachmentUploadView.as_view(),
        name="attachment_upload",
    ),
    path("admin/users/", views.UserListView.as_view(), name="user_list"),
    path("admin/users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("admin/users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("admin/users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user_update"),
    path("admin/users/<int:pk>/scope/", views.UserScopeView.as_view(), name="user_scope"),
    path("departments/", views.DepartmentListView.as_view(), name="department_list"),
    path("departments/new/", views.DepartmentCreateView.as_view(), name="department_create"),
    path("departments/<int:pk>/", views.DepartmentDetailView.as_view(), name="department_detail"),
    path(
        "departments/<int:pk>/edit/",
        views.DepartmentUpdateView.as_view(),
        name="department_update",
    ),
    path("admin/calendar/", views.CalendarListView.as_view(), name="calendar_list"),
    path("admin/calendar/new/", views.CalendarAddView.as_view(), name="calendar_add"),
    path(
        "admin/calendar/<int:pk>/edit/",
        views.CalendarDayUpdateView.as_view(),
        name="calendar_update",
    ),
    path(
        "admin/calendar/<int:pk>/delete/",
        views.CalendarDayDeleteView.as_view(),
        name="calendar_delete",
    ),
    path("activity/", views.ActivityView.as_view(), name="activity"),
    path(
        "activity/open/<int:content_type_id>/<int:pk>/",
        views.ActivityOpenView.as_view(),
        name="activity_open",
    ),
    path("dashboard/", dashboard_views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/summary/", dashboard_views.SummaryView.as_view(), name="dashboard_summary"),
    path("evidence/", evidence_views.EvidencePackListView.as_view(), name="evidence_list"),
    path(
        "evidence/request/",
        evidence_views.EvidencePackRequestView.as_view(),
        name="evidence_request",
    ),
    path("evidence/verify/", evidence_views.EvidenceVerifyView.as_view(), name="evidence_verify"),
    path("evidence/<int:pk>/", evidence_views.EvidencePackView.as_view(), name="evidence_pack"),
    path(
        "evidence/<int:pk>/download/",
        evidence_views.EvidencePackDownloadView.as_view(),
        name="evidence_download",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("healthz/", views.HealthView.as_view(), name="health"),
    path("admin/security-log/", views.SecurityLogView.as_view(), name="security_log"),
]

urlpatterns = [
    path("", include((platform_patterns, "qms"))),
    path("documents/", include("documents.urls")),
    path("records/", include("records.urls")),
    path("nonconformities/", include("nonconformities.urls")),
    path("audits/", include("audits.urls")),
    path("procedures/", include("procedures.urls")),
    path("public/", include("procedures.public_urls")),
    path("planning/", include("planning.urls")),
    path("reviews/", include("reviews.urls")),
    path("django-admin/", admin.site.urls),
]
