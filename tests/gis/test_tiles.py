"""Vector tiles: /tiles/ index and /tiles/<layer>/<z>/<x>/<y>.mvt, decoded with mapbox_vector_tile."""
import datetime
import math
from decimal import Decimal
from pathlib import Path

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Plan
from billing.services import create_contract, update_contract
from core.services import create_object
from crm.people.services import create_address, create_person
from fieldops.services import create_service_order, create_technician
from gis.models import Cable, CoverageArea, CtoBox
from gis.osm_import import import_osm
from gis.tiles import tile_bbox

pytestmark = pytest.mark.django_db

TINY_OSM = Path(__file__).parent / "data" / "tiny.osm"
CENTER = (-51.2200, -30.0330)
CPFS = ["52998224725", "11144477735", "39053344705", "15350946056", "86288366757", "71428793860"]


def tile_of(lon, lat, z):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


Z16 = tile_of(*CENTER, 16)


def spot(fx, fy):
    """A point at fractions (fx from west, fy from north) of the z16 tile around CENTER."""
    west, south, east, north = tile_bbox(*Z16)
    return Point(west + fx * (east - west), north - fy * (north - south), srid=4326)


def url(layer, z, x, y):
    return f"/tiles/{layer}/{z}/{x}/{y}.mvt"


def features(response, layer):
    assert response.status_code in (200, 204), response.content
    if response.status_code == 204:
        return []
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.content)
    return [feature["properties"] for feature in decoded.get(layer, {"features": []})["features"]]


def parent(z, x, y, levels):
    return z - levels, x >> levels, y >> levels


@pytest.fixture(autouse=True)
def fresh_cells(settings):
    settings.MALHA_TILE_CELLS_MAX_STALE = 0


@pytest.fixture
def plans(db):
    return [
        create_object(Plan, name=name, download_mbps=speed, upload_mbps=speed // 2,
                      monthly_price=Decimal(price))
        for name, speed, price in (("Fibra 300", 300, "89.90"), ("Fibra 600", 600, "119.90"))
    ]


@pytest.fixture
def box(db):
    return create_object(CtoBox, code="CTO-T1", ports_total=4, point=spot(0.5, 0.5))


def sign(person, plan, point, status="awaiting_installation", box=None, port=None):
    address = create_address(person=person, cep="90010-000", street="Rua dos Andradas", number="1",
                             neighbourhood="Centro", city="Porto Alegre", state="RS", point=point)
    contract = create_contract(person=person, plan=plan, installation_address=address,
                               cto_box=box, cto_port=port)
    today = timezone.localdate()
    if status in ("active", "suspended"):
        contract = update_contract(contract, status="active", activated_on=today)
    if status == "suspended":
        contract = update_contract(contract, status="suspended", suspended_on=today)
    if status == "cancelled":
        contract = update_contract(contract, status="cancelled", activated_on=today, cancelled_on=today)
    return contract


@pytest.fixture
def clients(plans, box):
    """Five clients in one z16 tile; Ana has two contracts (active + suspended)."""
    people = [create_person(name=name, stage="client", document=cpf)
              for name, cpf in zip(["Ana", "Bruno", "Carla", "Davi", "Eva"], CPFS)]
    ana, bruno, carla, davi, eva = people
    contracts = [
        sign(ana, plans[0], spot(0.2, 0.2), "active", box, 1),
        sign(ana, plans[1], spot(0.25, 0.2), "suspended", box, 2),
        sign(bruno, plans[0], spot(0.4, 0.4), "active", box, 3),
        sign(carla, plans[1], spot(0.6, 0.6), "awaiting_installation"),
        sign(davi, plans[0], spot(0.8, 0.8), "cancelled"),
        sign(eva, plans[1], spot(0.7, 0.3), "active"),
    ]
    return people, contracts


