from django.urls import path
from rest_framework.routers import DefaultRouter

from . import messaging, views

app_name = "crm-api"

router = DefaultRouter()
router.register("people", views.PersonViewSet, basename="person")
router.register("addresses", views.AddressViewSet, basename="address")
router.register("campaigns", messaging.CampaignViewSet, basename="campaign")
router.register("messages", messaging.MessageLogViewSet, basename="message")
router.register("opt-outs", messaging.OptOutViewSet, basename="opt-out")

urlpatterns = [
    path(
        "messaging/callbacks/<str:channel>/",
        messaging.ProviderCallbackView.as_view(),
        name="messaging-callback",
    ),
    *router.urls,
]
