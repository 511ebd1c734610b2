"""The live dispatch board over Channels (real Redis channel layer)."""
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from fieldops import live, services

from .conftest import CENTER, point

pytestmark = pytest.mark.django_db(transaction=True)


class Socket(ApplicationCommunicator):
    """A WebSocket client speaking ASGI to the consumer."""

    def __init__(self, user):
        super().__init__(live.DispatchConsumer.as_asgi(), {
            "type": "websocket", "path": "/ws/fieldops/live/", "headers": [], "subprotocols": [],
            "user": user, "url_route": {"kwargs": {}},
        })

    async def connect(self):
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(5)
        return answer["type"] == "websocket.accept", answer.get("code")

    async def receive_json(self):
        return json.loads((await self.receive_output(5))["text"])

    async def disconnect(self):
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


def test_the_dispatcher_hears_status_changes_and_positions(make_order, make_technician, dispatcher, as_user):
    technician = make_technician("tiago")
    order = make_order(assignee=technician)

    @async_to_sync
    async def scenario():
        socket = Socket(dispatcher)
        connected, _code = await socket.connect()
        assert connected
        await sync_to_async(services.dispatch_order)(order, as_user(dispatcher))
        status = await socket.receive_json()
        await sync_to_async(services.report_position)(
            technician, point=point(*CENTER), recorded_at=timezone.now()
        )
        position = await socket.receive_json()
        await socket.disconnect()
        return status, position

    status, position = scenario()
    assert status == {
        "type": "order", "id": order.pk, "number": order.number, "status": "dispatched",
        "version": 2, "assignee": technician.pk, "is_overdue": False,
    }
    assert position["type"] == "position" and position["technician"] == technician.pk
    assert position["point"] == list(CENTER)


@pytest.mark.parametrize("role", [None, "technician", "sales"])
def test_only_dispatchers_and_admins_listen(make_user, role):
    user = make_user("someone", role) if role else AnonymousUser()

    @async_to_sync
    async def scenario():
        return await Socket(user).connect()

    assert scenario() == (False, 4403)
