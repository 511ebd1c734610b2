"""Viability on the hand-built street U (tests/crm/viability_network.py), through the API."""
import pytest

from crm.sales.models import ViabilityCheck
from gis.network import haversine_m
from tests.crm.viability_network import *  # noqa: F403  (fixtures and the network's geometry)
from tests.crm.viability_network import (
    HOUSE,
    HOUSE_ADDRESS,
    HOUSE_TO_NODE_3_M,
    LAT_M,
    LON_M,
    on_rua_norte,
    on_rua_sul,
)

URL = "/api/crm/viability/"


@pytest.fixture
def rep(english_client_for):
    return english_client_for("sales", "rep-viability")


def check(client, **body):
    return client.post(URL, body, format="json")


def at_house(client, **body):
    return check(client, lon=HOUSE[0], lat=HOUSE[1], **body)


def test_box_just_inside_the_drop_along_the_streets_is_chosen_not_the_one_just_outside(
    drop_network, make_box, rep
):
    inside = make_box("CTO-IN", on_rua_norte(19))  # walk ~237 m, straight ~143 m
    outside = make_box("CTO-OUT", on_rua_norte(48))  # walk ~266 m, straight ~128 m
    for box in (inside, outside):
        assert haversine_m(HOUSE, (box.point.x, box.point.y)) < 150  # both well within in a straight line
    response = at_house(rep)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["viable"] is True
    assert body["reasons"][0]["code"] == "viable"
    assert [box["name"] for box in body["boxes"]] == ["CTO-IN"]
    chosen = body["chosen_box"]
    assert chosen["id"] == inside.pk
    assert chosen["walking_distance_m"] == pytest.approx(HOUSE_TO_NODE_3_M + 19, abs=3)
    assert chosen["straight_distance_m"] < 150
    assert chosen["free_ports"] == 4
    assert body["coverage_area"]["name"] == "Centro"
    assert body["max_drop_m"] == 250
    # The path starts at the house, turns at nodes 1 and 3 and ends at the box.
    path = chosen["path"]["coordinates"]
    assert path[0] == pytest.approx(list(HOUSE))
    assert path[-1] == pytest.approx([inside.point.x, inside.point.y])
    assert [-51.2, -30.0] in path and [-51.2, -29.999] in path


def test_a_longer_drop_than_allowed_is_capped_and_a_shorter_one_is_respected(drop_network, make_box, rep):
    make_box("CTO-IN", on_rua_norte(19))
    capped = at_house(rep, max_drop_m=5000).json()
    assert capped["max_drop_m"] == 250
    assert [box["name"] for box in capped["boxes"]] == ["CTO-IN"]
    short = at_house(rep, max_drop_m=200).json()
    assert short["viable"] is False
    assert [reason["code"] for reason in short["reasons"]] == ["no_box_within_reach"]
    assert short["reasons"][0]["message"] == "No box within 200 m walking along the streets."


def test_full_box_is_skipped_for_a_farther_one_with_a_free_port(drop_network, make_box, rep):
    make_box("CTO-FULL", on_rua_sul(66), ports=2, used=2)  # ~40 m away
    make_box("CTO-IN", on_rua_norte(19), ports=8, used=3)
    body = at_house(rep).json()
    assert [box["name"] for box in body["boxes"]] == ["CTO-IN"]
    assert body["chosen_box"]["free_ports"] == 5


def test_boxes_are_ranked_by_walk_and_a_box_on_the_same_street_is_walked_straight_to(
    drop_network, make_box, rep
):
    make_box("CTO-IN", on_rua_norte(19))
    make_box("CTO-SUL", on_rua_sul(66))  # 30 m west of the house's foot on Rua Sul
    body = at_house(rep).json()
    assert [box["name"] for box in body["boxes"]] == ["CTO-SUL", "CTO-IN"]
    chosen = body["chosen_box"]
    assert chosen["name"] == "CTO-SUL"
    assert chosen["walking_distance_m"] == pytest.approx(0.09 * LAT_M + (LON_M - 66), abs=2)
    path = chosen["path"]["coordinates"]
    assert path[0] == pytest.approx(list(HOUSE)) and path[-1] == pytest.approx(list(on_rua_sul(66)))
    assert len(path) >= 3 and all(lat == pytest.approx(-30.0) for _lon, lat in path[1:-1])  # along Rua Sul


