from django.urls import path

from procedures import public

app_name = "public"

urlpatterns = [
    path("procedures/", public.PublicCatalogueView.as_view(), name="catalogue"),
    path("procedures/<int:pk>/", public.PublicProcedureView.as_view(), name="procedure_detail"),
]