class TestClientsLayer:
    def test_one_point_per_client_with_main_status(self, client_for, clients):
        props = features(client_for("dispatcher").get(url("clients", *Z16)), "clients")
        by_name = {p["name"]: p for p in props}
        assert set(by_name) == {"Ana", "Bruno", "Carla", "Davi", "Eva"}
        # Suspended outranks active: Ana's two contracts show as one suspended client.
        assert by_name["Ana"]["status"] == "suspended" and by_name["Ana"]["contracts"] == 2
        assert by_name["Carla"]["status"] == "awaiting_installation"
        assert by_name["Davi"]["status"] == "cancelled"
        assert by_name["Bruno"]["id"] == clients[0][1].pk

    def test_technician_sees_only_their_orders_clients(self, orders, technicians):
        """Issue 14 #4: client tiles carried every client's name to any technician."""
        client = APIClient()
        client.force_authenticate(technicians[0].user)
        props = features(client.get(url("clients", *Z16)), "clients")
        assert [p["name"] for p in props] == ["Ana"]

    def test_status_and_plan_filters(self, client_for, clients, plans):
        client = client_for("dispatcher")
        active = features(client.get(url("clients", *Z16), {"status": "active"}), "clients")
        assert {p["name"] for p in active} == {"Bruno", "Eva"}
        several = features(client.get(url("clients", *Z16) + "?status=active,cancelled&status=suspended"),
                           "clients")
        assert {p["name"] for p in several} == {"Ana", "Bruno", "Davi", "Eva"}
        on_plan = features(client.get(url("clients", *Z16), {"plan": plans[1].pk}), "clients")
        assert {p["name"] for p in on_plan} == {"Ana", "Carla", "Eva"}  # Ana's main contract

    def test_low_zoom_aggregates_add_up_and_respect_filters(self, client_for, clients, plans):
        client = client_for("dispatcher")
        for levels in (2, 4, 6):  # z14 is detail; z14-2, z14-4, z14-6 are aggregates
            tile = parent(*Z16, 2 + levels)
            cells = features(client.get(url("clients", *tile)), "clients")
            assert cells and all(cell["cluster"] is True for cell in cells)
            assert sum(cell["count"] for cell in cells) == 5
            for cell in cells:
                per_status = sum(cell[s] for s in ("active", "suspended", "awaiting_installation", "cancelled"))
                assert per_status == cell["count"]
            assert sum(cell["suspended"] for cell in cells) == 1
        tile = parent(*Z16, 4)
        filtered = features(client.get(url("clients", *tile), {"status": "active", "plan": plans[0].pk}),
                            "clients")
        assert sum(cell["count"] for cell in filtered) == 1  # Bruno
        assert sum(cell["active"] for cell in filtered) == 1

    def test_aggregates_follow_contract_changes(self, client_for, clients,
                                                django_capture_on_commit_callbacks):
        client = client_for("dispatcher")
        tile = parent(*Z16, 4)
        first = client.get(url("clients", *tile))
        carla_contract = clients[1][3]
        with django_capture_on_commit_callbacks(execute=True):
            update_contract(carla_contract, status="active", activated_on=timezone.localdate())
        second = client.get(url("clients", *tile))
        assert second["ETag"] != first["ETag"]
        assert sum(cell["active"] for cell in features(second, "clients")) == 3
        assert sum(cell["awaiting_installation"] for cell in features(second, "clients")) == 0


    def test_dense_tiles_come_as_aggregates_even_at_detail_zoom(self, client_for, clients, settings):
        settings.MALHA_TILE_MAX_POINTS = 4
        cells = features(client_for("dispatcher").get(url("clients", *Z16)), "clients")
        assert cells and all(cell["cluster"] is True for cell in cells)
        assert sum(cell["count"] for cell in cells) == 5
        settings.MALHA_TILE_MAX_POINTS = 5
        points = features(client_for("dispatcher", "other").get(url("clients", *Z16)), "clients")
        assert len(points) == 5 and not any("cluster" in point for point in points)

    def test_cells_may_lag_until_the_beat_task_refreshes_them(self, client_for, clients, settings,
                                                               django_capture_on_commit_callbacks):
        from gis.tasks import refresh_tile_cells_task

        settings.MALHA_TILE_CELLS_MAX_STALE = 3600
        client = client_for("dispatcher")
        tile = parent(*Z16, 4)
        assert sum(cell["count"] for cell in features(client.get(url("clients", *tile)), "clients")) == 5
        with django_capture_on_commit_callbacks(execute=True):
            sign(create_person(name="Fábio", stage="client", document=CPFS[5]), clients[1][0].plan,
                 spot(0.5, 0.9), "active")
        assert sum(cell["count"] for cell in features(client.get(url("clients", *tile)), "clients")) == 5
        assert refresh_tile_cells_task.apply().get() is True
        assert sum(cell["count"] for cell in features(client.get(url("clients", *tile)), "clients")) == 6

