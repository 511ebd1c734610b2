"""The printable route sheet as the browser shows it (and prints it: A4, no menus)."""
import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from crm.people.services import create_person
from fieldops import services
from tests.api.conftest import CENTER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def straight_line_travel(settings):
    settings.MALHA_ROUTING_FALLBACK_SPEED_KMH = 36
    settings.MALHA_ROUTING_DETOUR_FACTOR = 1.0


def test_a_technician_prints_their_route_sheet(page, login, screenshot, make_user):
    user = make_user("tiago", "technician", first_name="Tiago", last_name="Moreira")
    technician = services.create_technician(
        user=user, shift_start=datetime.time(8), shift_end=datetime.time(17),
        start_point=Point(*CENTER, srid=4326), end_point=Point(*CENTER, srid=4326),
    )
    dispatcher = services.ActionContext(actor=make_user("despachante", "dispatcher"))
    day = timezone.localdate() + datetime.timedelta(days=1)

    def at(hour, minute=0):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    stops = [
        ("Ana Souza", "52998224725", "+5551991234567", (0.004, 0.003), 8, "repair", "Sem sinal desde segunda"),
        ("Bruno Lima", "11144477735", "+5551998765432", (0.009, -0.002), 10, "installation", ""),
        ("Carla Dias", "12345678909", "", (0.002, -0.006), 13, "visit", "Cliente pede para ligar ao chegar"),
    ]
    for name, document, phone, (dx, dy), hour, kind, description in stops:
        person = create_person(name=name, stage="client", document=document, mobile_phone=phone)
        order = services.create_service_order(
            order_type=kind, person=person, point=Point(CENTER[0] + dx, CENTER[1] + dy, srid=4326),
            window_start=at(hour), window_end=at(hour + 2), assignee=technician,
            address_text=f"Rua dos Andradas, {100 + hour}", description=description,
        )
        services.schedule_order(order, dispatcher, scheduled_start=at(hour, 30))

    login("tiago")
    page.wait_for_url("**/")
    page.goto(f"/reports/route-sheet/{technician.pk}/{day.isoformat()}/")
    rows = page.locator("#sheet-stops tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).locator("td").nth(4).inner_text() for i in range(3)] == ["Ana Souza", "Bruno Lima", "Carla Dias"]
    assert page.locator("#sheet-technician").inner_text() == "Tiago Moreira"
    frame = page.frame_locator("#sheet-map")
    frame.locator(".sheet-stop").first.wait_for()
    assert frame.locator(".sheet-stop").all_inner_texts() == ["1", "2", "3"]
    page.wait_for_timeout(500)
    screenshot("route-sheet", full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden()
    screenshot("route-sheet-print", full_page=True)


def test_a_dispatcher_reads_the_sla_report_and_downloads_it(page, login, screenshot, make_user):
    person = create_person(name="Ana Souza", stage="client", document="52998224725")
    now = timezone.now()
    for username, name, late in (("tiago", "Tiago", (False, True)), ("carla", "Carla", (False,))):
        technician = services.create_technician(
            user=make_user(username, "technician", first_name=name), shift_start=datetime.time(8),
            shift_end=datetime.time(17), start_point=Point(*CENTER, srid=4326), end_point=Point(*CENTER, srid=4326),
        )
        for was_late in late:
            order = services.create_service_order(
                order_type="repair", person=person, point=Point(*CENTER, srid=4326), assignee=technician,
                window_start=now - datetime.timedelta(hours=6), window_end=now - datetime.timedelta(hours=2),
            )
            # Completed half an hour ago, its deadline an hour before (late) or after (on time).
            type(order).objects.filter(pk=order.pk).update(
                status="completed", completed_at=now - datetime.timedelta(minutes=30),
                due_at=now + datetime.timedelta(hours=-1 if was_late else 1),
            )
    make_user("despachante", "dispatcher")
    login("despachante")
    page.wait_for_url("**/")
    page.click("text=Relatórios de campo")
    page.select_option("select[name=report]", "sla")
    page.click("#report-filters button[type=submit]")
    rows = page.locator("#report-table tbody tr")
    rows.first.wait_for()
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())] == ["Carla", "Tiago"]
    assert rows.nth(1).locator("td").last.inner_text() == "50,0"
    screenshot("field-reports-sla", full_page=True)
    with page.expect_download() as download:
        page.click("#download-csv")
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[2] == "Tiago;2;1;1;0;50,0"
