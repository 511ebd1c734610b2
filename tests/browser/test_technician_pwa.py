"""The technician's phone in headless Chromium: the route as an installable offline app.

On a phone viewport the technician opens /tech/, sees the day's stops on a list and a map,
loses the signal, reloads the app from the service worker, works an order to completion
(check-in with GPS, checklist, material, a photo, the client's signature, a note), sees it all
queued, gets the signal back and the queue syncs; the dispatcher's API shows the order completed
with exactly one photo and one signature, and sending the same queue again changes nothing."""
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from billing.choices import ContractStatus
from billing.models import Plan
from billing.services import create_contract
from core.services import create_object
from crm.people.services import create_address, create_person
from fieldops.choices import OrderStatus
from fieldops.models import Attachment, Material, MaterialUsage, OrderEvent, PositionReport, ServiceOrder
from fieldops.services import (
    ActionContext,
    check_in,
    create_service_order,
    create_technician,
    dispatch_order,
    start_route,
)
from gis.models import CtoBox
from gis.osm_import import import_osm
from tests.gis.test_import_osm import TINY_OSM

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE = (-51.2000, -30.0000)
STOPS = [(-51.1985, -30.0000), (-51.1980, -29.9993), (-51.1970, -29.9990)]


# How many actions wait in the phone's queue (IndexedDB), read as the app stores them.
QUEUE_LENGTH = """() => new Promise((resolve) => {
    indexedDB.open("malha-tech").onsuccess = (event) => {
        const request = event.target.result.transaction("queue").objectStore("queue").count();
        request.onsuccess = () => resolve(request.result);
    };
})"""


def at(hour):
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(hour)))


@pytest.fixture
def technicians_day(make_user, settings, tmp_path):
    """Today: three repairs for the technician on the street grid, the first one dispatched."""
    settings.MEDIA_ROOT = tmp_path
    import_osm(TINY_OSM)
    dispatcher = make_user("despachante", "dispatcher")
    technician = create_technician(
        user=make_user("tecnico01", "technician", first_name="Tiago"), shift_start=datetime.time(8),
        shift_end=datetime.time(17), start_point=Point(*BASE, srid=4326), end_point=Point(*BASE, srid=4326),
    )
    person = create_person(name="Carla Dias", stage="client", document="390.533.447-05", mobile_phone="(51) 99876-5432")
    orders = [
        create_service_order(
            order_type="repair", person=person, point=Point(*point, srid=4326), address_text=f"Rua Teste, {10 * (i + 1)}",
            window_start=at(9 + 2 * i), window_end=at(11 + 2 * i), scheduled_start=at(9 + 2 * i),
            assignee=technician, status="scheduled", description="Sem sinal desde ontem",
        )
        for i, point in enumerate(STOPS)
    ]
    orders[0] = dispatch_order(orders[0], ActionContext(actor=dispatcher))
    Material.objects.create(code="sc-apc", name="SC/APC connector", unit="piece")
    return dispatcher, technician, orders


