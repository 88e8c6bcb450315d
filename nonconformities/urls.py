from django.urls import path

from nonconformities import views

app_name = "nonconformities"

urlpatterns = [
    path("", views.NonconformityListView.as_view(), name="nc_list"),
    path("board/", views.BoardView.as_view(), name="board"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("<int:pk>/", views.NonconformityDetailView.as_view(), name="nc_detail"),
    path("<int:pk>/step/", views.NonconformityStepView.as_view(), name="nc_step"),
    path("actions/", views.ActionListView.as_view(), name="action_list"),
    path("actions/new/", views.ActionCreateView.as_view(), name="action_create"),
    path("actions/<int:pk>/", views.ActionDetailView.as_view(), name="action_detail"),
    path("actions/<int:pk>/step/", views.ActionStepView.as_view(), name="action_step"),
]
