"""The live delivery report over Channels (real Redis channel layer)."""

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.contrib.auth.models import AnonymousUser

from crm.messaging import live, services
from crm.messaging.choices import DeliveryStatus

from .conftest import AREA, phone


class Socket(ApplicationCommunicator):
    """A WebSocket client speaking ASGI to the consumer (channels.testing needs daphne)."""

    def __init__(self, user, campaign_id):
        super().__init__(live.CampaignReportConsumer.as_asgi(), {
            "type": "websocket", "path": f"/ws/campaigns/{campaign_id}/", "headers": [],
            "subprotocols": [], "user": user, "url_route": {"kwargs": {"campaign_id": campaign_id}},
        })

    async def connect(self):
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(5)
        return answer["type"] == "websocket.accept", answer.get("code")

    async def receive_json_from(self, timeout=5):
        return json.loads((await self.receive_output(timeout))["text"])

    async def disconnect(self):
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


def communicator(user, campaign_id):
    return Socket(user, campaign_id)


@pytest.fixture
def campaign(transactional_db, gateway, make_client):
    make_client("Ana", phone=phone(1))
    campaign, _preview = services.create_campaign(name="Aviso", channel="sms", body="Oi", area=AREA)
    return campaign


def test_the_report_arrives_on_connect_and_on_every_change(campaign, make_user):
    user = make_user("despacho", "dispatcher")

    @async_to_sync
    async def scenario():
        socket = communicator(user, campaign.pk)
        connected, _code = await socket.connect()
        assert connected
        first = await socket.receive_json_from(timeout=5)
        await sync_to_async(services.confirm_campaign)(campaign)
        await sync_to_async(live.publish_report)(campaign.pk)
        update = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return first, update

    first, update = scenario()

    assert (first["id"], first["status"], first["recipients"]) == (campaign.pk, "draft", 1)
    assert update["status"] == "queued"
    assert set(update["totals"]) == set(DeliveryStatus.values)


@pytest.mark.parametrize("role", [None, "technician"])
def test_people_without_the_permission_are_turned_away(campaign, make_user, role):
    user = make_user("someone", role) if role else AnonymousUser()

    @async_to_sync
    async def scenario():
        return await communicator(user, campaign.pk).connect()

    connected, code = scenario()

    assert not connected and code == 4403