def test_only_full_boxes_within_reach_means_no_free_port(drop_network, make_box, rep):
    make_box("CTO-FULL", on_rua_sul(66), ports=1, used=1)
    body = at_house(rep).json()
    assert body["viable"] is False
    assert body["boxes"] == [] and body["chosen_box"] is None and body["plans"] == []
    assert body["reasons"] == [{
        "code": "no_free_port", "message": "The boxes within 250 m along the streets have no free port.",
    }]


def test_outside_coverage_is_not_viable_even_next_to_a_free_box(drop_network, make_box, rep):
    make_box("CTO-EAST", on_rua_sul(290))
    body = check(rep, lon=on_rua_sul(280)[0], lat=-30.0).json()
    assert body["viable"] is False
    assert body["coverage_area"] is None
    assert [reason["code"] for reason in body["reasons"]] == ["outside_coverage"]
    assert body["reasons"][0]["message"] == "This address is outside every coverage area."
    assert [box["name"] for box in body["boxes"]] == ["CTO-EAST"]


def test_point_far_from_every_street_is_off_network(drop_network, make_box, rep):
    make_box("CTO-IN", on_rua_norte(19))
    body = check(rep, lon=-51.1995, lat=-29.9925).json()  # ~700 m north of Rua Norte
    assert body["viable"] is False
    assert [reason["code"] for reason in body["reasons"]] == ["outside_coverage", "off_network"]


def test_plans_on_sale_with_prices_when_viable(drop_network, make_box, rep):
    make_box("CTO-IN", on_rua_norte(19))
    plans = at_house(rep).json()["plans"]
    assert [(plan["name"], plan["price"]) for plan in plans] == [("Fibra 300", "89.90"), ("Fibra 500", "99.90")]
    assert plans[0]["download_mbps"] == 300 and plans[0]["upload_mbps"] == 150


def test_an_address_is_geocoded_and_every_check_is_recorded(drop_network, make_box, rep, website):
    make_box("CTO-IN", on_rua_norte(19))
    body = check(rep, address=HOUSE_ADDRESS, channel=website.pk).json()
    assert body["viable"] is True
    assert body["geocode"]["precision"] == "address"
    assert body["point"]["lon"] == pytest.approx(HOUSE[0], abs=1e-5)
    recorded = ViabilityCheck.objects.get(pk=body["check_id"])
    assert recorded.user == rep.user and recorded.channel == website
    assert recorded.address_text == HOUSE_ADDRESS
    assert recorded.viable and recorded.reason == "viable"
    assert recorded.box.code == "CTO-IN"
    assert recorded.walking_distance_m == body["chosen_box"]["walking_distance_m"]
    assert recorded.coverage_area.name == "Centro"
    assert recorded.geocode_confidence > 0.5
    assert recorded.result["boxes"][0]["name"] == "CTO-IN" and "path" not in recorded.result["boxes"][0]


def test_address_not_found_says_so_offers_the_pin_and_is_recorded(drop_network, rep):
    response = check(rep, address="Rua Que Não Existe, 45")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "address_not_found"
    assert "place a pin on the map" in body["detail"]
    recorded = ViabilityCheck.objects.get(pk=body["check_id"])
    assert recorded.reason == "address_not_found" and recorded.point is None and not recorded.viable


@pytest.mark.parametrize("body, message", [
    ({}, "Type an address or place a pin on the map."),
    ({"lon": -51.2}, "Send both lon and lat, or neither."),
    ({"lon": -51.2, "lat": -95}, None),
    ({"lon": -51.2, "lat": -30, "max_drop_m": 0}, None),
    ({"lon": -51.2, "lat": -30, "channel": 999999}, None),
    ({"lon": 36, "lat": 0}, "This place is outside the region the system serves (longitude -82.0 to -28.0, "
                            "latitude -56.0 to 14.0)."),
])
def test_bad_requests_are_clear_400s(drop_network, rep, body, message):
    response = check(rep, **body)
    assert response.status_code == 400
    if message:
        assert response.json()["non_field_errors"] == [message]


@pytest.mark.parametrize("role, allowed", [
    ("sales", True), ("dispatcher", True), ("admin", True), ("technician", False), ("billing", False),
])
def test_who_may_check(drop_network, english_client_for, role, allowed):
    response = at_house(english_client_for(role))
    assert response.status_code == (200 if allowed else 403)


def test_anonymous_may_not_use_the_internal_endpoint(drop_network, api_client):
    assert at_house(api_client).status_code in (401, 403)
