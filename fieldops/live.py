"""The live dispatch board over Channels: `ws/fieldops/live/` hears order status changes
and technician positions as soon as they are committed.

Messages: {"type": "order", "id", "number", "status", "version", "assignee", "is_overdue"}
after every status change, and {"type": "position", "technician", "point": [lon, lat],
"recorded_at"} after every stored position. Dispatchers and admins only; anyone else is
closed with 4403.
"""
import logging

from asgiref.sync import async_to_sync, sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from .selectors import manages_orders

GROUP = "fieldops-dispatch"
logger = logging.getLogger(__name__)


def order_message(order):
    return {
        "type": "order", "id": order.pk, "number": order.number, "status": order.status,
        "version": order.version, "assignee": order.assignee_id, "is_overdue": order.is_overdue,
    }


def position_message(report):
    return {
        "type": "position", "technician": report.technician_id, "point": list(report.point.coords),
        "recorded_at": report.recorded_at.isoformat(),
    }


def publish_after_commit(message):
    """Broadcast once the write is committed. The write stands whatever happens to the
    broadcast, so a channel-layer failure is logged instead of failing the request."""

    def send():
        try:
            async_to_sync(get_channel_layer().group_send)(
                GROUP, {"type": "dispatch.message", "message": message}
            )
        except Exception:
            logger.exception("Live dispatch broadcast failed: %s", message)

    transaction.on_commit(send)


class DispatchConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user") or AnonymousUser()
        if not await sync_to_async(manages_orders)(user):
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def dispatch_message(self, event):
        await self.send_json(event["message"])
