"""The dispatcher's map in headless Chromium: MapLibre draws our vector tiles (WebGL)."""
import datetime
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, Point
from django.utils import timezone

from billing.models import Plan
from billing.services import create_contract, update_contract
from core.services import create_object
from crm.people.services import create_address, create_person
from fieldops.services import create_service_order
from gis.models import CtoBox, RoadEdge, RoadNode
from gis.tiles import refresh_tile_cells

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CENTER = (-51.2200, -30.0330)
# Valid CPFs for the four test clients.
CPFS = ["529.982.247-25", "111.444.777-35", "390.533.447-05", "123.456.789-09"]
STATUSES = ["active", "active", "suspended", "awaiting_installation"]
# The dates each status requires come with it.
STATUS_DATES = {"active": ["activated_on"], "suspended": ["activated_on", "suspended_on"], "awaiting_installation": []}


@pytest.fixture
def little_city(db):
    """A street, four clients on it with contracts of different statuses on two plans, a box, an order."""
    west, east = RoadNode.objects.create(osm_id=1, point=Point(-51.2230, -30.0330)), RoadNode.objects.create(
        osm_id=2, point=Point(-51.2170, -30.0330)
    )
    RoadEdge.objects.create(
        source=west, target=east, osm_way_id=10, name="Rua dos Andradas", highway="residential",
        length_m=580, speed_kmh=30, travel_time_s=70, geom=LineString(west.point, east.point, srid=4326),
    )
    plans = [
        create_object(Plan, name=name, download_mbps=speed, upload_mbps=speed // 2, monthly_price=Decimal(price))
        for name, speed, price in [("Fibra 300", 300, "79.90"), ("Fibra 600", 600, "109.90")]
    ]
    box = create_object(CtoBox, code="CTO-CENTRO-01", ports_total=8, point=Point(-51.2195, -30.0327, srid=4326))
    names = ["Ana Souza", "Bruno Lima", "Carla Dias", "Davi Rocha"]
    people = []
    for index, (name, cpf, status) in enumerate(zip(names, CPFS, STATUSES)):
        person = create_person(name=name, stage="client", document=cpf)
        point = Point(CENTER[0] - 0.0012 + index * 0.0008, CENTER[1] + 0.0002, srid=4326)
        address = create_address(
            person=person, cep="90010-000", street="Rua dos Andradas", number=str(100 + index * 20),
            neighbourhood="Centro Histórico", city="Porto Alegre", state="RS", point=point,
        )
        contract = create_contract(person=person, plan=plans[index % 2], installation_address=address,
                                   cto_box=box, cto_port=index + 1)
        update_contract(contract, status=status, **dict.fromkeys(STATUS_DATES[status], timezone.localdate()))
        people.append(person)
    start = timezone.now() + datetime.timedelta(hours=2)
    create_service_order(order_type="repair", person=people[0], point=Point(-51.2205, -30.0335, srid=4326),
                         window_start=start, window_end=start + datetime.timedelta(hours=4))
    # The aggregate cells of low zooms, built as the beat task does in production.
    refresh_tile_cells()
    return {"plans": plans, "box": box, "people": people}


@pytest.fixture
def map_page(page, make_user, login, little_city):
    """The map page open and drawn for a dispatcher."""
    make_user("despachante", "dispatcher")
    login("despachante")
    page.wait_for_url("**/")
    page.set_default_timeout(15000)
    page.goto("/map/")
    page.wait_for_selector("#map[data-ready]")
    return page


def wait_for_idle(page):
    """Until the map has its tiles and stands still (wait_for_function: it times out, unlike an event)."""
    page.wait_for_function("() => malhaMap.loaded() && !malhaMap.isMoving()")


def wait_for_features(page, layer_id, count):
    page.wait_for_function(
        "([id, count]) => malhaMap.queryRenderedFeatures({layers: [id]}).length === count", arg=[layer_id, count]
    )


def jump_to(page, lon, lat, zoom):
    page.evaluate("([lon, lat, zoom]) => malhaMap.jumpTo({center: [lon, lat], zoom})", [lon, lat, zoom])
    wait_for_idle(page)


def rendered(page, layer_id):
    return page.evaluate("(id) => malhaMap.queryRenderedFeatures({layers: [id]}).map((f) => f.properties)", layer_id)


def click_at(page, lon, lat):
    """A click on the map canvas at a geographic point."""
    box = page.locator("#map canvas").bounding_box()
    pixel = page.evaluate("([lon, lat]) => malhaMap.project([lon, lat])", [lon, lat])
    page.mouse.move(box["x"] + pixel["x"], box["y"] + pixel["y"])
    page.mouse.click(box["x"] + pixel["x"], box["y"] + pixel["y"])


def test_the_dispatcher_sees_the_layers_and_switches_them(map_page, screenshot):
    page = map_page
    layers = page.locator("#map-layers input[data-layer]")
    names = [layers.nth(i).get_attribute("data-layer") for i in range(layers.count())]
    assert {"clients", "contracts", "orders", "boxes", "cables", "coverage", "technicians"} <= set(names)
    assert "© OpenStreetMap contributors" in page.locator(".maplibregl-ctrl-attrib").inner_text()

    # At the starting zoom the clients come aggregated, with a count.
    clusters = rendered(page, "clients-clusters")
    assert sum(cluster["count"] for cluster in clusters) == 4
    screenshot("map-dispatcher-city")

    jump_to(page, *CENTER, 17)
    clients = rendered(page, "clients-points")
    assert sorted(client["status"] for client in clients) == sorted(STATUSES)
    assert [box["code"] for box in rendered(page, "boxes-points")] == ["CTO-CENTRO-01"]
    assert len(rendered(page, "orders-points")) == 1
    assert "Rua dos Andradas" in [street["name"] for street in rendered(page, "streets-names")]
    screenshot("map-dispatcher-street")

    page.locator("input[data-layer=clients]").uncheck()
    assert page.evaluate("() => malhaMap.getLayoutProperty('clients-points', 'visibility')") == "none"
    wait_for_features(page, "clients-points", 0)
    page.locator("input[data-layer=contracts]").check()
    assert page.evaluate("() => malhaMap.getLayoutProperty('contracts-points', 'visibility')") == "visible"
    wait_for_features(page, "contracts-points", 4)

    # Filter the contracts to the suspended ones: the server sends only those.
    status_filter = page.locator("[data-filter='contracts.status']")
    for status in ("active", "awaiting_installation", "cancelled"):
        status_filter.locator(f"input[value={status}]").uncheck()
    wait_for_features(page, "contracts-points", 1)
    assert rendered(page, "contracts-points")[0]["status"] == "suspended"
    screenshot("map-dispatcher-filtered")


def test_a_click_on_a_box_opens_its_popup_with_a_link(map_page, little_city, screenshot):
    page = map_page
    jump_to(page, *CENTER, 17)
    click_at(page, -51.2195, -30.0327)
    popup = page.locator(".maplibregl-popup [data-popup-layer=boxes]")
    popup.wait_for()
    assert "CTO-CENTRO-01" in popup.inner_text()
    assert popup.locator("a").get_attribute("href") == f"/api/gis/cto-boxes/{little_city['box'].pk}/"
    assert "CTO-CENTRO-01" in page.locator("#map-details-body").inner_text()
    screenshot("map-box-popup")


def test_search_finds_a_client_and_flies_there(map_page, little_city, screenshot):
    page = map_page
    page.fill("#map-search-input", "Carla")
    result = page.locator("#map-search-results button", has_text="Carla Dias").first
    result.wait_for()
    result.click()
    # Once there, the popup holds the client's own facts from the map: her contract is suspended.
    popup = page.locator(".maplibregl-popup [data-popup-layer=clients]")
    popup.wait_for()
    assert "Carla Dias" in popup.inner_text()
    assert popup.locator("dd").first.inner_text() == "Suspenso"
    center = page.evaluate("() => malhaMap.getCenter().toArray()")
    assert center == pytest.approx([CENTER[0] + 0.0004, CENTER[1] + 0.0002], abs=1e-4)
    screenshot("map-search")


def test_a_link_with_a_query_opens_the_map_at_its_only_result(map_page, little_city):
    page = map_page
    page.goto("/map/?q=Carla")
    popup = page.locator(".maplibregl-popup [data-popup-layer=clients]")
    popup.wait_for()
    assert "Carla Dias" in popup.inner_text()
    assert page.input_value("#map-search-input") == "Carla"
    assert popup.locator("a.popup-finance").count() == 0  # dispatchers do not read invoices


def test_a_link_to_a_lead_without_a_location_shows_its_facts_without_an_error(map_page, little_city):
    """Audit: /map/?q=<lead name> threw a TypeError, the only result having no point."""
    create_person(name="Helena Prospect", stage="lead")
    errors = []
    map_page.on("pageerror", lambda error: errors.append(error))
    map_page.goto("/map/?q=Helena")
    details = map_page.locator("#map-details-body")
    details.get_by_text("Helena Prospect").wait_for()
    assert "Fora do mapa" in details.inner_text() and errors == []


def test_a_billing_clerk_goes_from_a_client_on_the_map_to_their_financial_panel(page, make_user, login, little_city):
    make_user("financeiro", "billing")
    login("financeiro")
    page.wait_for_url("**/")
    page.goto("/map/?q=Carla")
    link = page.locator(".maplibregl-popup [data-popup-layer=clients] a.popup-finance")
    link.wait_for()
    link.click()
    page.wait_for_url(f"**/clients/{little_city['people'][2].pk}/finance/")
    assert "Carla Dias" in page.content()


def draw_polygon(page, corners):
    """Click each corner, then the first again to close the ring."""
    page.click("#selection-draw")
    for lon, lat in [*corners, corners[0]]:
        click_at(page, lon, lat)
        page.wait_for_timeout(150)


def test_a_drawn_polygon_counts_the_contracts_inside_by_status_and_plan(map_page, little_city, screenshot):
    page = map_page
    jump_to(page, *CENTER, 16)
    # Around the three western clients; the fourth (awaiting installation) is left outside.
    # The ring starts and ends on the order: the closing click must not open its popup.
    order = (-51.2205, -30.0335)
    draw_polygon(page, [order, (-51.2192, -30.0336), (-51.2192, -30.0322), (-51.2216, -30.0322), (-51.2216, -30.0336)])
    page.locator("#selection-result").wait_for()
    assert page.locator(".maplibregl-popup").count() == 0
    by_status = {
        row.get_attribute("data-key"): row.locator("td").last.inner_text()
        for row in page.locator("#selection-by-status tr").all()
    }
    assert by_status == {"active": "2", "suspended": "1"}
    by_plan = {row.get_attribute("data-key"): row.locator("td").last.inner_text()
               for row in page.locator("#selection-by-plan tr").all()}
    plans = little_city["plans"]
    assert by_plan == {str(plans[0].pk): "2", str(plans[1].pk): "1"}
    assert page.locator("#selection-list li").count() == 3
    assert page.locator("#selection-export").is_enabled()
    screenshot("map-selection")

    with page.expect_download() as download:
        page.click("#selection-export")
    assert "Ana Souza" in open(download.value.path(), encoding="utf-8-sig").read()


def test_the_servers_reason_shows_when_a_selection_is_refused(map_page, settings):
    settings.MALHA_SELECTION_MAX_AREA_KM2 = 0.01
    page = map_page
    jump_to(page, *CENTER, 14)
    draw_polygon(page, [(-51.2300, -30.0400), (-51.2100, -30.0400), (-51.2100, -30.0250), (-51.2300, -30.0250)])
    error = page.locator("#selection-error")
    error.wait_for()
    assert "0.01 km²" in error.inner_text()
    assert page.locator("#selection-result").is_hidden()


def test_a_billing_clerk_gets_only_the_layers_of_their_role(page, make_user, login):
    make_user("financeiro", "billing")
    login("financeiro")
    page.wait_for_url("**/")
    page.click("nav.mainnav a[href='/map/']")
    page.wait_for_selector("#map[data-ready]", timeout=20000)
    layers = page.locator("#map-layers input[data-layer]")
    names = {layers.nth(i).get_attribute("data-layer") for i in range(layers.count())}
    assert "contracts" in names
    assert not names & {"boxes", "cables", "technicians"}


def test_the_map_needs_a_login(page):
    page.goto("/map/")
    assert "/login/?next=/map/" in page.url
