"""The scheduling board: conflicts found before saving, and a board saved whole or not at all.

No street network is loaded unless a test imports one, so travel times are the labelled
straight-line estimates, made exact here: 10 m/s with no detour factor.
"""
import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from fieldops.choices import OrderStatus
from fieldops.models import ServiceOrder
from fieldops.scheduling import Placement, apply_board, check_board, day_board
from core.exceptions import Conflict
from fieldops.services import cancel_order, create_service_order, reopen_order, schedule_order
from gis.osm_import import import_osm
from fieldops.tiles import visible_orders
from gis.tiles import tile_index
from gis.network import haversine_m
from routing.selectors import PLANNABLE_STATUSES, orders_on
from tests.gis.test_network import ONEWAY_OSM, along_diagonal

from .conftest import CENTER

pytestmark = pytest.mark.django_db

CHECK, APPLY, BOARD = "/api/fieldops/schedule/check/", "/api/fieldops/schedule/apply/", "/api/fieldops/schedule/board/"
# About 4.8 km and 19.3 km east of the technicians' base: 8 and 32 minutes at 10 m/s.
NEAR = (CENTER[0] + 0.05, CENTER[1])
FAR = (CENTER[0] + 0.2, CENTER[1])


@pytest.fixture(autouse=True)
def straight_line_travel(settings):
    settings.MALHA_ROUTING_FALLBACK_SPEED_KMH = 36
    settings.MALHA_ROUTING_DETOUR_FACTOR = 1.0


def day():
    return timezone.localdate() + datetime.timedelta(days=1)


def at(hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day(), datetime.time(hour, minute)))


def drive_minutes(a, b):
    return haversine_m(a, b) / 10 / 60


@pytest.fixture
def make_job(client_person):
    def make(point=CENTER, window=(8, 12), minutes=60, skills=(), **fields):
        return create_service_order(
            order_type="repair", person=client_person, point=Point(*point, srid=4326),
            window_start=at(*window[0]) if isinstance(window[0], tuple) else at(window[0]),
            window_end=at(*window[1]) if isinstance(window[1], tuple) else at(window[1]),
            estimated_minutes=minutes, required_skills=skills, **fields,
        )

    return make


@pytest.fixture
def ana(make_technician):
    return make_technician("ana")


def place(order, technician, start=None, version=None):
    return Placement(order=order, version=version or order.version, technician=technician, start=start)


def kinds(report, order):
    stop = next(stop for stop in report.stops if stop.order.pk == order.pk)
    return [conflict["kind"] for conflict in stop.conflicts]


def test_a_clean_board_has_etas_and_fills_in_untimed_starts(ana, make_job):
    first, second = make_job(), make_job(point=NEAR, window=(8, 14), minutes=30)
    report = check_board(day(), [place(first, ana, at(9)), place(second, ana)])
    assert not report.errors and not report.warnings
    stop_one, stop_two = report.stops
    assert stop_one.eta == at(8)  # from the base, no drive: free since the shift start
    # The second goes as soon as ana can be there: after the first and the drive, rounded up to 5 min.
    drive = drive_minutes(CENTER, NEAR)
    assert stop_two.eta == at(10) + datetime.timedelta(seconds=round(drive * 60))
    assert stop_two.start == at(10, 10) and stop_two.estimated
    (day_of_ana,) = report.days
    assert [stop.order for stop in day_of_ana.stops] == [first, second]
    assert day_of_ana.meters == pytest.approx(2 * haversine_m(CENTER, NEAR), abs=2)
    assert report.totals()["km"] == pytest.approx(2 * haversine_m(CENTER, NEAR) / 1000, abs=0.01)


def test_overlapping_orders_of_one_technician(ana, make_job):
    first, second = make_job(minutes=90), make_job()
    report = check_board(day(), [place(first, ana, at(9)), place(second, ana, at(10))])
    assert kinds(report, first) == []
    assert kinds(report, second) == ["overlap"]
    assert first.number in report.errors[0]["message"] and "10:30" in report.errors[0]["message"]


def test_an_order_the_technician_already_has_counts_as_overlap(ana, make_job, dispatcher, as_user):
    held = schedule_order(make_job(), as_user(dispatcher), assignee=ana, scheduled_start=at(9))
    newcomer = make_job()
    report = check_board(day(), [place(newcomer, ana, at(9, 30))])
    assert kinds(report, newcomer) == ["overlap"]
    assert held.number in report.errors[0]["message"]


def test_outside_the_shift_is_a_warning(ana, make_job):
    early = make_job(window=(6, 12))
    report = check_board(day(), [place(early, ana, at(7))])
    assert kinds(report, early) == ["shift"]
    assert report.warnings and not report.errors
    assert "07:00–08:00" in report.warnings[0]["message"]


