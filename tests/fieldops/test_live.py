"""The live dispatch board over Channels (real Redis channel layer)."""
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from fieldops import live, services
from tests.asgi_support import Socket, websocket_scope

from .conftest import CENTER, point

pytestmark = pytest.mark.django_db(transaction=True)


def dispatch_socket(user):
    return Socket(live.DispatchConsumer.as_asgi(), websocket_scope(
        "/ws/fieldops/live/", user=user, url_route={"kwargs": {}},
    ))


def test_the_dispatcher_hears_status_changes_and_positions(make_order, make_technician, dispatcher, as_user):
    technician = make_technician("tiago")
    order = make_order(assignee=technician)

    @async_to_sync
    async def scenario():
        async with dispatch_socket(dispatcher) as socket:
            connected, _code = await socket.connect()
            assert connected
            await sync_to_async(services.dispatch_order)(order, as_user(dispatcher))
            status = await socket.receive_json()
            await sync_to_async(services.report_position)(
                technician, point=point(*CENTER), recorded_at=timezone.now()
            )
            position = await socket.receive_json()
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
        async with dispatch_socket(user) as socket:
            return await socket.connect()

    assert scenario() == (False, 4403)