def client_points():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT person_id, contract_id, ST_X(point), ST_Y(point), status, plan_id, contracts, name "
                       "FROM geo_clientpoint ORDER BY person_id")
        return cursor.fetchall()


def expected_client_points():
    """Each person's main contract computed in Python from CLIENT_STATUS_PRECEDENCE."""
    from billing.models import Contract
    from billing.tiles import CLIENT_STATUS_PRECEDENCE

    rank = {str(status): index for index, status in enumerate(CLIENT_STATUS_PRECEDENCE)}
    by_person = {}
    for contract in Contract.objects.select_related("person"):
        by_person.setdefault(contract.person_id, []).append(contract)
    rows = []
    for person_id, contracts in sorted(by_person.items()):
        main = min(contracts, key=lambda contract: (rank[contract.status], contract.pk))
        rows.append((person_id, main.pk, main.point.x, main.point.y, main.status, main.plan_id,
                     len(contracts), main.person.name))
    return rows


class TestClientPoints:
    """geo_clientpoint (one map point per client) follows every kind of write, bulk ones included."""

    def assert_in_sync(self):
        assert client_points() == expected_client_points()

    def test_follows_saves_bulk_updates_moves_renames_and_deletes(self, clients, plans):
        from django.db import connection

        from billing.models import Contract
        from crm.people.models import Person

        people, contracts = clients
        ana, bruno, carla, davi, eva = people
        self.assert_in_sync()
        Contract.objects.filter(pk=contracts[1].pk).update(status="cancelled", cancelled_on=timezone.localdate())
        self.assert_in_sync()  # Ana's active contract is now her main one
        Contract.objects.filter(person=bruno).update(plan=plans[1], point=spot(0.45, 0.45))
        Contract.objects.filter(pk=contracts[5].pk).update(person=davi)  # Eva's contract moves to Davi
        self.assert_in_sync()
        assert eva.pk not in {row[0] for row in client_points()}
        Person.objects.filter(pk=carla.pk).update(name="Carla Souza")
        self.assert_in_sync()
        with connection.cursor() as cursor:  # raw SQL too (the ORM's delete only adds collectors)
            cursor.execute("DELETE FROM billing_contract WHERE person_id = %s", [ana.pk])
        self.assert_in_sync()
        assert ana.pk not in {row[0] for row in client_points()}

    def test_sql_rank_follows_the_status_precedence(self, db):
        from django.db import connection

        from billing.tiles import CLIENT_STATUS_PRECEDENCE

        with connection.cursor() as cursor:
            cursor.execute("SELECT geo_client_status_rank(s) FROM unnest(%s::text[]) s",
                           [[str(status) for status in CLIENT_STATUS_PRECEDENCE]])
            assert [row[0] for row in cursor.fetchall()] == list(range(1, len(CLIENT_STATUS_PRECEDENCE) + 1))


