from django.urls import path

from audits import views

app_name = "audits"

urlpatterns = [
    path("", views.AuditListView.as_view(), name="audit_list"),
    path("new/", views.AuditFormView.as_view(), name="audit_create"),
    path("<int:pk>/", views.AuditDetailView.as_view(), name="audit_detail"),
    path("<int:pk>/edit/", views.AuditFormView.as_view(), name="audit_update"),
    path("<int:pk>/step/", views.AuditStepView.as_view(), name="audit_step"),
    path("<int:pk>/plan.pdf", views.AuditPlanPdfView.as_view(), name="audit_plan_pdf"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/new/", views.ProgrammeFormView.as_view(), name="programme_create"),
    path("programmes/<int:pk>/", views.ProgrammeDetailView.as_view(), name="programme_detail"),
    path(
        "programmes/<int:pk>/approve/",
        views.ProgrammeApproveView.as_view(),
        name="programme_approve",
    ),
]
