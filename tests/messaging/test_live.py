"""The live delivery report over Channels (real Redis channel layer)."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth.models import AnonymousUser

from crm.messaging import live, services
from crm.messaging.choices import DeliveryStatus
from tests.asgi_support import Socket, websocket_scope

from .conftest import AREA, phone


def communicator(user, campaign_id):
    return Socket(live.CampaignReportConsumer.as_asgi(), websocket_scope(
        f"/ws/campaigns/{campaign_id}/", user=user,
        url_route={"kwargs": {"campaign_id": campaign_id}},
    ))


@pytest.fixture
def campaign(transactional_db, gateway, make_client):
    make_client("Ana", phone=phone(1))
    campaign, _preview = services.create_campaign(name="Aviso", channel="sms", body="Oi", area=AREA)
    return campaign


def test_the_report_arrives_on_connect_and_on_every_change(campaign, make_user):
    user = make_user("despacho", "dispatcher")

    @async_to_sync
    async def scenario():
        async with communicator(user, campaign.pk) as socket:
            connected, _code = await socket.connect()
            assert connected
            first = await socket.receive_json(timeout=5)
            await sync_to_async(services.confirm_campaign)(campaign)
            await sync_to_async(live.publish_report)(campaign.pk)
            update = await socket.receive_json(timeout=5)
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
        async with communicator(user, campaign.pk) as socket:
            return await socket.connect()

    connected, code = scenario()

    assert not connected and code == 4403
