from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("", views.DocumentListView.as_view(), name="document_list"),
    path("new/", views.DocumentCreateView.as_view(), name="document_create"),
    path("code-suggestion/", views.code_suggestion, name="code_suggestion"),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="document_detail"),
    path("<int:pk>/edit/", views.DocumentUpdateView.as_view(), name="document_update"),
    path("<int:pk>/withdraw/", views.DocumentWithdrawView.as_view(), name="document_withdraw"),
    path("<int:pk>/revise/", views.RevisionCreateView.as_view(), name="revision_create"),
    path("<int:pk>/distribution/", views.DistributionAddView.as_view(), name="distribution_add"),
    path(
        "distribution/<int:pk>/remove/",
        views.DistributionRemoveView.as_view(),
        name="distribution_remove",
    ),
    path("<int:pk>/review/", views.PeriodicReviewView.as_view(), name="periodic_review"),
    path("revisions/<int:pk>/", views.RevisionDetailView.as_view(), name="revision_detail"),
    path("revisions/<int:pk>/edit/", views.RevisionUpdateView.as_view(), name="revision_update"),
    path("revisions/<int:pk>/submit/", views.RevisionSubmitView.as_view(), name="revision_submit"),
    path(
        "revisions/<int:pk>/discard/", views.RevisionDiscardView.as_view(), name="revision_discard"
    ),
    path("revisions/<int:pk>/file/", views.RevisionFileView.as_view(), name="revision_file"),
    path("revisions/<int:pk>/acknowledge/", views.AcknowledgeView.as_view(), name="acknowledge"),
    path(
        "revisions/<int:pk>/acknowledgements/",
        views.AcknowledgementListView.as_view(),
        name="acknowledgement_list",
    ),
    path("steps/<int:pk>/decide/", views.StepDecideView.as_view(), name="step_decide"),
    path("external/", views.ExternalListView.as_view(), name="external_list"),
    path("external/new/", views.ExternalFormView.as_view(), name="external_create"),
    path("external/<int:pk>/", views.ExternalDetailView.as_view(), name="external_detail"),
    path("external/<int:pk>/edit/", views.ExternalFormView.as_view(), name="external_update"),
    path("types/", views.TypeSettingListView.as_view(), name="type_settings"),
    path(
        "types/<str:document_type>/",
        views.TypeSettingUpdateView.as_view(),
        name="type_setting_update",
    ),
]
