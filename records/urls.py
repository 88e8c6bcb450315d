from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("", views.RecordListView.as_view(), name="record_list"),
    path("new/", views.RecordCreateView.as_view(), name="record_create"),
    path("<int:pk>/", views.RecordDetailView.as_view(), name="record_detail"),
    path("<int:pk>/correct/", views.RecordCorrectView.as_view(), name="record_correct"),
    path("<int:pk>/hold/", views.HoldView.as_view(kind="record"), name="record_hold"),
    path("types/", views.RecordTypeListView.as_view(), name="type_list"),
    path("types/new/", views.RecordTypeFormView.as_view(), name="type_create"),
    path("types/<int:pk>/", views.RecordTypeDetailView.as_view(), name="type_detail"),
    path("types/<int:pk>/edit/", views.RecordTypeFormView.as_view(), name="type_update"),
    path("types/<int:pk>/hold/", views.HoldView.as_view(kind="type"), name="type_hold"),
    path("disposal/", views.BatchListView.as_view(), name="batch_list"),
    path("disposal/propose/", views.BatchProposeView.as_view(), name="batch_propose"),
    path("disposal/<int:pk>/", views.BatchDetailView.as_view(), name="batch_detail"),
    path("disposal/<int:pk>/approve/", views.BatchApproveView.as_view(), name="batch_approve"),
    path("disposal/<int:pk>/cancel/", views.BatchCancelView.as_view(), name="batch_cancel"),
    path("disposal/items/<int:pk>/exclude/", views.ItemExcludeView.as_view(), name="item_exclude"),
]
