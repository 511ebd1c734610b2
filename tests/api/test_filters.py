"""List filters people use: text search by name/document/number, status, dates."""

import datetime

import pytest
from django.utils import timezone

from crm.people.services import create_person

from .conftest import VALID_CNPJ


def numbers(response):
    return [item["number"] for item in response.data["results"]]


def test_contract_search_by_formatted_document_name_or_number(client_for, contract):
    client = client_for("billing")
    assert numbers(client.get("/api/billing/contracts/", {"q": "529.982.247-25"})) == [
        contract.number
    ]
    assert numbers(client.get("/api/billing/contracts/", {"q": "ana souza"})) == [contract.number]
    assert numbers(client.get("/api/billing/contracts/", {"q": "CT-0000"})) == [contract.number]
    assert numbers(client.get("/api/billing/contracts/", {"q": "Bruno"})) == []


def test_contract_status_and_plan_filters(client_for, contract):
    client = client_for("billing")
    url = "/api/billing/contracts/"
    assert numbers(client.get(url, {"status": ["active", "awaiting_installation"]})) == [
        contract.number
    ]
    assert numbers(client.get(url, {"status": "active"})) == []
    assert numbers(client.get(url, {"plan": contract.plan_id})) == [contract.number]
    bad = client.get(url, {"status": "paid"})
    assert bad.status_code == 400 and "status" in bad.data


def test_people_search_and_stage(client_for, client_person):
    create_person(name="Loja do Bairro", person_type="company", document=VALID_CNPJ)
    client = client_for("sales")
    names = lambda response: [p["name"] for p in response.data["results"]]  # noqa: E731
    assert names(client.get("/api/crm/people/", {"q": "11.222.333/0001"})) == ["Loja do Bairro"]
    assert names(client.get("/api/crm/people/", {"stage": "client"})) == ["Ana Souza"]
    assert names(client.get("/api/crm/people/", {"person_type": "company"})) == ["Loja do Bairro"]


def test_service_orders_by_status_type_assignee_and_window(client_for, make_order, make_technician):
    technician = make_technician("tiago")
    assigned = make_order(assignee=technician)
    unassigned = make_order()
    client = client_for("dispatcher")
    url = "/api/fieldops/service-orders/"
    assert numbers(client.get(url, {"assignee": technician.pk})) == [assigned.number]
    assert numbers(client.get(url, {"unassigned": "true"})) == [unassigned.number]
    assert len(numbers(client.get(url, {"status": "open", "order_type": "repair"}))) == 2
    assert numbers(client.get(url, {"order_type": "installation"})) == []
    tomorrow_evening = (timezone.now() + datetime.timedelta(days=1, hours=8)).isoformat()
    assert numbers(client.get(url, {"window_after": tomorrow_evening})) == []
    assert len(numbers(client.get(url, {"window_before": tomorrow_evening}))) == 2


def test_orders_are_numbered_in_sequence(make_order):
    assert [make_order().number for _ in range(3)] == ["OS-000001", "OS-000002", "OS-000003"]


@pytest.mark.parametrize(
    ("role", "url", "name"),
    [
        ("sales", "/api/crm/people/", "created_after"),
        ("sales", "/api/crm/people/", "created_before"),
        ("dispatcher", "/api/fieldops/service-orders/", "window_after"),
        ("dispatcher", "/api/fieldops/service-orders/", "window_before"),
        ("sales", "/api/crm/leads/", "next_action_after"),
    ],
)
def test_a_date_time_with_an_impossible_utc_offset_is_a_400(english_client_for, db, role, url, name):
    """Audit: `+16:00` reached PostgreSQL (time zone displacement out of range), a 500."""
    client = english_client_for(role)
    response = client.get(url, {name: "2026-01-01T00:00:00+16:00"})
    assert response.status_code == 400
    assert response.data[name] == ["The time zone offset must be between -14:00 and +14:00."]
    assert client.get(url, {name: "2026-01-01T00:00:00-12:00"}).status_code == 200