class TestContractsLayer:
    def test_one_point_per_contract_with_plan_and_client(self, client_for, clients, plans):
        props = features(client_for("sales").get(url("contracts", *Z16)), "contracts")
        assert len(props) == 6
        ana_suspended = next(p for p in props if p["client"] == "Ana" and p["status"] == "suspended")
        assert ana_suspended["plan_id"] == plans[1].pk and ana_suspended["plan"] == "Fibra 600"
        assert ana_suspended["number"] == clients[1][1].number

    def test_aggregates_count_contracts(self, client_for, clients, plans):
        cells = features(client_for("dispatcher").get(url("contracts", *parent(*Z16, 5)),
                                                      {"plan": plans[0].pk}), "contracts")
        assert sum(cell["count"] for cell in cells) == 3
        assert sum(cell["active"] for cell in cells) == 2 and sum(cell["cancelled"] for cell in cells) == 1

    def test_technician_may_not_see_contracts(self, english_client_for, clients):
        response = english_client_for("technician").get(url("contracts", *Z16))
        assert response.status_code == 403
        assert "permission" in response.json()["detail"]


@pytest.fixture
def technicians(make_user):
    def make(username):
        return create_technician(
            user=make_user(username, "technician", first_name=username.title()),
            shift_start=datetime.time(8), shift_end=datetime.time(17),
            start_point=spot(0.1, 0.9), end_point=spot(0.1, 0.9),
        )

    return make("joana"), make("pedro")


@pytest.fixture
def orders(clients, technicians):
    ana = clients[0][0]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(9)))

    def order(fx, assignee, order_type="repair", days=0, priority=2):
        begin = start + datetime.timedelta(days=days)
        return create_service_order(order_type=order_type, person=ana, point=spot(fx, 0.5),
                                    window_start=begin, window_end=begin + datetime.timedelta(hours=4),
                                    assignee=assignee, priority=priority)

    joana, pedro = technicians
    return [order(0.2, joana), order(0.4, pedro, "installation", priority=4),
            order(0.6, None, days=2), order(0.8, joana, "visit", days=1)], tomorrow