def test_the_drive_back_after_the_shift_is_a_warning(ana, make_job):
    late = make_job(point=FAR, window=(14, 17))
    report = check_board(day(), [place(late, ana, at(15, 45))])
    assert kinds(report, late) == ["shift"]
    assert "after the shift ends at 17:00" in report.warnings[0]["message"]


def test_missing_skill(ana, make_job, splicing):
    order = make_job(skills=[splicing])
    report = check_board(day(), [place(order, ana, at(9))])
    assert kinds(report, order) == ["skill"]
    assert report.errors[0]["message"] == "ana lacks Fibre splicing."


def test_start_outside_the_window(ana, make_job):
    order = make_job(window=(8, 10))
    report = check_board(day(), [place(order, ana, at(11))])
    assert kinds(report, order) == ["window"]
    assert "outside the time window 08:00–10:00" in report.errors[0]["message"]


def test_window_missed_given_the_travel_time(ana, make_job):
    first = make_job()
    far_away = make_job(point=FAR, window=(9, (10, 20)))
    report = check_board(day(), [place(first, ana, at(9)), place(far_away, ana, at(10, 15))])
    assert kinds(report, far_away) == ["window"]
    stop = report.stops[1]
    assert stop.eta == at(10) + datetime.timedelta(seconds=round(drive_minutes(CENTER, FAR) * 60))
    assert "after the time window ends at 10:20" in report.errors[0]["message"]


def test_late_given_the_travel_time_is_a_warning(ana, make_job):
    first = make_job()
    far_away = make_job(point=FAR, window=(9, 14))
    report = check_board(day(), [place(first, ana, at(9)), place(far_away, ana, at(10, 10))])
    assert kinds(report, far_away) == ["late"]
    assert "23 min after the planned start" in report.warnings[0]["message"]


def test_orders_that_cannot_be_scheduled_and_stale_versions(ana, make_job, dispatcher, as_user):
    cancelled = cancel_order(make_job(), as_user(dispatcher), reason="Client moved")
    edited = make_job()
    report = check_board(day(), [place(cancelled, ana, at(9)), place(edited, ana, at(11), version=edited.version + 1)])
    assert kinds(report, cancelled) == ["status"]
    assert "is cancelled and cannot be scheduled" in report.stops[0].conflicts[0]["message"]
    assert kinds(report, edited) == ["stale"]


def test_apply_schedules_the_whole_board(ana, make_technician, make_job, dispatcher):
    bia = make_technician("bia")
    first, second = make_job(), make_job(point=NEAR)
    apply_board(day(), [place(first, ana, at(9)), place(second, bia)], dispatcher)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.assignee, first.scheduled_start) == (OrderStatus.SCHEDULED, ana, at(9))
    assert (second.status, second.assignee) == (OrderStatus.SCHEDULED, bia)
    assert second.scheduled_start == at(8, 10)  # bia drives 8 minutes from the base, rounded up
    assert first.events.get().actor == dispatcher


def test_apply_moves_and_takes_off_orders_already_scheduled(ana, make_technician, make_job, dispatcher):
    bia = make_technician("bia")
    moved, dropped = make_job(), make_job()
    apply_board(day(), [place(moved, ana, at(9)), place(dropped, ana, at(11))], dispatcher)
    moved.refresh_from_db()
    dropped.refresh_from_db()
    apply_board(day(), [place(moved, bia, at(10)), place(dropped, None)], dispatcher)
    moved.refresh_from_db()
    dropped.refresh_from_db()
    assert (moved.status, moved.assignee, moved.scheduled_start) == (OrderStatus.SCHEDULED, bia, at(10))
    assert (dropped.status, dropped.assignee, dropped.scheduled_start) == (OrderStatus.OPEN, None, None)


def test_a_stale_order_saves_nothing(ana, make_job, dispatcher):
    first, second = make_job(), make_job(point=NEAR)
    with pytest.raises(Conflict, match=second.number):
        apply_board(day(), [place(first, ana, at(9)), place(second, ana, at(11), version=second.version + 1)],
                    dispatcher)
    assert set(ServiceOrder.objects.values_list("status", flat=True)) == {OrderStatus.OPEN}


