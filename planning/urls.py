from django.urls import path

from planning import views

app_name = "planning"

urlpatterns = [
    path("objectives/", views.ObjectiveListView.as_view(), name="objective_list"),
    path("objectives/new/", views.ObjectiveFormView.as_view(), name="objective_create"),
    path("objectives/<int:pk>/", views.ObjectiveDetailView.as_view(), name="objective_detail"),
    path("objectives/<int:pk>/edit/", views.ObjectiveFormView.as_view(), name="objective_update"),
    path("objectives/<int:pk>/step/", views.ObjectiveStepView.as_view(), name="objective_step"),
    path("risks/", views.RiskListView.as_view(), name="risk_list"),
    path("risks/new/", views.RiskFormView.as_view(), name="risk_create"),
    path("risks/<int:pk>/", views.RiskDetailView.as_view(), name="risk_detail"),
    path("risks/<int:pk>/edit/", views.RiskFormView.as_view(), name="risk_update"),
    path("risks/<int:pk>/step/", views.RiskStepView.as_view(), name="risk_step"),
    path("scope/", views.ScopeView.as_view(), name="scope"),
    path("scorecard/", views.ScorecardView.as_view(), name="scorecard"),
    path("annual-report/", views.AnnualReportView.as_view(), name="annual_report"),
]
