"""Who may do what: authentication, role permissions and the technician's own-orders rule."""

import pytest
from django.core.cache import cache

from billing.models import Contract, Plan
from crm.people.models import Address, Person
from fieldops.models import ServiceOrder

from .conftest import OTHER_CPF

GEOJSON_URLS = [
    "/api/crm/addresses/geojson/",
    "/api/billing/contracts/geojson/",
    "/api/fieldops/technicians/geojson/",
    "/api/fieldops/service-orders/geojson/",
    "/api/gis/coverage-areas/geojson/",
    "/api/gis/pops/geojson/",
    "/api/gis/cto-boxes/geojson/",
    "/api/gis/cables/geojson/",
    "/api/gis/road-edges/geojson/",
    "/api/gis/address-points/geojson/",
]
LIST_URLS = [url.removesuffix("geojson/") for url in GEOJSON_URLS] + [
    "/api/crm/people/",
    "/api/billing/plans/",
    "/api/fieldops/skills/",
    "/api/gis/olts/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", LIST_URLS + GEOJSON_URLS)
def test_anonymous_is_refused_everywhere(api_client, url):
    assert api_client.get(url).status_code in (401, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("url", LIST_URLS)
def test_admin_lists_everything(client_for, url):
    response = client_for("admin").get(url)
    assert response.status_code == 200
    assert response.data["count"] == 0


def test_token_auth_end_to_end(api_client, make_user, client_person):
    make_user("sofia", "sales")
    response = api_client.post("/api/auth/token/", {"username": "sofia", "password": "s3cret-pass"})
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    people = api_client.get("/api/crm/people/")
    assert people.status_code == 200
    assert [p["name"] for p in people.data["results"]] == ["Ana Souza"]


def test_wrong_password_gets_no_token(api_client, make_user):
    make_user("sofia", "sales")
    response = api_client.post("/api/auth/token/", {"username": "sofia", "password": "guess"})
    assert response.status_code == 400
    assert "token" not in response.data


@pytest.mark.django_db
def test_token_endpoint_throttles_anonymous_callers(api_client, settings):
    """Past the "anon" rate the token endpoint answers 429 (empty posts keep it fast)."""
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"].split("/")[0])
    address = "203.0.113.7"  # TEST-NET-3: no real client shares this throttle key
    cache.delete(f"throttle_anon_{address}")
    try:
        codes = [
            api_client.post("/api/auth/token/", {}, REMOTE_ADDR=address).status_code
            for _ in range(limit + 1)
        ]
    finally:
        cache.delete(f"throttle_anon_{address}")
    assert codes[:limit] == [400] * limit
    assert codes[limit] == 429


def test_technician_cannot_list_contracts(client_for, contract):
    assert client_for("technician").get("/api/billing/contracts/").status_code == 403


def test_technician_sees_only_own_orders(client_for, make_technician, make_order):
    client = client_for("technician")
    mine = make_order(assignee=make_technician(client.user))
    others = make_order(assignee=make_technician("outro"))
    make_order()  # unassigned

    listed = client.get("/api/fieldops/service-orders/")
    assert [order["number"] for order in listed.data["results"]] == [mine.number]
    assert client.get(f"/api/fieldops/service-orders/{mine.pk}/").status_code == 200
    assert client.get(f"/api/fieldops/service-orders/{others.pk}/").status_code == 404
    features = client.get("/api/fieldops/service-orders/geojson/").data["features"]
    assert [feature["id"] for feature in features] == [mine.pk]


def test_dispatcher_sees_every_order(client_for, make_technician, make_order):
    make_order(assignee=make_technician("outro"))
    make_order()
    assert client_for("dispatcher").get("/api/fieldops/service-orders/").data["count"] == 2


def test_technician_lists_only_themselves(client_for, make_technician):
    client = client_for("technician")
    me = make_technician(client.user)
    make_technician("outro")
    listed = client.get("/api/fieldops/technicians/")
    assert [t["id"] for t in listed.data["results"]] == [me.pk]


def test_technician_changes_own_orders_only_through_field_actions(client_for, make_technician, make_order):
    client = client_for("technician")
    me = make_technician(client.user)
    order = make_order(assignee=me)
    edit = client.patch(f"/api/fieldops/service-orders/{order.pk}/", {"description": "changed"}, format="json")
    assert edit.status_code == 403
    client_for("dispatcher").post(
        f"/api/fieldops/service-orders/{order.pk}/transition/", {"to": "dispatched"}, format="json"
    )
    moved = client.post(
        f"/api/fieldops/service-orders/{order.pk}/transition/", {"to": "en_route"}, format="json"
    )
    assert moved.status_code == 200, moved.data
    order.refresh_from_db()
    assert (order.status, order.description) == ("en_route", "")


def test_technician_cannot_touch_someone_elses_order(client_for, make_technician, make_order):
    client = client_for("technician")
    make_technician(client.user)
    order = make_order(assignee=make_technician("outro"))
    url = f"/api/fieldops/service-orders/{order.pk}/"
    assert client.post(f"{url}transition/", {"to": "en_route"}, format="json").status_code == 404
    assert client.patch(url, {"description": "mine now"}, format="json").status_code == 403
    order.refresh_from_db()
    assert (order.status, order.description) == ("open", "")


def test_sales_signs_up_a_client(client_for, plan, cto_box):
    client = client_for("sales")
    person = client.post(
        "/api/crm/people/", {"name": "Bruno Lima", "document": OTHER_CPF}, format="json"
    )
    assert person.status_code == 201, person.data
    address = client.post(
        "/api/crm/addresses/",
        {
            "person": person.data["id"],
            "cep": "90010-000",
            "street": "Rua da Praia",
            "number": "50",
            "neighbourhood": "Centro",
            "city": "Porto Alegre",
            "state": "RS",
            "point": {"type": "Point", "coordinates": [-51.23, -30.03]},
        },
        format="json",
    )
    assert address.status_code == 201, address.data
    contract = client.post(
        "/api/billing/contracts/",
        {
            "person": person.data["id"],
            "plan": plan.pk,
            "installation_address": address.data["id"],
            "cto_box": cto_box.pk,
            "cto_port": 1,
        },
        format="json",
    )
    assert contract.status_code == 201, contract.data
    assert contract.data["number"] == "CT-000001"
    assert contract.data["point"]["coordinates"] == [-51.23, -30.03]
    assert Person.objects.get(pk=person.data["id"]).stage == "client"
    assert Address.objects.count() == 1


def test_sales_cannot_delete_a_plan(client_for, plan):
    assert client_for("sales").delete(f"/api/billing/plans/{plan.pk}/").status_code == 403
    assert Plan.objects.filter(pk=plan.pk).exists()


def test_billing_manages_plans(client_for):
    client = client_for("billing")
    created = client.post(
        "/api/billing/plans/",
        {
            "name": "Fibra 1G",
            "download_mbps": 1000,
            "upload_mbps": 500,
            "monthly_price": "149.90",
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    url = f"/api/billing/plans/{created.data['id']}/"
    assert (
        client.patch(url, {"monthly_price": "139.90"}, format="json").data["monthly_price"]
        == "139.90"
    )
    assert client.delete(url).status_code == 204
    assert not Plan.objects.exists()


def test_plan_in_use_is_not_deleted(english_client_for, contract):
    response = english_client_for("billing").delete(f"/api/billing/plans/{contract.plan_id}/")
    assert response.status_code == 400
    assert "cannot be deleted" in response.data["non_field_errors"][0]
    assert Contract.objects.count() == 1


def test_dispatcher_assigns_an_order(client_for, make_technician, make_order, splicing):
    order = make_order(required_skills=[splicing])
    technician = make_technician("tiago", skills=[splicing])
    response = client_for("dispatcher").patch(
        f"/api/fieldops/service-orders/{order.pk}/", {"assignee": technician.pk}, format="json"
    )
    assert response.status_code == 200, response.data
    assert ServiceOrder.objects.get(pk=order.pk).assignee == technician


def test_sales_reads_skills_for_installation_orders(client_for, splicing):
    response = client_for("sales").get("/api/fieldops/skills/")
    assert [skill["code"] for skill in response.data["results"]] == ["splicing"]