def test_a_blocking_conflict_saves_nothing_but_warnings_are_saved(ana, make_job, dispatcher):
    first, second = make_job(minutes=90), make_job()
    with pytest.raises(Exception, match="Overlaps order"):
        apply_board(day(), [place(first, ana, at(9)), place(second, ana, at(10))], dispatcher)
    assert set(ServiceOrder.objects.values_list("status", flat=True)) == {OrderStatus.OPEN}
    early = make_job(window=(6, 12))
    apply_board(day(), [place(early, ana, at(7))], dispatcher)
    early.refresh_from_db()
    assert early.status == OrderStatus.SCHEDULED


# --- the API -------------------------------------------------------------------------------------


def placement(order, technician=None, start=None, version=None):
    return {"order": order.pk, "version": version or order.version, "technician": technician and technician.pk,
            "scheduled_start": start and start.isoformat()}


def test_check_and_apply_through_the_api(english_client_for, ana, make_job):
    dispatcher = english_client_for("dispatcher")
    first, second = make_job(minutes=90), make_job()
    board = {"date": day().isoformat(), "placements": [placement(first, ana, at(9)), placement(second, ana, at(10))]}
    answer = dispatcher.post(CHECK, board, format="json")
    assert answer.status_code == 200
    data = answer.json()
    assert (data["ok"], data["errors"]) == (False, 1)
    assert data["orders"][1]["conflicts"][0]["kind"] == "overlap"
    assert data["orders"][1]["sequence"] == 2
    assert data["routes"]["features"][0]["properties"]["technician"] == ana.pk
    refused = dispatcher.post(APPLY, board, format="json")
    assert refused.status_code == 400
    assert "Overlaps order" in str(refused.json())
    board["placements"][1]["scheduled_start"] = at(11).isoformat()
    saved = dispatcher.post(APPLY, board, format="json")
    assert saved.status_code == 200 and saved.json()["ok"]
    second.refresh_from_db()
    assert (second.status, second.scheduled_start) == (OrderStatus.SCHEDULED, at(11))
    # The same board again carries the old versions: 409, with a message that says what to do.
    stale = dispatcher.post(APPLY, board, format="json")
    assert stale.status_code == 409
    assert "Reload it and try again; nothing was saved." in stale.json()["detail"]


def test_board_bad_input_is_a_clear_400(english_client_for, ana, make_job):
    dispatcher = english_client_for("dispatcher")
    order = make_job()
    twice = {"date": day().isoformat(), "placements": [placement(order, ana, at(9)), placement(order, ana, at(11))]}
    assert dispatcher.post(CHECK, twice, format="json").json()["placements"] == ["Each order may be placed only once."]
    other_day = {"date": day().isoformat(), "placements": [placement(order, ana, at(9) + datetime.timedelta(days=1))]}
    assert "another day" in str(dispatcher.post(CHECK, other_day, format="json").json())
    no_version = {"date": day().isoformat(), "placements": [{"order": order.pk, "technician": ana.pk}]}
    assert "version" in str(dispatcher.post(APPLY, no_version, format="json").json()["placements"])
    unknown = {"date": "tomorrow", "placements": [{"order": 999999}]}
    errors = dispatcher.post(CHECK, unknown, format="json").json()
    assert set(errors) == {"date", "placements"}


def test_only_dispatchers_use_the_board(english_client_for, ana, make_job):
    order = make_job()
    technician = english_client_for("technician")
    board = {"date": day().isoformat(), "placements": [placement(order, ana, at(9))]}
    assert technician.post(CHECK, board, format="json").status_code == 403
    assert technician.post(APPLY, board, format="json").status_code == 403
    assert technician.get(BOARD, {"date": day().isoformat()}).status_code == 403


def test_the_board_lists_technicians_their_orders_and_the_pool(english_client_for, ana, make_job, dispatcher, as_user):
    held = schedule_order(make_job(), as_user(dispatcher), assignee=ana, scheduled_start=at(9))
    free = make_job(point=NEAR)
    answer = english_client_for("dispatcher").get(BOARD, {"date": day().isoformat()})
    assert answer.status_code == 200
    data = answer.json()
    assert [technician["name"] for technician in data["technicians"]] == ["ana"]
    assert [(order["number"], order["assignee"]) for order in data["orders"]] == [
        (held.number, ana.pk), (free.number, None)]
    assert data["orders"][1]["point"] == list(NEAR) and data["orders"][1]["movable"]


# --- reopened orders: on the board, on the map, in the optimiser ----------------------------------


