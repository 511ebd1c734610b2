"""The live delivery report over Channels: `ws/campaigns/<id>/` gets the totals as they change."""

from asgiref.sync import async_to_sync, sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser

from . import selectors
from .models import Campaign


def group_name(campaign_id):
    return f"campaign-{campaign_id}"


def report(campaign):
    """The report summary the API and the live socket share."""
    return {
        "id": campaign.pk,
        "status": campaign.status,
        "recipients": campaign.recipient_count,
        "excluded": campaign.excluded_counts,
        "totals": selectors.delivery_totals(campaign),
        "confirmed_at": campaign.confirmed_at.isoformat() if campaign.confirmed_at else None,
        "finished_at": campaign.finished_at.isoformat() if campaign.finished_at else None,
    }


def _current_report(campaign_id):
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    return report(campaign) if campaign else None


def publish_report(campaign_id):
    campaign = Campaign.objects.get(pk=campaign_id)
    async_to_sync(get_channel_layer().group_send)(
        group_name(campaign_id), {"type": "campaign.report", "report": report(campaign)}
    )


class CampaignReportConsumer(AsyncJsonWebsocketConsumer):
    """Sends the report on connect and on every change; only users who may view campaigns."""

    async def connect(self):
        user = self.scope.get("user") or AnonymousUser()
        if not await self._may_view(user):
            await self.close(code=4403)
            return
        self.group = group_name(self.scope["url_route"]["kwargs"]["campaign_id"])
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        campaign_id = self.scope["url_route"]["kwargs"]["campaign_id"]
        current = await sync_to_async(_current_report)(campaign_id)
        if current:
            await self.send_json(current)

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def campaign_report(self, event):
        await self.send_json(event["report"])

    @staticmethod
    async def _may_view(user):
        return await sync_to_async(lambda: user.is_authenticated and user.has_perm("messaging.view_campaign"))()
