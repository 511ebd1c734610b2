"""Field reports: completed orders and SLA per technician (JSON, CSV, PDF), and the route sheet.

Orders go through the real services; only the clock of their audit trail is set by hand, so
the minutes on site and the deadlines are known exactly.
"""
import datetime
import io

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from fieldops import services
from fieldops.checklists import checklist_for
from fieldops.models import OrderEvent, ServiceOrder
from fieldops.selectors import technician_sla_report

from .conftest import CENTER

pytestmark = pytest.mark.django_db

SLA, COMPLETED = "/api/fieldops/reports/technicians/", "/api/fieldops/reports/completed-orders/"
NOW = timezone.now()
BASE = NOW - datetime.timedelta(hours=4)
PERIOD = {"first_day": timezone.localdate(BASE).isoformat(), "last_day": timezone.localdate(NOW).isoformat()}


@pytest.fixture
def tiago(make_technician):
    return make_technician("tiago")


@pytest.fixture
def ana(make_technician):
    return make_technician("ana")


@pytest.fixture
def job(client_person, dispatcher, as_user):
    """An order of `order_type` assigned to a technician, worked through the services: each
    number in `stretches` is a visit of that many minutes on site ending in a completion,
    a reopen between visits; `late` puts the deadline before the last completion."""

    def work(technician, order_type="repair", stretches=(), late=False, priority=2):
        order = services.create_service_order(
            order_type=order_type, person=client_person, point=Point(*CENTER, srid=4326), priority=priority,
            window_start=BASE, window_end=BASE + datetime.timedelta(hours=8), assignee=technician,
            address_text="Rua dos Andradas, 100",
        )
        by_dispatcher, by_technician = as_user(dispatcher), as_user(technician.user)
        for visit, _minutes in enumerate(stretches):
            if visit:
                services.reopen_order(order, by_dispatcher, reason="Callback: no signal again")
            services.schedule_order(order, by_dispatcher, assignee=technician, scheduled_start=BASE)
            services.dispatch_order(order, by_dispatcher)
            services.start_route(order, by_technician)
            services.check_in(order, by_technician)
            for code, _label in checklist_for(order.order_type):
                services.tick_checklist_item(order, by_technician, code=code)
            services.complete_order(order, by_technician)
        clock, stretch = BASE, iter(stretches)
        for event in OrderEvent.objects.filter(order=order, kind="status").order_by("at", "id"):
            OrderEvent.objects.filter(pk=event.pk).update(at=clock)
            clock += datetime.timedelta(minutes=next(stretch) if event.to_status == "on_site" else 1)
        order.refresh_from_db()
        if order.status == "completed":
            completed_at = OrderEvent.objects.filter(order=order, to_status="completed").latest("at").at
            due = completed_at + datetime.timedelta(minutes=-1 if late else 60)
            ServiceOrder.objects.filter(pk=order.pk).update(completed_at=completed_at, due_at=due)
        return order

    return work


@pytest.fixture
def day_of_work(job, tiago, ana):
    """tiago: a repair on time (30 min on site), a maintenance reopened once and late (20 + 40 min),
    and a repair still open whose deadline passed an hour ago; ana: a repair on time (45 min)."""
    job(tiago, stretches=[30])
    job(tiago, "maintenance", stretches=[20, 40], late=True, priority=3)
    overdue = job(tiago)
    ServiceOrder.objects.filter(pk=overdue.pk).update(due_at=NOW - datetime.timedelta(hours=1))
    job(ana, stretches=[45])


@pytest.fixture
def dispatcher_client(english_client_for):
    return english_client_for("dispatcher", username="despacho")


def pick(lines, *fields):
    return [tuple(line[field] for field in fields) for line in lines]


def test_completed_orders_per_technician(dispatcher_client, day_of_work, ana):
    response = dispatcher_client.get(COMPLETED, PERIOD)
    assert response.status_code == 200, response.data
    fields = ("name", "completed", "first_time_fix", "reopened", "average_minutes_on_site")
    assert pick(response.data, *fields) == [("ana", 1, 1, 0, 45.0), ("tiago", 2, 1, 1, 45.0)]

    by_type = dispatcher_client.get(COMPLETED, {**PERIOD, "by": "type"}).data
    assert pick(by_type, "name", "order_type", *fields[1:]) == [
        ("ana", "repair", 1, 1, 0, 45.0), ("tiago", "maintenance", 1, 0, 1, 60.0), ("tiago", "repair", 1, 1, 0, 30.0),
    ]
    only_ana = dispatcher_client.get(COMPLETED, {**PERIOD, "technician": ana.pk}).data
    assert pick(only_ana, "name", "completed") == [("ana", 1)]
    maintenance = dispatcher_client.get(COMPLETED, {**PERIOD, "type": ["maintenance"]}).data
    assert pick(maintenance, "name", "completed", "reopened") == [("tiago", 1, 1)]
    before = {"first_day": "2020-01-01", "last_day": "2020-01-31"}
    assert dispatcher_client.get(COMPLETED, before).data == []


