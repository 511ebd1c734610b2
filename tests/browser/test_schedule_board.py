"""Scheduling mode of the dispatcher map in headless Chromium: pick orders on the map, place
them on the day board, see a conflict, fix it, save; run the optimiser and accept its plan."""
import datetime
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import global_settings
from django.contrib.gis.geos import Point
from django.utils import timezone

from crm.people.services import create_person
from fieldops.choices import OrderStatus
from fieldops.models import ServiceOrder, Skill
from fieldops.services import create_service_order, create_technician
from gis.osm_import import import_osm
from routing.models import RoutePlan
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_map import click_at, jump_to, wait_for_features, wait_for_idle
from tests.gis.test_import_osm import TINY_OSM
from tests.integration.conftest import celery_worker  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = (-51.2000, -30.0000)
# Four clients along the small street grid of tiny.osm.
STOPS = [(-51.1985, -30.0000), (-51.1980, -29.9993), (-51.1970, -29.9990), (-51.1990, -30.0004)]
MIDDLE = (-51.1983, -29.9995)


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def at(hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(tomorrow(), datetime.time(hour, minute)))


@pytest.fixture
def street_day(make_user):
    """Two technicians at the same base, four repairs for tomorrow on the street grid."""
    import_osm(TINY_OSM)
    splicing = Skill.objects.create(code="splicing", name="Fibre splicing")
    technicians = [
        create_technician(
            user=make_user(name, "technician", first_name=name.title()), skills=skills,
            shift_start=datetime.time(8), shift_end=datetime.time(17),
            start_point=Point(*BASE, srid=4326), end_point=Point(*BASE, srid=4326),
        )
        for name, skills in (("ana", [splicing]), ("bia", []))
    ]
    person = create_person(name="Carla Dias", stage="client", document="390.533.447-05")
    orders = [
        create_service_order(
            order_type="repair", person=person, point=Point(*point, srid=4326), window_start=at(8),
            window_end=at(17), estimated_minutes=60,
        )
        for point in STOPS
    ]
    return technicians, orders


@pytest.fixture
def board_page(page, make_user, login, street_day):
    """The map in scheduling mode on tomorrow's board, zoomed in on the orders."""
    make_user("despachante", "dispatcher")
    login("despachante")
    page.wait_for_url("**/")
    page.set_default_timeout(20000)
    page.goto("/map/")
    page.wait_for_selector("#map[data-ready]")
    page.click("#schedule-toggle")
    page.locator("#schedule-date").fill(tomorrow().isoformat())
    page.locator("#schedule-date").dispatch_event("change")
    page.wait_for_function("() => document.querySelectorAll('[data-technician-row]').length === 2")
    jump_to(page, *MIDDLE, 17)
    wait_for_features(page, "orders-points", 4)
    return page


def timeline(page, technician):
    return page.locator(f".board-timeline[data-technician='{technician.pk}']")


def wait_for_check(page):
    page.wait_for_function("() => !document.querySelector('#schedule-board').dataset.checking")


def drop_at(page, card, row, hour, minute=0):
    """Drag a board card onto a technician's row at a time of day (HTML5 drag and drop)."""
    box = row.bounding_box()
    first, last = page.evaluate("() => ['from', 'to'].map((k) => Number(document.querySelector('#board-grid').dataset[k]))")
    share = (hour * 60 + minute + 5 - first) / (last - first)  # 5 minutes in: the drop snaps to the quarter
    card.drag_to(row, target_position={"x": box["width"] * share, "y": box["height"] / 2})


