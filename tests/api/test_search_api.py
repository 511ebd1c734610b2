"""The map's search box and the geocoding endpoints: results, roles and bad input."""

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from fieldops.services import create_service_order
from gis.osm_import import import_osm
from tests.gis.selection_data import make_contract, make_plan
from tests.gis.test_geocoding import GEOCODING_OSM

SEARCH = "/api/gis/search/"
GEOCODE = "/api/gis/geocode/"
REVERSE = "/api/gis/reverse-geocode/"


@pytest.fixture
def streets(db):
    import_osm(GEOCODING_OSM)


@pytest.fixture
def people(db):
    plan = make_plan()
    joao = make_contract(1, -51.2290, -30.0310, plan, "active", name="João Conceição")
    maria = make_contract(2, -51.2210, -30.0310, plan, "active", name="Maria Souza")
    return joao, maria


def results(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.data
    return response.json()["results"]


def test_clients_by_name_without_accents(english_client_for, people):
    joao, _maria = people
    found = results(english_client_for("dispatcher"), SEARCH, q="joao conceicao")
    assert found[0] == {
        "kind": "client", "id": joao.person_id, "label": "João Conceição",
        "detail": f"{joao.person.document[:3]}.{joao.person.document[3:6]}.{joao.person.document[6:9]}-"
                  f"{joao.person.document[9:]} · Rua Teste, 11",
        "point": [-51.229, -30.031],
    }
    assert [row["label"] for row in results(english_client_for("sales"), SEARCH, q="SOUZA")][:1] == ["Maria Souza"]


@pytest.mark.parametrize("formatted", [True, False])
def test_clients_by_document(english_client_for, people, formatted):
    _joao, maria = people
    digits = maria.person.document
    text = f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}" if formatted else digits
    found = results(english_client_for("dispatcher"), SEARCH, q=text)
    assert [(row["kind"], row["id"]) for row in found] == [("client", maria.person_id)]


@pytest.mark.parametrize("text", ["CT-000002", "ct-000002", "02"])
def test_contracts_by_number(english_client_for, people, text):
    _joao, maria = people
    found = results(english_client_for("dispatcher"), SEARCH, q=text)
    assert found[0]["kind"] == "contract" and found[0]["id"] == maria.pk
    assert found[0]["label"] == maria.number and found[0]["point"] == [-51.221, -30.031]
    assert "Maria Souza · Active" in found[0]["detail"]


def test_addresses_come_from_geocoding(english_client_for, streets):
    found = results(english_client_for("dispatcher"), SEARCH, q="R. dos Andradas, 100")
    assert found[0]["kind"] == "address" and found[0]["id"] is None
    assert found[0]["label"].startswith("Rua dos Andradas, 100") and found[0]["point"] == [-51.229, -30.02993]


def test_technicians_see_only_their_own_orders_clients_and_no_contracts(
    english_client_for, people, make_technician, streets
):
    joao, _maria = people
    technician = english_client_for("technician")
    start = timezone.now() + datetime.timedelta(days=1)
    create_service_order(
        order_type="repair", person=joao.person, point=Point(-51.2290, -30.0310, srid=4326),
        window_start=start, window_end=start + datetime.timedelta(hours=2),
        assignee=make_technician(technician.user),
    )
    assert [row["label"] for row in results(technician, SEARCH, q="joao")] == ["João Conceição"]
    assert results(technician, SEARCH, q="maria souza") == []
    assert [row["kind"] for row in results(technician, SEARCH, q="CT-000001")] == []
    # Addresses are for everyone.
    assert results(technician, SEARCH, q="rua dos andradas 100")[0]["kind"] == "address"


def test_billing_clerks_find_clients_and_contracts(english_client_for, people):
    kinds = {row["kind"] for row in results(english_client_for("billing"), SEARCH, q="CT-000001")}
    assert kinds == {"contract"}


@pytest.mark.parametrize(("params", "field"), [({}, "q"), ({"q": ""}, "q"), ({"q": "a"}, "q"), ({"q": "x" * 201}, "q")])
def test_search_bad_input(english_client_for, db, params, field):
    response = english_client_for("dispatcher").get(SEARCH, params)
    assert response.status_code == 400 and field in response.data


def test_anonymous_users_may_not_search_or_geocode(api_client, db):
    for url, params in ((SEARCH, {"q": "joao"}), (GEOCODE, {"q": "rua"}), (REVERSE, {"lon": -51.2, "lat": -30})):
        assert api_client.get(url, params).status_code in (401, 403)


def test_geocode_endpoint(english_client_for, streets):
    client = english_client_for("sales")
    best = results(client, GEOCODE, q="rua dos andradas 500")[0]
    assert set(best) == {"label", "point", "confidence", "precision", "street", "number",
                         "neighbourhood", "city", "cep"}
    assert best["precision"] == "interpolated" and best["number"] == "500" and best["cep"] == "90020-000"
    assert 0 < best["confidence"] <= 1
    nothing = client.get(GEOCODE, {"q": "Estrada Que Não Existe 10"}).json()
    assert nothing["results"] == [] and "place a pin on the map" in nothing["message"]


def test_reverse_geocode_endpoint(english_client_for, streets):
    client = english_client_for("technician")
    found = results(client, REVERSE, lon="-51.2270", lat="-30.02994")
    assert found[0]["street"] == "Rua dos Andradas" and int(found[0]["number"]) % 2 == 1
    far = client.get(REVERSE, {"lon": -51.0, "lat": -29.0}).json()
    assert far["results"] == [] and far["message"] == "No street near this point."


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (GEOCODE, {"q": ""}, "q"),
        (GEOCODE, {}, "q"),
        (GEOCODE, {"q": "rua", "limit": "50"}, "limit"),
        (REVERSE, {"lon": "abc", "lat": "-30"}, "lon"),
        (REVERSE, {"lon": "-51.2", "lat": "-91"}, "lat"),
        (REVERSE, {"lon": "181", "lat": "-30"}, "lon"),
        (REVERSE, {"lon": "nan", "lat": "-30"}, "lon"),
        (REVERSE, {"lat": "-30"}, "lon"),
        (REVERSE, {"lon": "36", "lat": "0"}, "non_field_errors"),  # audit: outside the projection, a 500
    ],
)
def test_geocoding_bad_input(english_client_for, db, url, params, field):
    response = english_client_for("dispatcher").get(url, params)
    assert response.status_code == 400 and field in response.data
