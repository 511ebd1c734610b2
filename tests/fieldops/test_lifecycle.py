"""Every transition rule of a service order, through the services."""
import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from billing.services import create_contract
from core.exceptions import Conflict
from core.services import create_object
from fieldops import services
from fieldops.checklists import checklist_for
from fieldops.models import OrderEvent, ServiceOrder
from fieldops.selectors import overdue_orders_visible_to
from gis.models import CtoBox

from .conftest import CENTER, point

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(make_technician, make_user, dispatcher, as_user):
    """A dispatcher and the technician an order is assigned to."""
    technician = make_technician("tiago")
    return dispatcher, technician, as_user(dispatcher), as_user(technician.user)


def on_site(order, crew):
    """Take an order from open to on site the way a real day goes."""
    _dispatcher, technician, by_dispatcher, by_technician = crew
    services.schedule_order(
        order, by_dispatcher, assignee=technician, scheduled_start=order.window_start
    )
    services.dispatch_order(order, by_dispatcher)
    services.start_route(order, by_technician)
    return services.check_in(order, by_technician)


def tick_all(order, context):
    for code, _label in checklist_for(order.order_type):
        services.tick_checklist_item(order, context, code=code)


def test_a_repair_from_open_to_completed(make_order, crew, as_user):
    dispatcher, technician, by_dispatcher, by_technician = crew
    order = make_order()
    services.schedule_order(order, by_dispatcher, assignee=technician, scheduled_start=order.window_start)
    services.dispatch_order(order, by_dispatcher)
    services.start_route(order, by_technician)
    arrival = as_user(technician.user, point=point(CENTER[0] + 0.001, CENTER[1]))
    services.check_in(order, arrival)
    tick_all(order, by_technician)
    done = services.complete_order(order, by_technician, note="Connector replaced")

    assert done.status == "completed" and done.completed_at is not None
    assert done.version == 6  # created at 1, five moves
    moves = OrderEvent.objects.filter(order=order, kind="status")
    assert [(e.from_status, e.to_status, e.actor) for e in moves] == [
        ("open", "scheduled", dispatcher),
        ("scheduled", "dispatched", dispatcher),
        ("dispatched", "en_route", technician.user),
        ("en_route", "on_site", technician.user),
        ("on_site", "completed", technician.user),
    ]
    check_in_event = moves.get(to_status="on_site")
    assert check_in_event.ip == "203.0.113.7"
    assert check_in_event.point.coords == (CENTER[0] + 0.001, CENTER[1])
    assert moves.last().note == "Connector replaced"


@pytest.mark.parametrize(
    "move, kwargs",
    [
        (services.complete_order, {}),
        (services.check_in, {}),
        (services.reopen_order, {"reason": "callback"}),
    ],
)
def test_illegal_moves_from_open_are_refused(make_order, crew, move, kwargs):
    order = make_order(assignee=crew[1])
    with pytest.raises(ValidationError) as error:
        move(order, crew[2], **kwargs)
    assert "An order cannot go from “Open”" in error.value.message_dict["status"][0]
    order.refresh_from_db()
    assert (order.status, order.version) == ("open", 1)
    assert not OrderEvent.objects.exists()


def test_closed_order_only_reopens(make_order, crew):
    order = make_order(assignee=crew[1])
    services.cancel_order(order, crew[2], reason="Client moved away")
    with pytest.raises(ValidationError):
        services.dispatch_order(order, crew[2])
    reopened = services.reopen_order(order, crew[2], reason="Client came back")
    assert reopened.status == "reopened"
    assert services.dispatch_order(reopened, crew[2]).status == "dispatched"


