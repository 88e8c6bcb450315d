from django.urls import path

from procedures import public

app_name = "public"

urlpatterns = [
    path("procedures/", public.PublicCatalogueView.as_view(), name="catalogue"),
    path("procedures/<int:pk>/", public.PublicProcedureView.as_view(), name="procedure_detail"),
    path("", public.PublicTransparencyView.as_view(), name="transparency"),
    path("cases/", public.PublicLookupView.as_view(), name="lookup"),
    path("cases/rate/", public.PublicRateView.as_view(), name="rate"),
    path("complaints/", public.PublicComplaintView.as_view(), name="complaint"),
]
