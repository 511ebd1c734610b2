"""WebSocket routes of every app, collected in one place for the ASGI router."""

from django.urls import path

from crm.messaging.live import CampaignReportConsumer

websocket_urlpatterns = [
    path("ws/campaigns/<int:campaign_id>/", CampaignReportConsumer.as_asgi()),
]
