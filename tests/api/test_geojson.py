"""GeoJSON endpoints: bbox filtering, pagination, derived occupancy and measured lengths."""

import pytest
from django.contrib.gis.geos import LineString, Point

from core.services import create_object
from gis.models import CtoBox, RoadEdge, RoadNode

from .test_access import GEOJSON_URLS

# Around downtown Porto Alegre; FAR_AWAY-like points fall outside.
DOWNTOWN_BBOX = "-51.25,-30.06,-51.18,-30.00"


@pytest.fixture
def boxes(db):
    inside = [(-51.22, -30.03), (-51.20, -30.02), (-51.24, -30.05)]
    outside = [(-51.10, -29.90), (-51.30, -30.03)]
    for number, (lon, lat) in enumerate(inside + outside, start=1):
        create_object(
            CtoBox, code=f"CTO-{number:03d}", ports_total=8, point=Point(lon, lat, srid=4326)
        )
    return ["CTO-001", "CTO-002", "CTO-003"]


def test_bbox_keeps_only_features_inside(client_for, boxes):
    response = client_for("dispatcher").get(
        "/api/gis/cto-boxes/geojson/", {"in_bbox": DOWNTOWN_BBOX}
    )
    assert response.status_code == 200
    assert response.data["type"] == "FeatureCollection"
    assert sorted(f["properties"]["code"] for f in response.data["features"]) == boxes
    assert response.data["count"] == 3


def test_bbox_also_filters_plain_lists(client_for, boxes):
    response = client_for("dispatcher").get("/api/gis/cto-boxes/", {"in_bbox": DOWNTOWN_BBOX})
    assert [box["code"] for box in response.data["results"]] == boxes


def test_pages_of_features(client_for, boxes):
    client = client_for("dispatcher")
    first = client.get("/api/gis/cto-boxes/geojson/", {"page_size": 2})
    assert (first.data["count"], len(first.data["features"])) == (5, 2)
    second = client.get(first.data["next"])
    third = client.get(second.data["next"])
    codes = [
        f["properties"]["code"] for page in (first, second, third) for f in page.data["features"]
    ]
    assert codes == [f"CTO-{n:03d}" for n in range(1, 6)]
    assert third.data["next"] is None


def test_lines_crossing_the_bbox_are_included(client_for):
    a = RoadNode.objects.create(osm_id=1, point=Point(-51.30, -30.03, srid=4326))
    b = RoadNode.objects.create(osm_id=2, point=Point(-51.10, -30.03, srid=4326))
    RoadEdge.objects.create(
        source=a,
        target=b,
        osm_way_id=10,
        name="Avenida Ipiranga",
        highway="primary",
        length_m=19000,
        speed_kmh=50,
        travel_time_s=1368,
        geom=LineString(a.point, b.point, srid=4326),
    )
    client = client_for("dispatcher")
    crossing = client.get("/api/gis/road-edges/geojson/", {"in_bbox": DOWNTOWN_BBOX}).data[
        "features"
    ]
    assert [f["properties"]["name"] for f in crossing] == ["Avenida Ipiranga"]
    assert crossing[0]["geometry"]["type"] == "LineString"
    elsewhere = client.get(
        "/api/gis/road-edges/geojson/", {"in_bbox": "-51.25,-29.95,-51.18,-29.90"}
    )
    assert elsewhere.data["features"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", GEOJSON_URLS)
def test_every_geo_resource_has_a_feature_collection(client_for, url):
    response = client_for("admin").get(url, {"in_bbox": DOWNTOWN_BBOX})
    assert response.status_code == 200
    assert (response.data["type"], response.data["features"]) == ("FeatureCollection", [])


def test_box_occupancy_is_derived_from_contracts(client_for, contract, cto_box):
    feature = client_for("dispatcher").get("/api/gis/cto-boxes/geojson/").data["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-51.22, -30.033]}
    assert (feature["properties"]["ports_used"], feature["properties"]["ports_free"]) == (1, 7)


def test_box_cannot_shrink_below_a_used_port(english_client_for, contract, cto_box):
    client = english_client_for("admin")
    response = client.patch(f"/api/gis/cto-boxes/{cto_box.pk}/", {"ports_total": 2}, format="json")
    assert response.status_code == 400
    assert response.data["ports_total"] == [
        "Port 3 of this box is in use; the box needs at least 3 ports."
    ]
    grown = client.patch(f"/api/gis/cto-boxes/{cto_box.pk}/", {"ports_total": 16}, format="json")
    assert (grown.data["ports_total"], grown.data["ports_used"], grown.data["ports_free"]) == (
        16,
        1,
        15,
    )


@pytest.mark.django_db
def test_cable_length_is_measured_in_metres(client_for):
    # 0.01 degree of latitude is about 1.11 km anywhere.
    path = {"type": "LineString", "coordinates": [[-51.22, -30.03], [-51.22, -30.04]]}
    response = client_for("admin").post(
        "/api/gis/cables/",
        {"code": "CB-1", "kind": "drop", "path": path, "length_m": 5},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert 1100 < response.data["length_m"] < 1120
