"""POST /api/gis/selection/ and /export/: counts, pages, CSV, roles and bad input."""

import csv
import io

import pytest

from tests.gis.selection_data import GRID_ORIGIN, GRID_STEP, make_grid, make_plan, square

URL = "/api/gis/selection/"
EXPORT_URL = "/api/gis/selection/export/"
# The 3 x 3 lower-left block of the 4 x 4 grid.
BLOCK = square(
    GRID_ORIGIN[0] - 0.005, GRID_ORIGIN[1] - 0.005,
    GRID_ORIGIN[0] + 2 * GRID_STEP + 0.005, GRID_ORIGIN[1] + 2 * GRID_STEP + 0.005,
)


@pytest.fixture
def grid(db):
    plan = make_plan()
    return plan, make_grid(plan, size=4)


@pytest.fixture
def dispatcher(english_client_for):
    return english_client_for("dispatcher")


def test_counts_and_first_page(dispatcher, grid):
    plan, contracts = grid
    response = dispatcher.post(f"{URL}?page_size=4", {"geometry": BLOCK}, format="json")
    assert response.status_code == 200, response.data
    body = response.json()
    assert body["area_km2"] == pytest.approx(3.2 * 3.3, rel=0.1)
    assert body["repaired"] is False and body["messages"] == []
    assert body["counts"]["contracts"] == body["counts"]["clients"] == body["count"] == 9
    assert {row["status"]: row["count"] for row in body["counts"]["by_status"]} == {"active": 6, "suspended": 3}
    assert {row["label"] for row in body["counts"]["by_status"]} == {"Active", "Suspended"}
    assert body["counts"]["by_plan"] == [{"id": plan.pk, "name": "Fibra 500", "count": 9}]
    assert len(body["results"]) == 4 and body["previous"] is None
    assert "page=2" in body["next"] and "page_size=4" in body["next"]
    first = body["results"][0]
    assert first == {
        "id": contracts[0].pk, "number": contracts[0].number, "status": "active",
        "status_label": "Active", "plan": plan.pk, "plan_name": "Fibra 500",
        "client_id": contracts[0].person_id, "client_name": "Cliente 0000",
        "address": str(contracts[0].installation_address), "point": [GRID_ORIGIN[0], GRID_ORIGIN[1]],
    }
    last = dispatcher.post(body["next"].replace("page=2", "page=3"), {"geometry": BLOCK}, format="json").json()
    assert len(last["results"]) == 1 and last["next"] is None and "page=2" in last["previous"]


def test_filters(dispatcher, grid):
    plan, _contracts = grid
    body = dispatcher.post(URL, {"geometry": BLOCK, "status": ["suspended"], "plan": [plan.pk]}, format="json").json()
    assert body["count"] == 3 and {row["status"] for row in body["results"]} == {"suspended"}


def test_repaired_polygon_says_so(dispatcher, grid):
    ring = BLOCK["coordinates"][0][:-1]
    x, y = ring[0]
    loop = [[x - 0.0005, y + 0.0001], [x + 0.0005, y - 0.0001], [x, y]]
    body = dispatcher.post(URL, {"geometry": {"type": "Polygon", "coordinates": [ring + loop]}},
                           format="json").json()
    assert body["repaired"] is True and "repaired" in body["messages"][0]
    assert body["count"] == 9


@pytest.mark.parametrize("role", ["admin", "dispatcher", "sales", "billing"])
def test_roles_that_see_clients_and_contracts_may_select(client_for, grid, role):
    assert client_for(role).post(URL, {"geometry": BLOCK}, format="json").status_code == 200


def test_technicians_and_anonymous_users_may_not(client_for, api_client, grid):
    technician = client_for("technician")
    assert technician.post(URL, {"geometry": BLOCK}, format="json").status_code == 403
    assert technician.post(EXPORT_URL, {"geometry": BLOCK}, format="json").status_code == 403
    assert api_client.post(URL, {"geometry": BLOCK}, format="json").status_code in (401, 403)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "geometry", "This field is required."),
        ({"geometry": "{not json"}, "geometry", "Malformed GeoJSON"),
        ({"geometry": {"type": "Point", "coordinates": [-51.2, -30.0]}}, "geometry", "expected Polygon or MultiPolygon"),
        ({"geometry": {"type": "Polygon", "coordinates": [[[-51.2, -30.0], [-51.1, -30.0], [-51.1, -30.1], [-51.2, -30.1]]]}},
         "geometry", "is not closed"),
        ({"geometry": {"type": "Polygon", "coordinates": [[[-51.25, -30.05], [-51.20, -30.00], [-51.20, -30.05], [-51.25, -30.00], [-51.25, -30.05]]]}},
         "geometry", "Self-intersection[-51.225 -30.025]"),
        ({"geometry": square(-51.2, -30.0, -51.1, 95)}, "geometry", "out of range"),
        ({"geometry": square(-53, -31, -51, -29)}, "geometry", "too large"),
        ({"geometry": {"type": "Polygon", "coordinates": [[[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]]}},
         "geometry", "outside the region"),
        ({"geometry": {"type": "Polygon", "coordinates": [[[-179.9, -30], [179.9, -30], [179.9, -29.9999], [-179.9, -29.9999], [-179.9, -30]]]}},
         "geometry", "outside the region"),
        ({"geometry": BLOCK, "status": ["closed"]}, "status", "Unknown contract status: closed"),
        ({"geometry": BLOCK, "plan": [999999]}, "plan", "Unknown plan id: 999999"),
        ({"geometry": BLOCK, "plan": ["abc"]}, "plan", "valid integer"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(dispatcher, grid, body, field, message):
    response = dispatcher.post(URL, body, format="json")
    assert response.status_code == 400, response.data
    assert message in str(response.data[field])
    assert dispatcher.post(EXPORT_URL, body, format="json").status_code == 400


def test_too_many_vertices(dispatcher, db):
    ring = [[-51.2 + i * 1e-6, -30.0 + (i % 2) * 1e-6] for i in range(10_001)]
    response = dispatcher.post(URL, {"geometry": {"type": "Polygon", "coordinates": [ring + [ring[0]]]}}, format="json")
    assert response.status_code == 400 and "Too many vertices: 10002, at most 10000" in str(response.data["geometry"])


@pytest.mark.parametrize(("query", "field"), [("page=0", "page"), ("page=x", "page"), ("page_size=501", "page_size")])
def test_bad_page_parameters(dispatcher, grid, query, field):
    response = dispatcher.post(f"{URL}?{query}", {"geometry": BLOCK}, format="json")
    assert response.status_code == 400 and field in response.data


def test_page_past_the_end_is_a_404(dispatcher, grid):
    assert dispatcher.post(f"{URL}?page=2", {"geometry": BLOCK}, format="json").status_code == 404


def test_csv_export_for_spreadsheets(dispatcher, grid):
    _plan, contracts = grid
    response = dispatcher.post(EXPORT_URL, {"geometry": BLOCK, "status": ["active"]}, format="json")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="selecao-')
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Contract", "Status", "Plan", "Client", "CPF/CNPJ", "Mobile phone", "Address",
                       "CEP", "Longitude", "Latitude"]
    assert len(rows) == 1 + 6
    first = rows[1]
    assert first[:4] == [contracts[0].number, "Active", "Fibra 500", "Cliente 0000"]
    assert first[4] == contracts[0].person.document and first[7] == "90010-000"


def test_csv_speaks_portuguese_by_default(client_for, grid):
    response = client_for("dispatcher").post(EXPORT_URL, {"geometry": BLOCK, "status": ["active"]}, format="json")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert {row[1] for row in rows[1:]} == {"Ativo"}