def test_sla_compliance_per_technician_type_and_priority(dispatcher_client, day_of_work):
    fields = ("name", "completed", "on_time", "late", "open_overdue", "sla_compliance")
    lines = dispatcher_client.get(SLA, PERIOD).data
    assert pick(lines, *fields) == [("ana", 1, 1, 0, 0, 100.0), ("tiago", 2, 1, 1, 1, 33.3)]
    by_type = dispatcher_client.get(SLA, {**PERIOD, "by": "type"}).data
    assert pick(by_type, "order_type", *fields) == [
        ("repair", "ana", 1, 1, 0, 0, 100.0),
        ("maintenance", "tiago", 1, 0, 1, 0, 0.0),
        ("repair", "tiago", 1, 1, 0, 1, 50.0),
    ]
    by_priority = dispatcher_client.get(SLA, {**PERIOD, "by": "priority"}).data
    assert pick(by_priority, "name", "priority", "completed", "open_overdue") == [
        ("ana", 2, 1, 0), ("tiago", 2, 1, 1), ("tiago", 3, 1, 0),
    ]
    # The page, the CSV and the PDF read the same lines as the JSON.
    day = datetime.date.fromisoformat
    assert technician_sla_report(day(PERIOD["first_day"]), day(PERIOD["last_day"])) == lines