def test_the_dispatcher_picks_places_fixes_a_conflict_and_saves(board_page, street_day, screenshot):
    page = board_page
    (ana, bia), orders = street_day
    first, second, third, fourth = orders

    # Click three orders in the order ana should go: numbered on the map and in the panel.
    for order in (first, second, third):
        click_at(page, *order.point.coords)
    page.wait_for_function("() => document.querySelectorAll('#schedule-picks li').length === 3")
    assert page.locator(".schedule-marker.pick").all_inner_texts() == ["1", "2", "3"]
    screenshot("schedule-picks")

    page.select_option("#schedule-sequence-technician", str(ana.pk))
    page.click("#schedule-assign-sequence")
    wait_for_check(page)
    page.wait_for_function(f"() => document.querySelectorAll(\".board-timeline[data-technician='{ana.pk}'] .board-card\").length === 3")
    numbers = timeline(page, ana).locator(".card-number").all_inner_texts()
    assert numbers == ["1", "2", "3"]
    assert page.locator("#board-status").inner_text() == "Sem conflitos"
    routes = page.evaluate("() => malhaMap.getSource('schedule-routes').serialize().data.features.length")
    assert routes == 1

    # The fourth goes onto ana's row at 08:15, on top of her first stop: an overlap, shown before saving.
    click_at(page, *fourth.point.coords)
    card = page.locator(f".board-pool .board-card[data-order='{fourth.pk}']")
    drop_at(page, card, timeline(page, ana), 8, 15)
    wait_for_check(page)
    page.locator("#board-conflicts li[data-kind=overlap]").first.wait_for()
    assert "conflito" in page.locator("#board-status").inner_text()
    assert page.locator("#board-save").is_disabled()
    assert page.locator(f".board-card.conflict-error[data-order='{fourth.pk}']").count() == 1
    screenshot("schedule-conflict")

    # Fixed with the keyboard-friendly form: bia at 10:00 instead.
    page.locator(f".board-card[data-order='{fourth.pk}'] .card-assign").click()
    page.select_option("#board-assign-technician", str(bia.pk))
    page.fill("#board-assign-time", "10:00")
    page.click("#board-assign-apply")
    wait_for_check(page)
    page.wait_for_function("() => document.querySelector('#board-status').textContent === 'Sem conflitos'")
    assert timeline(page, bia).locator(f".board-card[data-order='{fourth.pk}']").count() == 1
    assert page.evaluate("() => malhaMap.getSource('schedule-routes').serialize().data.features.length") == 2
    screenshot("schedule-fixed")

    page.click("#board-save")
    page.wait_for_function("() => !document.querySelector('#map-message').hidden")
    assert "Salvo: 4 ordens programadas." in page.locator("#map-message").inner_text()
    scheduled = {order.pk: order for order in ServiceOrder.objects.all()}
    assert {order.status for order in scheduled.values()} == {OrderStatus.SCHEDULED}
    ana_day = sorted((o for o in scheduled.values() if o.assignee_id == ana.pk), key=lambda o: o.scheduled_start)
    assert [o.pk for o in ana_day] == [first.pk, second.pk, third.pk]
    assert scheduled[fourth.pk].assignee_id == bia.pk
    assert scheduled[fourth.pk].scheduled_start == at(10)
    # The saved board comes back from the server, still without conflicts.
    wait_for_check(page)
    page.wait_for_function("() => document.querySelector('#board-status').textContent === 'Sem conflitos'")
    screenshot("schedule-saved")


def test_a_stale_board_is_refused_with_a_clear_message(board_page, street_day):
    page = board_page
    (ana, _bia), orders = street_day
    click_at(page, *orders[0].point.coords)
    page.wait_for_function("() => document.querySelectorAll('#schedule-picks li').length === 1")
    page.select_option("#schedule-sequence-technician", str(ana.pk))
    page.click("#schedule-assign-sequence")
    wait_for_check(page)
    page.wait_for_function("() => !document.querySelector('#board-save').disabled")
    # Another dispatcher edits the order meanwhile.
    from fieldops.services import update_service_order

    update_service_order(orders[0], description="Client asked for the afternoon")
    page.click("#board-save")
    page.locator("#board-message").wait_for()
    assert "Recarregue-o e tente novamente; nada foi salvo." in page.locator("#board-message").inner_text()
    assert ServiceOrder.objects.get(pk=orders[0].pk).status == OrderStatus.OPEN


def test_the_optimiser_runs_from_the_board_and_its_plan_is_accepted(
    board_page, street_day, celery_worker, screenshot  # noqa: F811 (fixture)
):
    page = board_page
    page.fill("#schedule-optimise-seconds", "1")
    page.click("#schedule-optimise")
    # The live server speaks no WebSocket: the page polls the plan until it is solved.
    page.locator("#schedule-compare").wait_for(timeout=90000)
    cells = page.locator("#schedule-compare tbody tr").all_inner_texts()
    assert len(cells) == 4
    assert cells[3].split("\t")[1:] == ["4", "0"]  # not scheduled: all four on the board, none in the plan
    screenshot("schedule-optimiser")
    page.click("#schedule-plan-accept")
    page.wait_for_function("() => document.querySelector('#schedule-compare').hidden")
    assert RoutePlan.objects.get().status == "accepted"
    assert set(ServiceOrder.objects.values_list("status", flat=True)) == {OrderStatus.SCHEDULED}
    page.wait_for_function("() => document.querySelectorAll('.board-timeline .board-card').length === 4")
    wait_for_check(page)
    assert page.locator(".board-timeline .card-number").count() == 4
    screenshot("schedule-optimiser-accepted")


# --- live positions and statuses over the real ASGI server -------------------------------------


@pytest.fixture
def channel_redis(monkeypatch, settings):
    """A Redis database of its own for the channel layer of the processes a test starts (the ASGI
    server, a Celery worker), so no running dev server hears or speaks on the test's groups."""
    url = f"{settings.REDIS_URL.rsplit('/', 1)[0]}/13"
    monkeypatch.setenv("REDIS_URL", url)
    return url


