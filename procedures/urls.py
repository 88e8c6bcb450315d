from django.urls import path

from procedures import case_views, feedback_views, performance_views, views

app_name = "procedures"

urlpatterns = [
    path("", views.ProcedureListView.as_view(), name="procedure_list"),
    path("new/", views.ProcedureFormView.as_view(), name="procedure_create"),
    path("import/", views.ProcedureImportView.as_view(), name="procedure_import"),
    path("<int:pk>/", views.ProcedureDetailView.as_view(), name="procedure_detail"),
    path("<int:pk>/edit/", views.ProcedureFormView.as_view(), name="procedure_update"),
    path("<int:pk>/status/", views.ProcedureStatusView.as_view(), name="procedure_status"),
    path("<int:pk>/reviewed/", views.ProcedureReviewedView.as_view(), name="procedure_reviewed"),
    path("<int:pk>/flag/", views.ProcedureAttentionView.as_view(), name="procedure_attention"),
    path("performance/", performance_views.PerformanceView.as_view(), name="performance"),
    path("cases/", case_views.CaseListView.as_view(), name="case_list"),
    path("cases/receive/", case_views.CaseReceiveView.as_view(), name="case_receive"),
    path("cases/<int:pk>/", case_views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/step/", case_views.CaseStepView.as_view(), name="case_step"),
    path(
        "cases/<int:pk>/receipt.pdf",
        case_views.CaseLetterView.as_view(kind="receipt"),
        name="case_receipt",
    ),
    path(
        "cases/<int:pk>/apology.pdf",
        case_views.CaseLetterView.as_view(kind="apology"),
        name="case_apology",
    ),
    path("feedback/", feedback_views.FeedbackListView.as_view(), name="feedback_list"),
    path("feedback/<int:pk>/", feedback_views.FeedbackDetailView.as_view(), name="feedback_detail"),
    path(
        "feedback/<int:pk>/step/", feedback_views.FeedbackStepView.as_view(), name="feedback_step"
    ),
    path("processes/", views.ProcessListView.as_view(), name="process_list"),
    path("processes/map/", views.ProcessMapView.as_view(), name="process_map"),
    path("processes/new/", views.ProcessFormView.as_view(), name="process_create"),
    path("processes/<int:pk>/", views.ProcessDetailView.as_view(), name="process_detail"),
    path("processes/<int:pk>/edit/", views.ProcessFormView.as_view(), name="process_update"),
]