def test_reopened_orders_are_placeable_mapped_and_planned(ana, make_job, dispatcher, as_user):
    context = as_user(dispatcher)
    order = cancel_order(make_job(), context, reason="Client not home")
    order = reopen_order(order, context, reason="Client called back")
    assert order.status == OrderStatus.REOPENED
    # The board offers it; the map's order layer filters and colours it; the optimiser plans it.
    _technicians, offered = day_board(day())
    assert order in offered
    report = check_board(day(), [place(order, ana, at(10))])
    assert not report.errors
    status_filter = next(f for layer in tile_index(dispatcher)["layers"] if layer["name"] == "orders"
                         for f in layer["filters"] if f["name"] == "status")
    assert "reopened" in [choice["value"] for choice in status_filter["values"]]
    assert list(visible_orders(dispatcher, {"status": ["reopened"]})) == [order]
    assert OrderStatus.REOPENED in PLANNABLE_STATUSES
    assert order in orders_on(day(), PLANNABLE_STATUSES)


# --- routes along the streets ----------------------------------------------------------------------


def test_routes_follow_the_streets(make_user, make_job):
    from fieldops.services import create_technician

    import_osm(ONEWAY_OSM)
    base = along_diagonal(0.05)
    technician = create_technician(
        user=make_user("carla", "technician"), shift_start=datetime.time(8), shift_end=datetime.time(17),
        start_point=Point(*base, srid=4326), end_point=Point(*base, srid=4326),
    )
    # From the diagonal's start to the north-east corner's side: the one-way diagonal is the way there.
    order = make_job(point=along_diagonal(0.9))
    report = check_board(day(), [place(order, technician, at(9))])
    (route,) = report.route_features()["features"]
    coordinates = route["geometry"]["coordinates"]
    assert coordinates[0] == list(base) and coordinates[-1] == list(base)
    assert len(coordinates) > 3  # round the block back: corners, not a straight there-and-back
    assert not report.stops[0].estimated


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_saving_boards_that_share_an_order(ana, make_technician, make_job, dispatcher):
    from django.db import transaction

    from .test_concurrency import in_thread

    bia = make_technician("bia")
    first, shared, third = make_job(), make_job(point=NEAR), make_job(point=NEAR)
    with transaction.atomic():
        apply_board(day(), [place(first, ana, at(9)), place(shared, ana, at(11))], dispatcher)
        rival, outcome = in_thread(
            lambda: apply_board(day(), [place(shared, bia, at(9)), place(third, bia, at(11))], dispatcher)
        )
        rival.join(timeout=0.5)
        assert rival.is_alive(), "the second board must wait for the shared order's row lock"
    rival.join(timeout=10)

    assert isinstance(outcome["error"], Conflict)
    assert shared.number in outcome["error"].messages[0]
    shared.refresh_from_db()
    third.refresh_from_db()
    assert (shared.assignee, shared.scheduled_start) == (ana, at(11))
    assert (third.status, third.assignee) == (OrderStatus.OPEN, None)


def test_the_street_line_of_an_ordered_list_of_stops(english_client_for, make_user, make_job):
    from fieldops.services import create_technician

    import_osm(ONEWAY_OSM)
    base = along_diagonal(0.05)
    technician = create_technician(
        user=make_user("carla", "technician"), shift_start=datetime.time(8), shift_end=datetime.time(17),
        start_point=Point(*base, srid=4326), end_point=Point(*base, srid=4326),
    )
    stops = [make_job(point=(-51.2000, -29.9995)), make_job(point=along_diagonal(0.9))]
    dispatcher = english_client_for("dispatcher")
    answer = dispatcher.post("/api/fieldops/schedule/route/", {"technician": technician.pk, "orders": [s.pk for s in stops]},
                             format="json")
    assert answer.status_code == 200
    line = answer.json()
    coordinates = line["geometry"]["coordinates"]
    assert coordinates[0] == list(base) and coordinates[-1] == list(base)
    assert [-51.2000, -29.9995] in coordinates and list(along_diagonal(0.9)) in coordinates
    assert len(line["properties"]["legs"]) == 3 and not line["properties"]["estimated"]
    assert line["properties"]["km"] == pytest.approx(sum(leg["km"] for leg in line["properties"]["legs"]), abs=0.02)
    empty = dispatcher.post("/api/fieldops/schedule/route/", {"technician": technician.pk, "orders": []}, format="json")
    assert empty.status_code == 400 and "orders" in empty.json()


def test_the_map_offers_scheduling_and_the_live_board_to_dispatchers_only(client, make_user):
    client.force_login(make_user("desk", "dispatcher"))
    page = client.get("/map/").content.decode()
    assert 'id="schedule-panel"' in page and "/api/fieldops/schedule/check/" in page and "/ws/fieldops/live/" in page
    client.force_login(make_user("clerk", "billing"))
    page = client.get("/map/").content.decode()
    assert 'id="schedule-panel"' not in page and "/ws/fieldops/live/" not in page