class TestOrdersLayer:
    def test_properties(self, client_for, orders):
        props = features(client_for("dispatcher").get(url("orders", *Z16)), "orders")
        assert len(props) == 4
        first = next(p for p in props if p["number"] == orders[0][0].number)
        assert first["type"] == "repair" and first["status"] == "open" and first["priority"] == 2
        assert first["assignee"] == "Joana"
        assert first["window_start"] == orders[0][0].window_start.astimezone(datetime.UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        unassigned = next(p for p in props if p["number"] == orders[0][2].number)
        assert "assignee" not in unassigned  # MVT leaves null properties out

    def test_technician_sees_only_own_orders(self, orders):
        joana_client = APIClient()
        joana_client.force_authenticate(orders[0][0].assignee.user)
        props = features(joana_client.get(url("orders", *Z16)), "orders")
        assert {p["number"] for p in props} == {orders[0][0].number, orders[0][3].number}
        cells = features(joana_client.get(url("orders", *parent(*Z16, 8))), "orders")
        assert sum(cell["count"] for cell in cells) == 2

    def test_filters(self, client_for, orders):
        client = client_for("dispatcher")
        made, tomorrow = orders

        def numbers(**query):
            return {p["number"] for p in features(client.get(url("orders", *Z16), query), "orders")}

        assert numbers(type="installation,visit") == {made[1].number, made[3].number}
        assert numbers(priority="4") == {made[1].number}
        assert numbers(date=tomorrow.isoformat()) == {made[0].number, made[1].number}
        assert numbers(date=(tomorrow + datetime.timedelta(days=2)).isoformat()) == {made[2].number}
        assert numbers(status="completed") == set()

    def test_aggregates_by_status(self, client_for, orders):
        cells = features(client_for("dispatcher").get(url("orders", *parent(*Z16, 8))), "orders")
        assert sum(cell["count"] for cell in cells) == 4 and sum(cell["open"] for cell in cells) == 4


class TestPlantLayers:
    def test_boxes_with_derived_occupancy_and_free_filter(self, client_for, clients, box):
        client = client_for("dispatcher")
        (props,) = features(client.get(url("boxes", *Z16)), "boxes")
        assert props == {"id": box.pk, "code": "CTO-T1", "kind": "cto", "ports_total": 4,
                         "ports_used": 3, "ports_free": 1}
        assert len(features(client.get(url("boxes", *Z16), {"free": "true"}), "boxes")) == 1
        assert features(client.get(url("boxes", *Z16), {"free": "false"}), "boxes") == []

    def test_cables_coverage_and_technicians(self, client_for, technicians):
        create_object(Cable, code="CB-1", kind="drop", fiber_count=2,
                      path=LineString(spot(0.1, 0.1).coords, spot(0.9, 0.9).coords, srid=4326))
        create_object(CoverageArea, name="Centro", area=MultiPolygon(
            Polygon.from_bbox((*spot(0.1, 0.9).coords, *spot(0.9, 0.1).coords)), srid=4326))
        client = client_for("dispatcher")
        (cable,) = features(client.get(url("cables", *Z16)), "cables")
        assert cable["code"] == "CB-1" and cable["fiber_count"] == 2 and cable["kind"] == "drop"
        (area,) = features(client.get(url("coverage", *Z16)), "coverage")
        assert area["name"] == "Centro" and area["active"] is True
        people = features(client.get(url("technicians", *Z16)), "technicians")
        assert {p["name"] for p in people} == {"Joana", "Pedro"}
        joana = APIClient()
        joana.force_authenticate(technicians[0].user)
        assert [p["name"] for p in features(joana.get(url("technicians", *Z16)), "technicians")] == ["Joana"]


class TestStreetsLayer:
    def test_streets_by_zoom_with_names(self, client_for):
        import_osm(TINY_OSM)
        client = client_for("technician")
        z, x, y = tile_of(-51.1985, -29.9995, 15)
        streets = features(client.get(url("streets", z, x, y)), "streets")
        assert {"name", "highway"} <= set(streets[0])
        assert "Rua A" in {s.get("name") for s in streets}
        # One feature per way: two-way streets are not drawn twice.
        assert len([s for s in streets if s.get("name") == "Rua A"]) == 1
        # Residential streets are left out at low zoom.
        low = features(client.get(url("streets", *parent(z, x, y, 6))), "streets")
        assert all(s["highway"] in ("motorway", "trunk", "primary") for s in low)
        assert client.get(url("streets", z, x, y))["Cache-Control"] == "private, max-age=86400"


class TestCaching:
    def test_etag_and_not_modified(self, client_for, clients, django_capture_on_commit_callbacks):
        client = client_for("dispatcher")
        first = client.get(url("clients", *Z16))
        # Data layers revalidate every time: an edit shows on the next load, at the cost of a 304.
        assert first.status_code == 200 and first["Cache-Control"] == "private, no-cache"
        again = client.get(url("clients", *Z16), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""
        filtered = client.get(url("clients", *Z16), {"status": "active"})
        assert filtered["ETag"] != first["ETag"]
        with django_capture_on_commit_callbacks(execute=True):
            update_contract(clients[1][2], status="suspended", suspended_on=timezone.localdate())
        changed = client.get(url("clients", *Z16), HTTP_IF_NONE_MATCH=first["ETag"])
        assert changed.status_code == 200
        assert {p["name"]: p["status"] for p in features(changed, "clients")}["Bruno"] == "suspended"

    def test_empty_tile_is_204(self, client_for, clients):
        response = client_for("dispatcher").get(url("clients", *tile_of(10.0, 50.0, 16)))
        assert response.status_code == 204 and response["ETag"]


class TestIndex:
    def test_layers_filters_and_basemap(self, english_client_for, plans, settings):
        settings.MALHA_BASEMAP_STYLE_URL = ""
        index = english_client_for("dispatcher").get("/tiles/").json()
        layers = {layer["name"]: layer for layer in index["layers"]}
        assert set(layers) == {"streets", "clients", "contracts", "orders", "boxes", "cables",
                               "coverage", "technicians"}
        clients = layers["clients"]
        assert clients["url"] == "/tiles/clients/{z}/{x}/{y}.mvt"
        assert clients["geometry"] == "point" and clients["aggregate_below_zoom"] == 14
        filters = {f["name"]: f for f in clients["filters"]}
        assert {"value": "suspended", "label": "Suspended"} in filters["status"]["values"]
        assert {"value": plans[0].pk, "label": "Fibra 300"} in filters["plan"]["values"]
        assert "suspended" in clients["cluster_properties"]
        assert layers["streets"]["aggregate_below_zoom"] is None
        assert index["basemap_style_url"] == ""
        assert index["attribution"] == "© OpenStreetMap contributors"

    def test_only_permitted_layers(self, client_for):
        names = {layer["name"] for layer in client_for("technician").get("/tiles/").json()["layers"]}
        assert "contracts" not in names and {"orders", "streets", "boxes"} <= names


class TestBadInput:
    @pytest.mark.parametrize("path, field", [
        ("/tiles/clients/23/0/0.mvt", "z"),
        ("/tiles/clients/a/0/0.mvt", "z"),
        ("/tiles/clients/-1/0/0.mvt", "z"),
        ("/tiles/clients/2/4/0.mvt", "x"),
        ("/tiles/clients/2/-1/0.mvt", "x"),
        ("/tiles/clients/2/0/4.mvt", "y"),
        ("/tiles/clients/2/0/1.5.mvt", "y"),
        ("/tiles/clients/14/0/0.mvt?status=paid", "status"),
        ("/tiles/clients/14/0/0.mvt?status=", "status"),
        ("/tiles/clients/14/0/0.mvt?plan=abc", "plan"),
        ("/tiles/clients/14/0/0.mvt?plan=999999", "plan"),
        ("/tiles/clients/14/0/0.mvt?plan=%C2%B2", "plan"),  # audit: "²" passed str.isdigit()
        ("/tiles/contracts/14/0/0.mvt?plan=99999999999999999999", "plan"),
        ("/tiles/clients/14/0/0.mvt?colour=red", "colour"),
        ("/tiles/orders/14/0/0.mvt?date=2024-13-01", "date"),
        ("/tiles/orders/14/0/0.mvt?date=2024-01-01&date=2024-01-02", "date"),
        ("/tiles/orders/14/0/0.mvt?priority=9", "priority"),
        ("/tiles/orders/14/0/0.mvt?plan=1", "plan"),
        ("/tiles/boxes/14/0/0.mvt?free=maybe", "free"),
        ("/tiles/streets/14/0/0.mvt?status=active", "status"),
    ])
    def test_400_names_the_field(self, english_client_for, path, field):
        response = english_client_for("admin").get(path)
        assert response.status_code == 400, response.content
        assert response["Content-Type"].startswith("application/json")
        assert list(response.json()) == [field] and response.json()[field][0]

    def test_unknown_layer_is_404_json(self, english_client_for):
        response = english_client_for("admin").get("/tiles/parcels/1/0/0.mvt")
        assert response.status_code == 404
        assert "Unknown tile layer" in response.json()["detail"]

    def test_unauthenticated_gets_json_not_a_login_redirect(self, db):
        for path in ("/tiles/", "/tiles/streets/1/0/0.mvt"):
            response = APIClient().get(path)
            assert response.status_code in (401, 403)
            assert "detail" in response.json()

    def test_token_authentication(self, make_user):
        from core.tokens import issue_token

        _instance, token = issue_token(make_user("disp", "dispatcher"))
        response = APIClient().get("/tiles/", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200
