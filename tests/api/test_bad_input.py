"""Bad input: a 400 naming the field with a clear message, and nothing written."""

import contextlib
import datetime

import pytest
from django.utils import timezone

from billing.models import Contract
from crm.people.models import Address, Person
from fieldops.models import ServiceOrder
from gis.models import CoverageArea, Pop

from .conftest import VALID_CNPJ, VALID_CPF

WRITTEN_MODELS = (Person, Address, Contract, ServiceOrder, CoverageArea, Pop)


@contextlib.contextmanager
def nothing_written():
    before = {model: model.objects.count() for model in WRITTEN_MODELS}
    yield
    assert {model: model.objects.count() for model in WRITTEN_MODELS} == before


def post_refused(client, url, data, field):
    """POST `data`, expect a 400 with errors on `field` and no row written; return the messages."""
    with nothing_written():
        response = client.post(url, data, format="json")
    assert response.status_code == 400, response.data
    return [str(message) for message in response.data[field]]


@pytest.fixture
def sales(english_client_for):
    return english_client_for("sales")


@pytest.fixture
def admin(english_client_for):
    return english_client_for("admin")


def address_data(person, **overrides):
    return {
        "person": person.pk,
        "cep": "90010-000",
        "street": "Rua da Praia",
        "number": "50",
        "neighbourhood": "Centro",
        "city": "Porto Alegre",
        "state": "RS",
        "point": {"type": "Point", "coordinates": [-51.23, -30.03]},
        **overrides,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("person_type", "document", "message"),
    [
        ("natural", "123.456.789-00", "Invalid CPF: check the 11 digits."),
        ("natural", "111.111.111-11", "Invalid CPF: check the 11 digits."),
        ("company", "11.222.333/0001-82", "Invalid CNPJ: check the 14 digits."),
        ("company", VALID_CPF, "A company needs a CNPJ (14 digits), not a CPF."),
        ("natural", VALID_CNPJ, "A natural person needs a CPF (11 digits), not a CNPJ."),
    ],
)
def test_bad_documents(sales, person_type, document, message):
    data = {"name": "Empresa X", "person_type": person_type, "document": document}
    assert post_refused(sales, "/api/crm/people/", data, "document") == [message]


def test_duplicate_document(sales, client_person):
    data = {"name": "Outra Ana", "document": VALID_CPF.replace(".", "")}
    assert post_refused(sales, "/api/crm/people/", data, "document") == [
        "A person with this CPF/CNPJ is already registered."
    ]


@pytest.mark.django_db
def test_client_needs_a_document(sales):
    data = {"name": "Sem Documento", "stage": "client"}
    assert post_refused(sales, "/api/crm/people/", data, "document") == [
        "A client needs a CPF or CNPJ."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["(51) 3333-4444", "+1 415 555 0100", "99876-5432"])
def test_bad_mobile_phone(sales, phone):
    messages = post_refused(
        sales, "/api/crm/people/", {"name": "Ana", "mobile_phone": phone}, "mobile_phone"
    )
    assert len(messages) == 1 and "mobile" in messages[0]


@pytest.mark.django_db
def test_typed_input_is_stored_canonically(sales):
    response = sales.post(
        "/api/crm/people/",
        {
            "name": "Loja Y",
            "person_type": "company",
            "document": VALID_CNPJ,
            "mobile_phone": "(51) 99876-5432",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert (response.data["document"], response.data["mobile_phone"]) == (
        "11222333000181",
        "+5551998765432",
    )


@pytest.mark.parametrize("cep", ["9001-000", "90010-00A", "900100000"])
def test_bad_cep(sales, client_person, cep):
    messages = post_refused(
        sales, "/api/crm/addresses/", address_data(client_person, cep=cep), "cep"
    )
    assert messages == ["Invalid CEP: use 8 digits, e.g. 90010-000."]


def test_coordinates_out_of_range(sales, client_person):
    point = {"type": "Point", "coordinates": [200, -30]}
    messages = post_refused(
        sales, "/api/crm/addresses/", address_data(client_person, point=point), "point"
    )
    assert messages == [
        "Coordinates out of range: longitude must be between -180 and 180 and latitude between "
        "-90 and 90 (WGS 84, SRID 4326)."
    ]


def test_a_point_outside_the_served_region_is_refused(sales, client_person):
    point = {"type": "Point", "coordinates": [36, 0]}
    messages = post_refused(
        sales, "/api/crm/addresses/", address_data(client_person, point=point), "point"
    )
    assert "outside the region" in messages[0]


@pytest.mark.django_db
def test_self_intersecting_coverage_area(admin):
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[-51.2, -30.0], [-51.1, -30.1], [-51.1, -30.0], [-51.2, -30.1], [-51.2, -30.0]]
        ],
    }
    messages = post_refused(
        admin, "/api/gis/coverage-areas/", {"name": "Centro", "area": bow_tie}, "area"
    )
    assert len(messages) == 1 and messages[0].startswith("Invalid geometry: Self-intersection")