@pytest.fixture
def asgi_server(transactional_db, channel_redis, settings, tmp_path):
    """uvicorn serving config.asgi (HTTP and WebSockets) on a free loopback port, on the test
    database. Static files come through the finders (DEBUG), as collectstatic has not run."""
    from django.db import connection

    from config.celery import app as celery_app
    from tests.integration.conftest import free_port

    # Users made from here on get passwords the server's own hashers can check.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    port = free_port()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": channel_redis,
        # Tasks go where this test process sends them: a celery_worker fixture started first
        # has pointed it at the worker's broker.
        "CELERY_BROKER_URL": celery_app.conf.broker_url,
        "CELERY_RESULT_BACKEND": celery_app.conf.result_backend,
        "DEBUG": "true",
    }
    log = tmp_path / "uvicorn.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[2], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/login/", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn did not start:\n{log.read_text()}") from None
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def api(url, path, token=None, body=None):
    """A JSON request to the ASGI server, as a phone or another dispatcher's screen sends it."""
    headers = {"Content-Type": "application/json", "Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode() if body else None, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def asgi_map(asgi_server, browser, make_user, street_day):
    """A dispatcher's map served by uvicorn, its live socket open, zoomed in on the street grid."""
    make_user("despachante", "dispatcher")
    context = browser.new_context(base_url=asgi_server, locale="pt-BR", viewport={"width": 1366, "height": 860})
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        page.goto("/login/")
        page.fill("#id_username", "despachante")
        page.fill("#id_password", "s3cret-pass")
        page.click("button[type=submit]")
        page.wait_for_url("**/")
        page.goto("/map/")
        page.wait_for_selector("#map[data-ready]")
        page.wait_for_selector("#map[data-live=open]")
        jump_to(page, *MIDDLE, 17)
        yield page
    finally:
        context.close()


def test_the_map_moves_technicians_and_recolours_orders_live(asgi_server, asgi_map, street_day):
    (ana, _bia), orders = street_day
    page = asgi_map
    wait_for_features(page, "technicians-points", 2)

    # ana's phone reports where she is: her marker moves there without a reload.
    phone = api(asgi_server, "/api/auth/token/", body={"username": "ana", "password": "s3cret-pass"})["token"]
    moved_to = [-51.1972, -29.9988]
    api(asgi_server, "/api/fieldops/positions/", phone, {
        "point": {"type": "Point", "coordinates": moved_to}, "recorded_at": timezone.now().isoformat(),
    })
    page.wait_for_function(
        """([id, where]) => {
            const feature = malhaMap.getSource('technicians').serialize().data.features.find((f) => f.properties.id === id);
            return JSON.stringify(feature.geometry.coordinates) === JSON.stringify(where);
        }""",
        arg=[ana.pk, moved_to],
    )

    # Another dispatcher schedules an order: it turns from open to scheduled on this map.
    desk = api(asgi_server, "/api/auth/token/", body={"username": "despachante", "password": "s3cret-pass"})["token"]
    order = orders[0]
    api(asgi_server, f"/api/fieldops/service-orders/{order.pk}/transition/", desk, {
        "to": "scheduled", "assignee": ana.pk, "scheduled_start": at(9).isoformat(), "version": order.version,
    })
    page.wait_for_function(
        "(id) => malhaMap.getFeatureState({source: 'orders', sourceLayer: 'orders', id}).status === 'scheduled'",
        arg=order.pk,
    )
    wait_for_idle(page)
    color = page.evaluate(
        """(id) => { const [f] = malhaMap.queryRenderedFeatures({layers: ['orders-points']}).filter((f) => f.id === id);
                     return f && f.layer.paint['circle-color']; }""",
        order.pk,
    )
    assert color is not None
    page.screenshot(path=str(ARTIFACTS / "schedule-live.png"))


def test_the_optimiser_progress_comes_over_the_websocket(
    channel_redis, celery_worker, asgi_map, street_day  # noqa: F811 (fixture)
):
    page = asgi_map
    page.click("#schedule-toggle")
    page.locator("#schedule-date").fill(tomorrow().isoformat())
    page.locator("#schedule-date").dispatch_event("change")
    page.wait_for_function("() => document.querySelectorAll('[data-technician-row]').length === 2")
    page.fill("#schedule-optimise-seconds", "2")
    page.click("#schedule-optimise")
    page.locator("#schedule-compare").wait_for(timeout=90000)
    assert page.locator("#schedule-optimise-progress").get_attribute("data-via") == "socket"
    page.click("#schedule-plan-discard")
    page.wait_for_function("() => document.querySelector('#schedule-compare').hidden")
    assert RoutePlan.objects.get().status == "discarded"
    assert set(ServiceOrder.objects.values_list("status", flat=True)) == {OrderStatus.OPEN}


def test_without_a_websocket_the_map_polls_for_positions(board_page, street_day):
    """Django's live server speaks no WebSocket: the map falls back to polling."""
    from fieldops.services import report_position

    page = board_page
    (ana, _bia), _orders = street_day
    page.wait_for_selector("#map[data-live=closed]")
    moved_to = (-51.1972, -29.9988)
    report_position(ana, point=Point(*moved_to, srid=4326), recorded_at=timezone.now())
    page.wait_for_function(
        """([id, where]) => malhaMap.getSource('technicians').serialize().data.features
             .some((f) => f.properties.id === id && JSON.stringify(f.geometry.coordinates) === JSON.stringify(where))""",
        arg=[ana.pk, list(moved_to)], timeout=40000,
    )
