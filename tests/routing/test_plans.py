"""Route plans through the services: request, solve, accept, discard, stale and mid-day rules."""
import datetime
import math

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from fieldops.models import ServiceOrder
from fieldops.services import ActionContext, check_in, start_route, update_service_order, update_technician
from routing import services
from routing.choices import PlanStatus, UnassignedReason
from routing.models import RoutePlan, RouteStop

from .conftest import DEPOT, STOPS, day_at, tomorrow
from tests.gis.test_network import DIAGONAL_M, along_diagonal

pytestmark = pytest.mark.django_db


def request(user, **options):
    return services.request_plan(date=tomorrow(), user=user, time_budget_s=1, **options)


def solved(user, **options):
    return services.solve_plan(request(user, **options).pk)


def line_meters(line):
    """Length of a lon/lat line on the sphere, in metres."""
    total = 0.0
    for (lon1, lat1), (lon2, lat2) in zip(line.coords, line.coords[1:]):
        dy = math.radians(lat2 - lat1)
        dx = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
        total += 6_371_008.8 * math.hypot(dx, dy)
    return total


@pytest.fixture
def dispatcher(make_user):
    return make_user("dina", "dispatcher")


def test_a_solved_plan_has_ordered_stops_on_the_streets_within_windows(team, orders, make_order, splicing, dispatcher):
    nobody_can = make_order(STOPS[0], skills=[splicing])
    nobody_can.required_skills.add(type(splicing).objects.create(code="height", name="Work at height"))
    plan = solved(dispatcher)

    assert plan.status == PlanStatus.SOLVED
    assert {(u.order, u.reason) for u in plan.unassigned.all()} == {
        (nobody_can, UnassignedReason.NO_SKILLED_TECHNICIAN)
    }
    stops = RouteStop.objects.filter(route__plan=plan).select_related("order", "route__technician")
    assert sorted(stop.order_id for stop in stops) == sorted(order.pk for order in orders)
    splicer = team[0]
    for stop in stops:
        assert stop.order.window_start <= stop.service_start < stop.order.window_end
        assert stop.arrival <= stop.service_start < stop.departure
        assert (stop.service_start - stop.arrival).total_seconds() == stop.wait_seconds
        # The leg is drawn from where the technician was to the order, and is as long as timed.
        assert stop.leg_geometry.coords[-1] == pytest.approx(stop.order.point.coords)
        assert line_meters(stop.leg_geometry) == pytest.approx(stop.leg_meters, rel=0.05, abs=3)
    assert stops.get(order=orders[1]).route.technician == splicer
    for route in plan.routes.all():
        sequence = list(route.stops.order_by("sequence"))
        assert [stop.sequence for stop in sequence] == list(range(1, len(sequence) + 1))
        assert sequence[0].leg_geometry.coords[0] == pytest.approx(DEPOT)
        for before, after in zip(sequence, sequence[1:]):
            assert before.departure <= after.arrival
            assert after.leg_geometry.coords[0] == pytest.approx(before.order.point.coords)
        # The whole route: every leg, and the way back to the depot.
        assert len(route.geometry) == len(sequence) + 1
        assert route.geometry[-1].coords[-1] == pytest.approx(DEPOT)
        assert route.meters >= sum(stop.leg_meters for stop in sequence)
    assert plan.served_count == 4 and plan.unassigned_count == 1
    assert plan.meters == sum(route.meters for route in plan.routes.all())
    assert plan.service_seconds == 4 * 30 * 60
    assert plan.best_cost > 0


def test_a_leg_against_the_one_way_is_drawn_round_the_block(block, make_technician, make_order, dispatcher):
    # From the far end of the diagonal back to its start: only round the block.
    make_technician("ana", start=along_diagonal(0.9))
    make_order(along_diagonal(0.1))
    plan = solved(dispatcher)
    stop = RouteStop.objects.get(route__plan=plan)
    assert stop.leg_meters > DIAGONAL_M  # a straight drive back would be 0.8 x the diagonal
    assert line_meters(stop.leg_geometry) == pytest.approx(stop.leg_meters, rel=0.05)


def test_solving_again_changes_nothing(team, orders, dispatcher):
    plan = solved(dispatcher)
    stops = list(RouteStop.objects.filter(route__plan=plan).values_list("pk", "service_start"))
    again = services.solve_plan(plan.pk)
    assert again.status == PlanStatus.SOLVED
    assert list(RouteStop.objects.filter(route__plan=plan).values_list("pk", "service_start")) == stops


def test_accepting_assigns_and_schedules_every_routed_order(team, orders, dispatcher):
    plan = solved(dispatcher)
    accepted = services.accept_plan(plan, dispatcher)
    assert accepted.status == PlanStatus.ACCEPTED and accepted.decided_by == dispatcher
    for stop in RouteStop.objects.filter(route__plan=plan).select_related("route"):
        order = ServiceOrder.objects.get(pk=stop.order_id)
        assert (order.assignee_id, order.scheduled_start, order.status) == (
            stop.route.technician_id, stop.service_start, "scheduled"
        )
    with pytest.raises(ValidationError, match="Only a solved plan"):
        services.accept_plan(plan, dispatcher)