@pytest.fixture
def page(browser, live_server):
    """A phone instead of the desktop page of tests/browser/conftest.py (its login and screenshot
    fixtures use this one), with a service worker and a GPS fix."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844}, device_scale_factor=2,
        is_mobile=True, has_touch=True, service_workers="allow", permissions=["geolocation"],
        geolocation={"longitude": STOPS[0][0] + 0.0001, "latitude": STOPS[0][1]},
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    # Let the app's last requests finish before the database is emptied for the next test.
    page.goto("about:blank")
    page.wait_for_timeout(500)
    context.close()
    assert errors == []


def jpeg(width=2400, height=1800):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def pending_count(page):
    badge = page.locator("#tech-pending")
    return 0 if badge.is_hidden() else int(badge.inner_text())


def sign(page):
    canvas = page.locator(".signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 25):
        x = box["x"] + 30 + step * (box["width"] - 60) / 24
        y = box["y"] + box["height"] * (0.7 - 0.4 * ((step % 6) / 6))
        page.mouse.move(x, y)
    page.mouse.up()


def dispatcher_view(dispatcher, order):
    client = APIClient()
    client.force_authenticate(dispatcher)
    detail = client.get(f"/api/fieldops/service-orders/{order.pk}/").data
    files = client.get(f"/api/fieldops/service-orders/{order.pk}/attachments/").data
    return detail, files


def test_the_technician_completes_an_order_offline_and_it_syncs_once(page, technicians_day, login, screenshot):
    dispatcher, technician, (first, second, _third) = technicians_day
    login("tecnico01")
    page.wait_for_url("**/tech/")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    stops = page.locator("#tech-stops > li")
    stops.first.wait_for()
    assert stops.count() == 3
    assert "Carla Dias" in stops.first.inner_text() and first.number in stops.first.inner_text()
    screenshot("tech-list")

    page.click("[data-tab=map]")
    page.wait_for_function("() => document.querySelectorAll('.map-stop').length === 3")
    page.wait_for_timeout(1500)  # the street tiles
    screenshot("tech-map")
    page.click("[data-tab=list]")

    # No signal from here on: the app itself comes back from the service worker.
    page.context.set_offline(True)
    page.reload()
    stops.first.wait_for()
    assert page.locator("#tech-network").inner_text() == "Offline"
    stops.first.locator("button").click()
    order = page.locator("#tech-order")
    assert order.locator("[data-field=phone] a").get_attribute("href") == "tel:+5551998765432"
    assert "waze.com/ul?ll=" in order.locator("[data-link=waze]").get_attribute("href")
    assert order.locator("[data-link=geo]").get_attribute("href").startswith("geo:")
    screenshot("tech-order")

    order.locator("[data-to=en_route]").click()
    order.locator("[data-to=on_site]").click()
    page.wait_for_function("() => document.querySelector('#tech-order [data-field=status]').textContent === 'On site'")
    for box in order.locator(".checklist input").all():
        box.check()
    order.locator("[data-form=material] button").click()
    order.locator("[data-input=photo]").set_input_files({"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    order.locator(".photos img").first.wait_for()
    sign(page)
    screenshot("tech-signature")
    order.locator("[data-action=save-signature]").click()
    order.locator(".signature-image").wait_for()
    order.locator("[data-form=note] textarea").fill("Cabo trocado na caixa.")
    order.locator("[data-form=note] button").click()
    order.locator("[data-form=complete] button[type=submit]").click()
    page.wait_for_function("() => document.querySelector('#tech-order [data-field=status]').textContent === 'Completed'")

    checklist_items = order.locator(".checklist input").count()
    queued = 2 + checklist_items + 1 + 1 + 1 + 1 + 1  # en route, on site, ticks, material, photo, signature, note, done
    assert pending_count(page) == queued
    page.click("[data-tab=queue]")
    assert page.locator("#tech-queue > li.queued").count() == queued
    screenshot("tech-offline-queue")
    assert ServiceOrder.objects.get(pk=first.pk).status == OrderStatus.DISPATCHED
    assert not Attachment.objects.exists()
    # Keep the queue as it is now, to send it a second time later (a phone that never heard back).
    page.evaluate("""() => new Promise((resolve) => {
        indexedDB.open("malha-tech").onsuccess = (event) => {
            const request = event.target.result.transaction("queue").objectStore("queue").getAll();
            request.onsuccess = () => { window.replayQueue = request.result; resolve(); };
        };
    })""")

    # The signal returns: the queue goes out in order, by itself.
    page.context.set_offline(False)
    page.wait_for_function("() => document.querySelector('#tech-pending').hidden", timeout=60000)
    detail, files = dispatcher_view(dispatcher, first)
    assert detail["status"] == OrderStatus.COMPLETED
    assert sorted(file["kind"] for file in files) == ["photo", "signature"]
    photo = Attachment.objects.get(kind="photo")
    with Image.open(photo.file.path) as image:
        assert max(image.size) == 1600 and image.format == "JPEG"
    events = OrderEvent.objects.filter(order=first).count()
    # The position taken offline (on duty since “on my way”) went out with the signal.
    for _attempt in range(50):
        if PositionReport.objects.filter(technician=technician).exists():
            break
        page.wait_for_timeout(200)
    assert PositionReport.objects.get(technician=technician).point.x == pytest.approx(STOPS[0][0] + 0.0001)
    assert page.locator("#tech-queue .empty").is_visible()
    page.click("[data-tab=list]")
    page.wait_for_function("() => document.querySelector('#tech-stops li').classList.contains('status-completed')")
    screenshot("tech-synced")

    # The same actions again (lost answers, a retry): the server recognises every one of them.
    page.evaluate("""() => new Promise((resolve) => {
        indexedDB.open("malha-tech").onsuccess = (event) => {
            const store = event.target.result.transaction("queue", "readwrite").objectStore("queue");
            for (const item of window.replayQueue) store.put(item);
            store.transaction.oncomplete = resolve;
        };
    })""")
    assert page.evaluate(QUEUE_LENGTH) == queued
    page.click("#tech-sync")
    for _attempt in range(100):
        if page.evaluate(QUEUE_LENGTH) == 0:
            break
        page.wait_for_timeout(200)
    assert page.evaluate(QUEUE_LENGTH) == 0
    detail, files = dispatcher_view(dispatcher, first)
    assert detail["status"] == OrderStatus.COMPLETED and len(files) == 2
    assert OrderEvent.objects.filter(order=first).count() == events
    assert MaterialUsage.objects.filter(order=first).count() == 1
    assert Attachment.objects.filter(order=first).count() == 2
    assert ServiceOrder.objects.get(pk=second.pk).status == OrderStatus.SCHEDULED


def test_a_stale_version_is_shown_and_kept_until_sent_again(page, technicians_day, login, screenshot):
    dispatcher, _technician, (first, _second, _third) = technicians_day
    login("tecnico01")
    page.wait_for_url("**/tech/")
    page.locator("#tech-stops > li").first.wait_for()
    page.context.set_offline(True)
    page.locator("#tech-stops > li").first.locator("button").click()
    page.locator("#tech-order [data-to=en_route]").click()
    # Meanwhile the office edits the order.
    client = APIClient()
    client.force_authenticate(dispatcher)
    edited = client.patch(f"/api/fieldops/service-orders/{first.pk}/", {"version": first.version, "description": "Cliente pediu após 10h"}, format="json")
    assert edited.status_code == 200, edited.data

    page.context.set_offline(False)
    page.click("[data-tab=queue]")
    failed = page.locator("#tech-queue li.failed")
    failed.wait_for(timeout=30000)
    assert "changed by someone else" in failed.inner_text()
    assert pending_count(page) == 1
    assert ServiceOrder.objects.get(pk=first.pk).status == OrderStatus.DISPATCHED
    screenshot("tech-conflict")

    failed.get_by_role("button", name="Send again").click()
    page.wait_for_function("() => document.querySelector('#tech-pending').hidden", timeout=30000)
    assert ServiceOrder.objects.get(pk=first.pk).status == OrderStatus.EN_ROUTE


def test_an_installation_is_completed_on_the_box_port_used(page, technicians_day, login, screenshot):
    """The contract's reserved box and port are offered; the completion activates the contract."""
    dispatcher, technician, (first, _second, _third) = technicians_day
    person = first.person
    box = create_object(CtoBox, code="CTO-PWA", ports_total=8, point=Point(STOPS[0][0], STOPS[0][1] + 0.0004, srid=4326))
    address = create_address(
        person=person, cep="90010-000", street="Rua Teste", number="10", neighbourhood="Centro",
        city="Porto Alegre", state="RS", point=Point(*STOPS[0], srid=4326),
    )
    plan = create_object(Plan, name="Fibra 500", download_mbps=500, upload_mbps=250, monthly_price=Decimal("99.90"))
    contract = create_contract(person=person, plan=plan, installation_address=address, cto_box=box, cto_port=5)
    installation = create_service_order(
        order_type="installation", person=person, contract=contract, point=Point(*STOPS[0], srid=4326),
        window_start=at(8), window_end=at(10), scheduled_start=at(8), assignee=technician, status="dispatched",
    )
    context = ActionContext(actor=technician.user)
    installation = check_in(start_route(installation, context), context)
    login("tecnico01")
    page.wait_for_url("**/tech/")
    page.locator(f"#tech-stops > li[data-order='{installation.pk}'] button").click()
    order = page.locator("#tech-order")
    assert order.locator("[name=cto_box] option:checked").inner_text().startswith("CTO-PWA")
    assert order.locator("[name=cto_port]").input_value() == "5"
    order.locator("[data-form=complete] button[type=submit]").click()
    assert "Tick every checklist item first" in order.locator("[data-field=complete-error]").inner_text()
    for item in order.locator(".checklist input").all():
        item.check()
    order.locator("[data-form=complete] button[type=submit]").click()
    order.locator("[data-field=status].status-completed").wait_for()
    page.wait_for_function("() => document.querySelector('#tech-pending').hidden", timeout=30000)
    screenshot("tech-installation-done")
    contract.refresh_from_db()
    assert ServiceOrder.objects.get(pk=installation.pk).status == OrderStatus.COMPLETED
    assert (contract.status, contract.cto_box_id, contract.cto_port) == (ContractStatus.ACTIVE, box.pk, 5)