def test_technician_moves_only_their_own_order_in_the_field(make_order, make_technician, crew, as_user):
    _dispatcher, technician, by_dispatcher, by_technician = crew
    order = make_order(assignee=technician)
    with pytest.raises(PermissionDenied, match="Only a dispatcher may set an order to “Dispatched”"):
        services.dispatch_order(order, by_technician)
    with pytest.raises(PermissionDenied):
        services.cancel_order(order, by_technician, reason="no time")
    services.dispatch_order(order, by_dispatcher)
    colleague = make_technician("outro")
    with pytest.raises(PermissionDenied, match="Only the order's technician or a dispatcher"):
        services.start_route(order, as_user(colleague.user))
    assert ServiceOrder.objects.get(pk=order.pk).status == "dispatched"


def test_sales_cannot_move_orders(make_order, make_user, crew, as_user):
    order = make_order(assignee=crew[1])
    with pytest.raises(PermissionDenied):
        services.dispatch_order(order, as_user(make_user("vendedor", "sales")))


def test_completion_needs_the_whole_checklist(make_order, crew):
    order = on_site(make_order(), crew)
    by_technician = crew[3]
    services.tick_checklist_item(order, by_technician, code="safety")
    services.tick_checklist_item(order, by_technician, code="fault_found")
    services.tick_checklist_item(order, by_technician, code="client_test", done=False)
    with pytest.raises(ValidationError) as error:
        services.complete_order(order, by_technician)
    assert error.value.message_dict["checklist"] == [
        (
            "Tick every checklist item before completing: Optical power measured at the ONT "
            "within range and Service tested together with the client."
        )
    ]
    assert ServiceOrder.objects.get(pk=order.pk).status == "on_site"


def test_unknown_checklist_item(make_order, crew):
    order = make_order(assignee=crew[1])
    with pytest.raises(ValidationError) as error:
        services.tick_checklist_item(order, crew[3], code="wifi_configured")  # not a repair item
    assert "code" in error.value.message_dict


def test_installation_activates_the_contract_on_the_port_used(make_installation, crew, contract):
    order = on_site(make_installation(), crew)
    tick_all(order, crew[3])
    with pytest.raises(ValidationError) as error:
        services.complete_order(order, crew[3])
    assert error.value.message_dict["cto_port"] == ["Give the box and port the client was connected to."]

    services.complete_order(order, crew[3], cto_box=contract.cto_box, cto_port=5)
    contract.refresh_from_db()
    assert (contract.status, contract.cto_port) == ("active", 5)
    assert contract.activated_on == timezone.localdate()


def test_installation_on_a_taken_port_is_refused(
    make_installation, crew, contract, client_person, plan, address
):
    other = create_contract(
        person=client_person, plan=plan, installation_address=address, cto_box=contract.cto_box, cto_port=6
    )
    order = on_site(make_installation(), crew)
    tick_all(order, crew[3])
    with pytest.raises(ValidationError) as error:
        services.complete_order(order, crew[3], cto_box=contract.cto_box, cto_port=6)
    assert error.value.message_dict["cto_port"] == [
        f"Port 6 of box CTO-001 is already taken by contract {other.number}."
    ]
    contract.refresh_from_db()
    order.refresh_from_db()
    assert (contract.status, contract.cto_port, order.status) == ("awaiting_installation", 3, "on_site")


def test_installation_port_beyond_the_box(make_installation, crew, contract):
    small = create_object(CtoBox, code="CTO-002", ports_total=4, point=contract.point)
    order = on_site(make_installation(), crew)
    tick_all(order, crew[3])
    with pytest.raises(ValidationError, match="Box CTO-002 has ports 1 to 4"):
        services.complete_order(order, crew[3], cto_box=small, cto_port=9)


@pytest.mark.parametrize("move", [services.cancel_order, services.pause_order])
def test_cancelling_and_pausing_need_a_reason(make_order, crew, move):
    order = on_site(make_order(), crew)
    with pytest.raises(ValidationError) as error:
        move(order, crew[2], reason="  ")
    assert error.value.message_dict == {"reason": ["Give a reason."]}
    assert move(order, crew[2], reason="Client not at home").status in ("cancelled", "paused")
    assert OrderEvent.objects.filter(order=order).last().note == "Client not at home"


