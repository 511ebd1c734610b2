"""Editing the network plant on the map: boxes, cables and coverage areas, for those allowed to."""
import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from core.services import create_object
from gis.models import Cable, CoverageArea, CtoBox

from .test_map import CENTER, click_at, jump_to, little_city, rendered  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_map(page, make_user, login, little_city):  # noqa: F811
    """The map page open for an administrator, at street level around the little city."""
    make_user("chefe", "admin")
    login("chefe")
    page.wait_for_url("**/")
    page.set_default_timeout(15000)
    page.goto("/map/")
    page.wait_for_selector("#map[data-ready]")
    jump_to(page, *CENTER, 17)
    page.click("#plant-edit-toggle")
    return page


def wait_until_rendered(page, layer_id, key, value):
    page.wait_for_function(
        """([id, key, value]) => malhaMap.queryRenderedFeatures({layers: [id]})
                                  .some((f) => f.properties[key] === value)""",
        arg=[layer_id, key, value],
    )


def drag(page, start, end):
    box = page.locator("#map canvas").bounding_box()
    pixels = [page.evaluate("(p) => malhaMap.project(p)", list(point)) for point in (start, end)]
    (x0, y0), (x1, y1) = [(box["x"] + p["x"], box["y"] + p["y"]) for p in pixels]
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x0 + (x1 - x0) * step / 5, y0 + (y1 - y0) * step / 5)
    page.mouse.up()


def test_an_admin_adds_a_box_by_clicking_the_map_and_moves_it(admin_map, screenshot):
    page = admin_map
    page.click("[data-plant-add=boxes]")
    click_at(page, -51.2180, -30.0325)
    form = page.locator("form[data-plant-form=boxes]")
    form.wait_for()
    # The click placed the box: no popup opened for whatever lies under it.
    assert page.locator(".maplibregl-popup").count() == 0

    # A code already taken: the server's message shows beside the field, the typing stays.
    form.locator("[name=code]").fill("CTO-CENTRO-01")
    form.locator("[name=ports_total]").fill("24")
    form.locator("[name=kind]").select_option("splitter")
    form.locator("button[type=submit]").click()
    code_error = form.locator(".field-error[data-error-for=code]")
    code_error.wait_for()
    assert code_error.inner_text()
    assert form.locator("[name=code]").get_attribute("aria-invalid") == "true"
    assert form.locator("[name=ports_total]").input_value() == "24"
    assert form.locator("[name=kind]").input_value() == "splitter"
    screenshot("plant-edit-box-refused")

    form.locator("[name=code]").fill("CTO-NOVA-01")
    form.locator("button[type=submit]").click()
    form.wait_for(state="detached")
    wait_until_rendered(page, "boxes-points", "code", "CTO-NOVA-01")
    box = CtoBox.objects.get(code="CTO-NOVA-01")
    assert (box.kind, box.ports_total) == ("splitter", 24)
    assert (box.point.x, box.point.y) == pytest.approx((-51.2180, -30.0325), abs=2e-5)
    new_box = next(b for b in rendered(page, "boxes-points") if b["code"] == "CTO-NOVA-01")
    assert (new_box["ports_total"], new_box["ports_free"]) == (24, 24)
    screenshot("plant-edit-box-added")

    # Dragged a little east, the box is moved on the server and redrawn there.
    drag(page, (-51.2180, -30.0325), (-51.2175, -30.0325))
    page.wait_for_function(
        """() => malhaMap.queryRenderedFeatures({layers: ['boxes-points']})
                 .some((f) => f.properties.code === 'CTO-NOVA-01'
                             && Math.abs(f.geometry.coordinates[0] + 51.2175) < 2e-5)"""
    )
    box.refresh_from_db()
    assert box.point.x == pytest.approx(-51.2175, abs=2e-5)
    screenshot("plant-edit-box-moved")

    # Deleted from its popup (a second click confirms), it leaves the map.
    click_at(page, -51.2175, -30.0325)
    delete = page.locator(".maplibregl-popup [data-plant-delete=boxes]")
    delete.click()
    delete.click()
    page.wait_for_function(
        """() => !malhaMap.queryRenderedFeatures({layers: ['boxes-points']})
                   .some((f) => f.properties.code === 'CTO-NOVA-01')"""
    )
    assert not CtoBox.objects.filter(code="CTO-NOVA-01").exists()


@pytest.fixture
def coverage_area(little_city):  # noqa: F811
    west, east, south, north = -51.2240, -51.2150, -30.0360, -30.0300
    ring = [(west, south), (east, south), (east, north), (west, north), (west, south)]
    return create_object(CoverageArea, name="Centro", area=MultiPolygon(Polygon(ring), srid=4326))


def test_an_admin_draws_a_cable_and_edits_a_coverage_area(coverage_area, admin_map, screenshot):
    page = admin_map
    page.click("[data-plant-add=cables]")
    points = [(-51.2225, -30.0340), (-51.2200, -30.0340), (-51.2180, -30.0345)]
    for point in [*points, points[-1]]:  # the last point again finishes the line
        click_at(page, *point)
        page.wait_for_timeout(150)
    form = page.locator("form[data-plant-form=cables]")
    form.wait_for()
    # Without a code the server refuses; the fibre count typed stays.
    form.locator("[name=fiber_count]").fill("24")
    form.locator("button[type=submit]").click()
    form.locator(".field-error[data-error-for=code]").wait_for()
    assert form.locator("[name=fiber_count]").input_value() == "24"
    screenshot("plant-edit-cable-refused")
    form.locator("[name=code]").fill("CB-CENTRO-01")
    form.locator("button[type=submit]").click()
    form.wait_for(state="detached")
    wait_until_rendered(page, "cables-lines", "code", "CB-CENTRO-01")
    cable = Cable.objects.get(code="CB-CENTRO-01")
    assert (cable.fiber_count, len(cable.path)) == (24, 3)
    assert 400 < cable.length_m < 500  # measured by the server on the spheroid

    # The coverage area's popup leads to its form; the new name is drawn at once.
    click_at(page, -51.2190, -30.0318)
    popup = page.locator(".maplibregl-popup [data-popup-layer=coverage]")
    popup.wait_for()
    screenshot("plant-edit-coverage-popup")
    popup.locator("[data-plant-edit=coverage]").click()
    form = page.locator("form[data-plant-form=coverage]")
    form.wait_for()
    assert form.locator("[name=name]").input_value() == "Centro"
    form.locator("[name=name]").fill("Centro Histórico")
    form.locator("[name=active]").uncheck()
    screenshot("plant-edit-coverage-form")
    form.locator("button[type=submit]").click()
    form.wait_for(state="detached")
    wait_until_rendered(page, "coverage-fill", "name", "Centro Histórico")
    coverage_area.refresh_from_db()
    assert (coverage_area.name, coverage_area.active) == ("Centro Histórico", False)
    # The shape went back unchanged (rounded to a centimetre).
    assert coverage_area.area.area == pytest.approx(0.0090 * 0.0060, rel=1e-4)


def test_a_dispatcher_sees_no_edit_mode(page, make_user, login, little_city):  # noqa: F811
    make_user("despachante", "dispatcher")
    login("despachante")
    page.wait_for_url("**/")
    page.set_default_timeout(15000)
    page.goto("/map/")
    page.wait_for_selector("#map[data-ready]")
    assert page.locator("#plant-edit").count() == 0
    jump_to(page, *CENTER, 17)
    click_at(page, -51.2195, -30.0327)
    popup = page.locator(".maplibregl-popup [data-popup-layer=boxes]")
    popup.wait_for()
    assert popup.locator("button").count() == 0