@pytest.mark.django_db
def test_polygon_is_stored_as_multipolygon(admin):
    square = {
        "type": "Polygon",
        "coordinates": [
            [[-51.2, -30.0], [-51.1, -30.0], [-51.1, -30.1], [-51.2, -30.1], [-51.2, -30.0]]
        ],
    }
    response = admin.post(
        "/api/gis/coverage-areas/", {"name": "Centro", "area": square}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["area"]["type"] == "MultiPolygon"


@pytest.mark.django_db
def test_wrong_geometry_type(admin):
    line = {"type": "LineString", "coordinates": [[-51.2, -30.0], [-51.1, -30.1]]}
    messages = post_refused(
        admin, "/api/gis/pops/", {"code": "POP-1", "name": "Centro", "point": line}, "point"
    )
    assert messages == ["Wrong geometry type: expected Point, got LineString."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("point", "message"),
    [
        (
            '{"type": "Point", "coordinates": [-51.2',
            "Malformed GeoJSON: the text is not valid JSON.",
        ),
        ({"type": "Point", "coordinates": "north"}, "Malformed GeoJSON: "),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0]]]}, "Malformed GeoJSON: "),
        ({"coordinates": [-51.2, -30.0]}, "Malformed GeoJSON: send a geometry object"),
        (
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-51.2, -30.0]}},
            "Malformed GeoJSON: send the geometry itself",
        ),
        ({"type": "Point", "coordinates": []}, "The geometry is empty."),
    ],
)
def test_malformed_geojson(admin, point, message):
    messages = post_refused(
        admin, "/api/gis/pops/", {"code": "POP-1", "name": "Centro", "point": point}, "point"
    )
    assert len(messages) == 1 and messages[0].startswith(message)


def contract_data(person, plan, address, box, port):
    return {
        "person": person.pk,
        "plan": plan.pk,
        "installation_address": address.pk,
        "cto_box": box.pk,
        "cto_port": port,
    }


def test_port_beyond_box_total(sales, client_person, plan, address, cto_box):
    data = contract_data(client_person, plan, address, cto_box, port=9)
    assert post_refused(sales, "/api/billing/contracts/", data, "cto_port") == [
        "Box CTO-001 has ports 1 to 8."
    ]


def test_port_already_taken(sales, contract, plan, address, cto_box):
    data = contract_data(contract.person, plan, address, cto_box, port=contract.cto_port)
    assert post_refused(sales, "/api/billing/contracts/", data, "cto_port") == [
        f"Port 3 of box CTO-001 is already taken by contract {contract.number}."
    ]


def test_cancelled_contract_frees_its_port(sales, contract, plan, address, cto_box):
    Contract.objects.filter(pk=contract.pk).update(
        status="cancelled", cancelled_on=timezone.localdate()
    )
    data = contract_data(contract.person, plan, address, cto_box, port=contract.cto_port)
    assert sales.post("/api/billing/contracts/", data, format="json").status_code == 201


def test_contract_needs_a_point(sales, client_person, plan):
    address = sales.post(
        "/api/crm/addresses/", address_data(client_person, point=None), format="json"
    )
    data = {"person": client_person.pk, "plan": plan.pk, "installation_address": address.data["id"]}
    assert post_refused(sales, "/api/billing/contracts/", data, "point") == [
        "Give the installation point, or an installation address located on the map."
    ]


def order_data(person, **overrides):
    start = timezone.now() + datetime.timedelta(days=1)
    return {
        "order_type": "installation",
        "person": person.pk,
        "point": {"type": "Point", "coordinates": [-51.22, -30.03]},
        "window_start": start.isoformat(),
        "window_end": (start + datetime.timedelta(hours=2)).isoformat(),
        **overrides,
    }


def test_assignee_without_required_skill(
    english_client_for, client_person, make_technician, splicing
):
    novice = make_technician("novato")
    data = order_data(client_person, required_skills=[splicing.pk], assignee=novice.pk)
    messages = post_refused(
        english_client_for("dispatcher"), "/api/fieldops/service-orders/", data, "assignee"
    )
    assert messages == ["novato lacks the required skills: Fibre splicing."]


