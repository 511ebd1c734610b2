"""The technician's day for the phone: GET /api/fieldops/my-day/."""
import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from fieldops.services import ActionContext, add_note, create_service_order, dispatch_order

from .conftest import CENTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def technician_client(english_client_for, make_technician):
    client = english_client_for("technician", username="tiago")
    client.technician = make_technician(client.user)
    return client


def order_at(person, technician, hour, offset, **extra):
    day = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    fields = {"order_type": "repair", "status": "scheduled", "scheduled_start": start, **extra}
    return create_service_order(
        person=person, assignee=technician, point=Point(CENTER[0] + offset, CENTER[1], srid=4326),
        window_start=start, window_end=start + datetime.timedelta(hours=3), **fields,
    )


def test_the_day_has_the_stops_in_order_with_everything_the_phone_needs(
    technician_client, client_person, contract, dispatcher, connector
):
    technician = technician_client.technician
    later = order_at(client_person, technician, 14, 0.01)
    first = order_at(client_person, technician, 9, 0.005, order_type="installation", contract=contract)
    dispatch_order(first, ActionContext(actor=dispatcher))
    add_note(first, ActionContext(actor=dispatcher), text="Portão azul")
    order_at(client_person, None, 10, 0.002, status="open", scheduled_start=None)  # nobody's
    day = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    answer = technician_client.get("/api/fieldops/my-day/", {"date": day})

    assert answer.status_code == 200, answer.data
    data = answer.data
    assert [stop["order"]["id"] for stop in data["stops"]] == [first.pk, later.pk]
    stop = data["stops"][0]
    assert stop["sequence"] == 1 and stop["order"]["status"] == "dispatched" and stop["order"]["version"] == 2
    assert stop["order"]["client"] == "Ana Souza" and stop["order"]["type_label"] == "Installation"
    assert stop["order"]["notes"][0]["text"] == "Portão azul"
    assert [item["code"] for item in stop["checklist"]][0] == "safety"
    assert (stop["order"]["contract_box"], stop["order"]["contract_port"]) == (contract.cto_box_id, 3)
    assert stop["boxes"][0]["code"] == "CTO-001"
    assert data["stops"][1]["boxes"] == []
    assert stop["eta"] <= data["stops"][1]["eta"]
    assert data["route"]["type"] == "LineString" and len(data["route"]["coordinates"]) >= 4
    assert data["route"]["coordinates"][0] == list(CENTER)
    assert [material["code"] for material in data["materials"]] == ["sc-apc"]


def test_only_technicians_have_a_day_and_bad_dates_are_400(technician_client, english_client_for):
    assert technician_client.get("/api/fieldops/my-day/").data["stops"] == []
    assert technician_client.get("/api/fieldops/my-day/", {"date": "31/02"}).status_code == 400
    refused = english_client_for("dispatcher").get("/api/fieldops/my-day/")
    assert refused.status_code == 403
    assert refused.data["detail"] == "Only technicians have a day of field work."
