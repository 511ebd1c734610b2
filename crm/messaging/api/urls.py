"""Messaging endpoints, served under /api/crm/ with people's and sales' (config.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from . import views

# No root view of its own (people's router gives /api/crm/ one); the same .json suffixes.
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