def test_window_must_end_after_it_starts(english_client_for, client_person):
    start = timezone.now()
    data = order_data(client_person, window_start=start.isoformat(), window_end=start.isoformat())
    messages = post_refused(
        english_client_for("dispatcher"), "/api/fieldops/service-orders/", data, "window_end"
    )
    assert messages == ["The time window must end after it starts."]


def test_status_cannot_skip_ahead(english_client_for, make_order, make_technician):
    order = make_order(assignee=make_technician("tiago"))
    response = english_client_for("dispatcher").post(
        f"/api/fieldops/service-orders/{order.pk}/transition/", {"to": "completed"}, format="json"
    )
    assert response.status_code == 400
    assert response.data["status"] == ["An order cannot go from “Open” to “Completed”."]
    order.refresh_from_db()
    assert order.status == "open"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bbox", ["1,2,3", "a,b,c,d", "-51.1,-30.1,-51.2,-30.0", "-200,-30.1,-51.2,-30.0", "nan,0,1,1"]
)
def test_bad_bbox(admin, bbox):
    response = admin.get("/api/gis/pops/geojson/", {"in_bbox": bbox})
    assert response.status_code == 400
    assert response.data["in_bbox"][0].startswith(
        "Invalid bounding box: use min_lon,min_lat,max_lon,max_lat"
    )


@pytest.mark.django_db
def test_messages_follow_accept_language(client_for):
    client = client_for("sales")
    data = {"name": "Ana", "document": "123.456.789-00"}
    english = client.post("/api/crm/people/", data, format="json", HTTP_ACCEPT_LANGUAGE="en")
    portuguese = client.post("/api/crm/people/", data, format="json")
    assert english.data["document"] == ["Invalid CPF: check the 11 digits."]
    assert portuguese.data["document"] == ["CPF inválido: confira os 11 dígitos."]


@pytest.mark.django_db
def test_altitude_is_dropped(admin):
    point = {"type": "Point", "coordinates": [-51.22, -30.03, 12.5]}
    response = admin.post(
        "/api/gis/pops/", {"code": "POP-1", "name": "Centro", "point": point}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["point"]["coordinates"] == [-51.22, -30.03]


@pytest.mark.django_db
def test_too_many_vertices(admin):
    path = {"type": "LineString", "coordinates": [[-51.2 + i * 1e-6, -30.0] for i in range(10_001)]}
    data = {"code": "CB-1", "kind": "drop", "path": path}
    assert post_refused(admin, "/api/gis/cables/", data, "path") == [
        "Too many vertices: 10001, at most 10000."
    ]


def test_moving_a_contract_keeps_the_port_rules(sales, contract, plan, address, cto_box):
    other = sales.post(
        "/api/billing/contracts/",
        contract_data(contract.person, plan, address, cto_box, port=4),
        format="json",
    )
    url = f"/api/billing/contracts/{other.data['id']}/"
    taken = sales.patch(url, {"cto_port": contract.cto_port}, format="json")
    assert taken.status_code == 400
    assert taken.data["cto_port"] == [
        f"Port 3 of box CTO-001 is already taken by contract {contract.number}."
    ]
    assert sales.patch(url, {"cto_port": 4, "due_day": 20}, format="json").status_code == 200
    assert sales.patch(url, {"cto_port": 5}, format="json").data["cto_port"] == 5


def test_new_order_cannot_start_completed(english_client_for, client_person):
    data = order_data(client_person, status="completed")
    messages = post_refused(
        english_client_for("dispatcher"), "/api/fieldops/service-orders/", data, "status"
    )
    assert messages == ["A new order starts as Open, Scheduled or Dispatched."]


def technician_data(user, **overrides):
    point = {"type": "Point", "coordinates": [-51.22, -30.03]}
    return {
        "user": user.pk,
        "shift_start": "08:00",
        "shift_end": "17:00",
        "start_point": point,
        "end_point": point,
        **overrides,
    }


def test_technician_phone_is_stored_canonically(english_client_for, make_user):
    data = technician_data(make_user("tiago", "technician"), phone="(51) 99876-5432")
    response = english_client_for("dispatcher").post(
        "/api/fieldops/technicians/", data, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["phone"] == "+5551998765432"


def test_shift_must_end_after_it_starts(english_client_for, make_user):
    data = technician_data(make_user("tiago", "technician"), shift_start="18:00", shift_end="08:00")
    client = english_client_for("dispatcher")
    before = client.get("/api/fieldops/technicians/").data["count"]
    response = client.post("/api/fieldops/technicians/", data, format="json")
    assert response.status_code == 400
    assert response.data["shift_end"] == ["The shift must end after it starts."]
    assert client.get("/api/fieldops/technicians/").data["count"] == before
