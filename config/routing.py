"""WebSocket routes of every app, collected in one place for the ASGI router."""

from django.urls import path

from crm.messaging.live import CampaignReportConsumer
from fieldops.live import DispatchConsumer
from routing.live import PlanProgressConsumer

websocket_urlpatterns = [
    path("ws/campaigns/<int:campaign_id>/", CampaignReportConsumer.as_asgi()),
    path("ws/routing/plans/<int:plan_id>/", PlanProgressConsumer.as_asgi()),
    path("ws/fieldops/live/", DispatchConsumer.as_asgi()),
]