def test_reopening_restarts_the_sla_and_is_for_dispatchers(make_order, crew):
    order = on_site(make_order(), crew)
    tick_all(order, crew[3])
    services.complete_order(order, crew[3])
    with pytest.raises(PermissionDenied):
        services.reopen_order(order, crew[3], reason="still slow")
    before = timezone.now()
    reopened = services.reopen_order(order, crew[2], reason="Client says it is still slow")
    assert reopened.completed_at is None
    assert reopened.due_at >= before + datetime.timedelta(hours=48)  # repair, normal priority


def test_stale_version_is_a_conflict(make_order, crew, as_user):
    dispatcher, technician = crew[0], crew[1]
    order = make_order(assignee=technician)
    services.update_service_order(order, version=1, description="Bring a ladder")
    with pytest.raises(Conflict, match=r"version 1, now 2"):
        services.update_service_order(order, version=1, description="Older text")
    with pytest.raises(Conflict):
        services.dispatch_order(order, as_user(dispatcher, version=1))
    order.refresh_from_db()
    assert (order.description, order.status, order.version) == ("Bring a ladder", "open", 2)


def test_status_is_not_edited_directly(make_order, crew):
    order = make_order(assignee=crew[1])
    with pytest.raises(ValidationError) as error:
        services.update_service_order(order, status="dispatched")
    assert error.value.message_dict["status"] == [
        "Change the status with the order's transition action, not by editing it."
    ]


def test_a_replayed_action_changes_nothing(make_order, crew, as_user):
    technician = crew[1]
    order = make_order(assignee=technician)
    services.dispatch_order(order, crew[2])
    action = as_user(technician.user, client_action_id=uuid.uuid4(), version=2)
    first = services.start_route(order, action)
    again = services.start_route(order, action)  # the phone retries with the same, now stale, version
    assert first.version == again.version == 3
    assert OrderEvent.objects.filter(order=order).count() == 2


def test_an_action_id_cannot_be_reused_for_another_action(make_order, crew, as_user):
    order = make_order(assignee=crew[1])
    action_id = uuid.uuid4()
    services.add_note(order, as_user(crew[0], client_action_id=action_id), text="Gate code 1234")
    with pytest.raises(Conflict, match="already used for another action"):
        services.dispatch_order(order, as_user(crew[0], client_action_id=action_id))
    assert ServiceOrder.objects.get(pk=order.pk).status == "open"


def test_sla_deadline_by_type_and_priority(make_order, crew):
    before = timezone.now()
    order = make_order()
    assert before + datetime.timedelta(hours=48) <= order.due_at <= timezone.now() + datetime.timedelta(hours=48)
    urgent = services.update_service_order(order, priority=4)
    assert urgent.due_at == order.due_at - datetime.timedelta(hours=40)  # 48 h -> 8 h


def test_overdue_orders(make_order, crew, dispatcher):
    late = make_order()
    on_time = make_order()
    done = make_order(assignee=crew[1])
    ServiceOrder.objects.filter(pk__in=[late.pk, done.pk]).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    services.cancel_order(done, crew[2], reason="duplicate")
    assert list(overdue_orders_visible_to(dispatcher)) == [late]
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.is_overdue and not on_time.is_overdue


def test_sla_table_comes_from_settings(make_order, settings):
    settings.MALHA_ORDER_SLA_HOURS = {**settings.MALHA_ORDER_SLA_HOURS, "repair": (1, 2, 3, 4)}
    order = make_order()
    assert order.due_at <= timezone.now() + datetime.timedelta(hours=2)


def test_a_blank_note_is_refused(make_order, crew):
    order = make_order(assignee=crew[1])
    with pytest.raises(ValidationError) as error:
        services.add_note(order, crew[3], text="   ")
    assert error.value.message_dict == {"text": ["Write the note."]}
    assert not OrderEvent.objects.exists()
