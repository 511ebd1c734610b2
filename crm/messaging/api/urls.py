"""Messaging endpoints, served under /api/crm/ with people's and sales' (config.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from . import views

# config.urls gives /api/crm/ its root view over the three apps' routers.
router = SimpleRouter()
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("messages", views.MessageLogViewSet, basename="message")
router.register("opt-outs", views.OptOutViewSet, basename="opt-out")

urlpatterns = [
    path(
        "messaging/callbacks/<str:channel>/",
        views.ProviderCallbackView.as_view(),
        name="messaging-callback",
    ),
    *format_suffix_patterns(router.urls),
]
