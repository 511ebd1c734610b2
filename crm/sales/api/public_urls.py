from django.urls import path

from .views import public

app_name = "public-api"

urlpatterns = [
    path("viability/", public.PublicViabilityView.as_view(), name="viability"),
    path("leads/", public.PublicLeadView.as_view(), name="leads"),
]
