import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_portuguese_and_rejects_a_wrong_password(page, make_user, screenshot):
    make_user("despachante", "dispatcher")
    page.goto("/")
    assert page.url.endswith("/login/?next=/")
    assert page.locator("h1").inner_text() == "Entrar no Malha"
    page.fill("#id_username", "despachante")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "Usuário ou senha incorretos" in page.locator("[role=alert]").inner_text()
    screenshot("login-error")


def test_a_dispatcher_logs_in_and_sees_the_overview(page, make_user, login, screenshot):
    make_user("despachante", "dispatcher", first_name="Ana", last_name="Souza")
    login("despachante")
    page.wait_for_url("**/")
    assert page.locator(".who").inner_text() == "Ana Souza"
    screenshot("overview-empty")


def test_the_overview_map_draws_the_boxes_and_the_osm_credit_with_no_coverage_yet(page, make_user, login, screenshot):
    from django.contrib.gis.geos import Point

    from gis.models import CtoBox

    CtoBox.objects.create(code="CTO-1", ports_total=8, point=Point(-51.22, -30.033, srid=4326))
    make_user("despachante", "dispatcher")
    login("despachante")
    page.wait_for_url("**/")
    frame = page.frame_locator("iframe.overview-map")
    attribution = frame.locator(".leaflet-control-attribution")
    attribution.wait_for()
    assert "OpenStreetMap" in attribution.inner_text()
    # The boxes are drawn on a canvas: count them among the Leaflet map's layers.
    boxes = page.frame(url=lambda url: url.endswith("/overview/map/")).evaluate(
        """() => {
            const map = Object.values(window).find((value) => value instanceof L.Map);
            let boxes = 0;
            map.eachLayer((layer) => { if (layer instanceof L.CircleMarker) boxes += 1; });
            return boxes;
        }"""
    )
    assert boxes == 1
    screenshot("overview-map")