def test_reports_as_csv(dispatcher_client, day_of_work):
    response = dispatcher_client.get(COMPLETED, {**PERIOD, "by": "type", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="completed-orders-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert text[1:].splitlines() == [
        "Technician;Order type;Completed;Fixed at the first visit;Reopened;Average time on site (min)",
        "ana;Repair;1;1;0;45.0",
        "tiago;Maintenance;1;0;1;60.0",
        "tiago;Repair;1;1;0;30.0",
    ]
    sla = dispatcher_client.get(SLA, {**PERIOD, "format": "csv"}).content.decode("utf-8")
    assert sla[1:].splitlines() == [
        "Technician;Completed;Within SLA;Late;Open and overdue;SLA compliance (%)",
        "ana;1;1;0;0;100.0",
        "tiago;2;1;1;1;33.3",
    ]


def pdf_text(content):
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_reports_as_pdf(dispatcher_client, day_of_work):
    response = dispatcher_client.get(SLA, {**PERIOD, "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "SLA compliance per technician" in text
    assert "tiago" in text and "33.3" in text
    completed = pdf_text(dispatcher_client.get(COMPLETED, {**PERIOD, "format": "pdf"}).content)
    assert "Orders completed per technician" in completed and "ana" in completed


def test_bad_periods_and_roles(dispatcher_client, english_client_for, tiago):
    backwards = dispatcher_client.get(COMPLETED, {"first_day": "2026-03-02", "last_day": "2026-03-01", "format": "pdf"})
    # Asked for a PDF, told in JSON what is wrong.
    assert backwards.status_code == 400 and backwards["Content-Type"] == "application/json"
    assert backwards.json()["last_day"] == ["The period must end on or after its first day."]
    assert dispatcher_client.get(SLA, {**PERIOD, "by": "colour"}).status_code == 400
    assert dispatcher_client.get(COMPLETED, {**PERIOD, "technician": 999999}).status_code == 400
    for role in ("technician", "sales", "billing"):
        client = english_client_for(role)
        assert client.get(COMPLETED, PERIOD).status_code == 403
        assert client.get(SLA, {**PERIOD, "format": "csv"}).status_code == 403


def test_the_report_page_shows_the_numbers_and_links_the_files(day_of_work, make_user):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(make_user("boss", "admin"))
    page = browser.get("/reports/field/", {**PERIOD, "report": "sla"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<td>tiago</td><td>2</td><td>1</td><td>1</td><td>1</td><td>33.3</td>" in html
    assert f"/api/fieldops/reports/technicians/?first_day={PERIOD['first_day']}" in html and "format=pdf" in html
    completed = browser.get("/reports/field/", {**PERIOD, "by": "", "technician": ""}).content.decode()
    assert "<td>tiago</td><td>2</td><td>1</td><td>1</td><td>45.0</td>" in completed
    assert f"/api/fieldops/reports/completed-orders/?first_day={PERIOD['first_day']}" in completed
    bad = browser.get("/reports/field/", {"first_day": "2026-03-02", "last_day": "2026-03-01"})
    assert "The period must end on or after its first day." in bad.content.decode()
    technician = Client()
    technician.force_login(make_user("tec", "technician"))
    assert technician.get("/reports/field/").status_code == 403


# --- The route sheet -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def straight_line_travel(settings):
    """No street network in these tests: travel is the straight-line estimate at 10 m/s."""
    settings.MALHA_ROUTING_FALLBACK_SPEED_KMH = 36
    settings.MALHA_ROUTING_DETOUR_FACTOR = 1.0


TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def at(hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(TOMORROW, datetime.time(hour, minute)))


@pytest.fixture
def scheduled_day(client_person, tiago, dispatcher, as_user):
    """tiago's tomorrow: a repair at 10:00 1.2 km east, then a visit at 08:30 600 m north,
    and a cancelled order that stays off the sheet."""
    def order(point, start, **fields):
        made = services.create_service_order(
            person=client_person, point=Point(*point, srid=4326), window_start=at(8),
            window_end=at(12), assignee=tiago, **fields,
        )
        return services.schedule_order(made, as_user(dispatcher), scheduled_start=start)

    repair = order((CENTER[0] + 0.0125, CENTER[1]), at(10), order_type="repair", description="No signal since Monday")
    services.add_note(repair, as_user(dispatcher), text="Client asks to call on arrival")
    visit = order((CENTER[0], CENTER[1] + 0.0054), at(8, 30), order_type="visit", address_text="Rua da Praia, 50")
    dropped = order((CENTER[0], CENTER[1] - 0.01), at(11), order_type="visit")
    services.cancel_order(dropped, as_user(dispatcher), reason="Client travelling")
    return visit, repair


def sheet_url(technician, day=TOMORROW):
    return f"/reports/route-sheet/{technician.pk}/{day.isoformat()}/"


def test_route_sheet_lists_the_day_in_order_with_etas(scheduled_day, tiago, dispatcher):
    visit, repair = scheduled_day
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(dispatcher)
    response = browser.get(sheet_url(tiago))
    assert response.status_code == 200
    sheet = response.context["sheet"]
    assert [stop.order for stop in sheet.stops] == [visit, repair]
    # 600 m at 10 m/s from the shift start at 08:00; the repair is driven to after the visit's hour.
    assert timezone.localtime(sheet.stops[0].eta).time() == datetime.time(8, 1)
    visit_end = at(8, 30) + datetime.timedelta(minutes=visit.estimated_minutes)
    assert visit_end < sheet.stops[1].eta < visit_end + datetime.timedelta(minutes=5)
    assert sheet.stops[1].notes == ["Client asks to call on arrival"]
    html = response.content.decode()
    assert "No signal since Monday" in html and "Rua da Praia, 50" in html
    assert html.index(visit.number) < html.index(repair.number)
    assert "sheet-stop" in html and "vendor/leaflet/leaflet.js" in html  # the folium map, offline


def test_route_sheet_visibility(scheduled_day, tiago, ana, make_user):
    own = Client()
    own.force_login(tiago.user)
    assert own.get(sheet_url(tiago)).status_code == 200
    assert own.get(sheet_url(ana)).status_code == 404
    colleague = Client()
    colleague.force_login(ana.user)
    assert colleague.get(sheet_url(tiago)).status_code == 404
    empty = colleague.get(sheet_url(ana))
    assert empty.status_code == 200 and empty.context["sheet"].stops == []
    sales = Client()
    sales.force_login(make_user("vendedor", "sales"))
    assert sales.get(sheet_url(tiago)).status_code == 404
    assert own.get(f"/reports/route-sheet/{tiago.pk}/2026-02-31/").status_code == 404


def test_route_sheet_map_draws_the_drive_along_the_streets(client_person, make_user, dispatcher, as_user):
    from fieldops.services import create_technician
    from gis.osm_import import import_osm
    from tests.gis.test_network import ONEWAY_OSM, along_diagonal

    import_osm(ONEWAY_OSM)
    base = along_diagonal(0.05)
    carla = create_technician(
        user=make_user("carla", "technician"), shift_start=datetime.time(8), shift_end=datetime.time(17),
        start_point=Point(*base, srid=4326), end_point=Point(*base, srid=4326),
    )
    order = services.create_service_order(
        order_type="repair", person=client_person, point=Point(*along_diagonal(0.9), srid=4326),
        window_start=at(8), window_end=at(12), assignee=carla,
    )
    services.schedule_order(order, as_user(dispatcher), scheduled_start=at(9))
    browser = Client()
    browser.force_login(carla.user)
    response = browser.get(sheet_url(carla))
    (route,) = response.context["sheet"].route["features"]
    assert len(route["geometry"]["coordinates"]) > 3  # round the block, not a straight line
    html = response.content.decode()
    assert "Rua do Quarteir" in html  # the streets around (JSON-escaped), as the printed map's base


@pytest.mark.parametrize("file_format", ["csv", "pdf"])
def test_options_with_a_file_format_describes_the_view_in_json(dispatcher_client, file_format):
    """Audit: OPTIONS ?format=csv|pdf rendered the metadata as a report table, a 500."""
    for url in (SLA, COMPLETED):
        response = dispatcher_client.options(f"{url}?format={file_format}")
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        assert "name" in response.json()