def test_an_order_changed_after_solving_makes_the_plan_stale_and_nothing_is_written(team, orders, dispatcher):
    plan = solved(dispatcher)
    update_service_order(ServiceOrder.objects.get(pk=orders[2].pk), description="Cliente pediu outro horário")
    with pytest.raises(services.StalePlan, match=orders[2].number):
        services.accept_plan(plan, dispatcher)
    assert not ServiceOrder.objects.filter(pk__in=[o.pk for o in orders], assignee__isnull=False).exists()
    assert RoutePlan.objects.get(pk=plan.pk).status == PlanStatus.SOLVED


def test_a_discarded_plan_cannot_be_accepted(team, orders, dispatcher):
    plan = services.discard_plan(solved(dispatcher), dispatcher)
    assert plan.status == PlanStatus.DISCARDED
    with pytest.raises(ValidationError, match="discarded"):
        services.accept_plan(plan, dispatcher)
    assert not ServiceOrder.objects.filter(assignee__isnull=False).exists()


@pytest.mark.parametrize(
    "options, field, message",
    [
        ({"technicians": []}, "technicians", "There are no active technicians to plan."),
        ({"orders": []}, "orders", "There are no service orders to plan on this day."),
        ({"time_budget_s": 0}, "time_budget_s", "between 1 and 600 seconds"),
        ({"time_budget_s": 601}, "time_budget_s", "between 1 and 600 seconds"),
    ],
)
def test_plainly_invalid_requests_are_refused_before_queuing(team, orders, dispatcher, options, field, message):
    with pytest.raises(ValidationError) as refused:
        services.request_plan(date=tomorrow(), user=dispatcher, **{"time_budget_s": 1, **options})
    assert message in " ".join(refused.value.message_dict[field])
    assert not RoutePlan.objects.exists()


def test_orders_of_another_day_or_a_past_day_are_refused(team, orders, make_order, dispatcher):
    other_day = make_order(STOPS[0], day=tomorrow() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        request(dispatcher, orders=[orders[0], other_day])
    assert other_day.number in refused.value.message_dict["orders"][0]
    with pytest.raises(ValidationError) as refused:
        services.request_plan(date=tomorrow().replace(year=2020), user=dispatcher, time_budget_s=1)
    assert "date" in refused.value.message_dict


def test_the_day_filter_takes_the_open_orders_of_the_day_and_all_active_technicians(team, orders, make_order, dispatcher):
    make_order(STOPS[0], day=tomorrow() + datetime.timedelta(days=1))
    plan = request(dispatcher)
    assert set(plan.orders.all()) == set(orders)
    assert set(plan.technicians.all()) == set(team)


def test_a_mid_day_run_keeps_work_in_progress_and_starts_from_where_technicians_are(
    team, orders, make_order, dispatcher
):
    ana, bia = team
    context = ActionContext(actor=dispatcher)
    on_site = make_order(STOPS[3], window=(8, 9), status="dispatched", assignee=bia)
    on_site = check_in(start_route(on_site, context), context)
    plan = services.solve_plan(request(dispatcher).pk, now=day_at(10))

    assert plan.orders.filter(pk=on_site.pk).exists()  # came along though only open ones were asked for
    first = plan.routes.get(technician=bia).stops.order_by("sequence").first()
    assert (first.order, first.fixed, first.leg_meters) == (on_site, True, 0)
    assert first.leg_geometry.coords[0] == pytest.approx(STOPS[3])  # Bia starts where she is
    assert not RouteStop.objects.filter(route__plan=plan, service_start__lt=day_at(10)).exists()
    # 8-10 cannot be met any more from 10:00.
    assert plan.unassigned.get().order == orders[0]
    assert plan.unassigned.get().reason == UnassignedReason.WINDOW_UNREACHABLE

    services.accept_plan(plan, dispatcher)
    on_site.refresh_from_db()
    assert (on_site.status, on_site.assignee) == ("on_site", bia)
    assert ServiceOrder.objects.filter(status="scheduled").count() == 3


def test_a_mid_day_run_starts_from_a_fresh_gps_fix_and_ignores_an_old_one(team, orders, dispatcher):
    ana = team[0]  # the only one who can take orders[1]: she always has a route

    def start_of_ana(fix_at):
        update_technician(ana, last_position=Point(*STOPS[2], srid=4326), last_position_at=fix_at)
        plan = services.solve_plan(request(dispatcher).pk, now=day_at(10))
        return plan.routes.get(technician=ana).geometry[0].coords[0]

    assert start_of_ana(day_at(9, 50)) == pytest.approx(STOPS[2])
    assert start_of_ana(day_at(8)) == pytest.approx(DEPOT)  # two hours old: not where she is now


def test_without_a_street_network_legs_are_straight_estimates(make_technician, make_order, dispatcher):
    make_technician("ana")
    order = make_order(STOPS[1])
    plan = solved(dispatcher)
    assert plan.status == PlanStatus.SOLVED, plan.error_message
    stop = RouteStop.objects.get(route__plan=plan)
    assert stop.order == order
    assert [tuple(point) for point in stop.leg_geometry.coords] == pytest.approx([DEPOT, STOPS[1]])
