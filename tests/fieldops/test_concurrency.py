"""Races the row locks settle: two installations on one box port, two editors of one order."""
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from billing.models import Contract
from billing.services import create_contract
from core.exceptions import Conflict
from fieldops import services
from fieldops.checklists import checklist_for
from fieldops.models import ServiceOrder

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(work):
    """Run `work` on its own connection; returns (thread, outcome dict)."""
    outcome = {}

    def run():
        try:
            with translation.override("en"):
                outcome["result"] = work()
        except ValidationError as error:
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def ready_to_complete(order, dispatcher, technician, as_user):
    by_dispatcher, by_technician = as_user(dispatcher), as_user(technician.user)
    services.dispatch_order(order, by_dispatcher)
    services.start_route(order, by_technician)
    services.check_in(order, by_technician)
    for code, _label in checklist_for(order.order_type):
        services.tick_checklist_item(order, by_technician, code=code)
    return by_technician


def test_two_installations_on_one_port(
    make_installation, make_technician, dispatcher, as_user, contract, client_person, plan, address
):
    neighbour = create_contract(
        person=client_person, plan=plan, installation_address=address, cto_box=contract.cto_box, cto_port=4
    )
    first = make_installation(make_technician("tiago"))
    second = make_installation(make_technician("ana"))
    ServiceOrder.objects.filter(pk=second.pk).update(contract=neighbour)
    second.refresh_from_db()
    by_first = ready_to_complete(first, dispatcher, first.assignee, as_user)
    by_second = ready_to_complete(second, dispatcher, second.assignee, as_user)

    with transaction.atomic():
        services.complete_order(first, by_first, cto_box=contract.cto_box, cto_port=7)
        rival, outcome = in_thread(
            lambda: services.complete_order(second, by_second, cto_box=contract.cto_box, cto_port=7)
        )
        rival.join(timeout=0.5)
        assert rival.is_alive(), "the second installation must wait for the box lock"
    rival.join(timeout=10)

    assert outcome["error"].message_dict["cto_port"] == [
        f"Port 7 of box CTO-001 is already taken by contract {contract.number}."
    ]
    assert Contract.objects.get(pk=neighbour.pk).status == "awaiting_installation"
    assert ServiceOrder.objects.get(pk=second.pk).status == "on_site"
    assert Contract.objects.filter(cto_box=contract.cto_box, cto_port=7).count() == 1


def test_two_dispatchers_save_the_same_version(make_order, make_user):
    order = make_order()
    with transaction.atomic():
        services.update_service_order(order, version=1, description="First")
        rival, outcome = in_thread(
            lambda: services.update_service_order(order, version=1, description="Second")
        )
        rival.join(timeout=0.5)
        assert rival.is_alive(), "the second editor must wait for the order's row lock"
    rival.join(timeout=10)

    assert isinstance(outcome["error"], Conflict)
    order.refresh_from_db()
    assert (order.description, order.version) == ("First", 2)
