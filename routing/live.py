"""Optimisation progress over Channels: `ws/routing/plans/<id>/` hears the solver as it improves.

Messages: {"type": "progress", "elapsed_s", "best_cost", "served", "unassigned"} on an
improvement (at most one per MALHA_ROUTING_PROGRESS_INTERVAL_S), {"type": "status", "status"}
on connect while the plan waits or solves, and {"type": "done", "status", "totals"} at the end
(also on connect to a plan that has already finished).
"""
import time

from asgiref.sync import async_to_sync, sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from .choices import PlanStatus
from .models import RoutePlan
from .selectors import manages_plans

UNFINISHED = (PlanStatus.QUEUED, PlanStatus.SOLVING)


def group_name(plan_id):
    return f"routing-plan-{plan_id}"


def totals(plan):
    """The plan's totals as the API and the live socket show them."""
    return {
        **plan.summary(),
        "served": plan.served_count,
        "unassigned": plan.unassigned_count,
        "best_cost": plan.best_cost,
    }


def done_message(plan):
    return {"type": "done", "status": plan.status, "totals": totals(plan), "error": plan.error_message}


def _send(plan_id, message):
    async_to_sync(get_channel_layer().group_send)(
        group_name(plan_id), {"type": "plan.message", "message": message}
    )


def publish_done(plan):
    _send(plan.pk, done_message(plan))


class ProgressPublisher:
    """The solver's `on_progress`: sends the first improvement at once, then at most one per interval."""

    def __init__(self, plan_id, order_count):
        self.plan_id = plan_id
        self.order_count = order_count
        self.last_sent = None

    def __call__(self, elapsed, objective, served):
        now = time.monotonic()
        if self.last_sent is not None and now - self.last_sent < settings.MALHA_ROUTING_PROGRESS_INTERVAL_S:
            return
        self.last_sent = now
        _send(self.plan_id, {
            "type": "progress", "elapsed_s": round(elapsed, 2), "best_cost": int(objective),
            "served": served, "unassigned": self.order_count - served,
        })


def _current_message(plan_id):
    plan = RoutePlan.objects.filter(pk=plan_id).first()
    if plan is None:
        return None
    return {"type": "status", "status": plan.status} if plan.status in UNFINISHED else done_message(plan)


class PlanProgressConsumer(AsyncJsonWebsocketConsumer):
    """Dispatchers and admins follow a plan being solved; anyone else is closed with 4403."""

    async def connect(self):
        user = self.scope.get("user") or AnonymousUser()
        if not await sync_to_async(manages_plans)(user):
            await self.close(code=4403)
            return
        plan_id = self.scope["url_route"]["kwargs"]["plan_id"]
        # Join before reading the status, so a plan finishing in between is still heard.
        self.group = group_name(plan_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        current = await sync_to_async(_current_message)(plan_id)
        if current is None:
            await self.close(code=4404)
            return
        await self.accept()
        await self.send_json(current)

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def plan_message(self, event):
        await self.send_json(event["message"])
