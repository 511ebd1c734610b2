"""The route-plan API: request (202), read, GeoJSON, accept / discard, stale 409, roles, bad input."""
import pytest
from rest_framework.test import APIClient

from fieldops.models import ServiceOrder
from fieldops.services import update_service_order
from routing import services
from routing.models import RoutePlan

from .conftest import tomorrow

pytestmark = pytest.mark.django_db
PLANS = "/api/routing/plans/"


def english(user):
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    client.user = user
    return client


@pytest.fixture
def dispatcher(make_user):
    return english(make_user("dina", "dispatcher"))


def solved_plan(client, **body):
    response = client.post(PLANS, {"date": tomorrow(), "time_budget_s": 1, **body}, format="json")
    assert response.status_code == 202, response.data
    return services.solve_plan(response.data["id"])


def test_requesting_a_plan_answers_202_with_the_queued_plan(team, orders, dispatcher):
    response = dispatcher.post(
        PLANS,
        {"date": tomorrow(), "technicians": [team[0].pk], "orders": [orders[0].pk, orders[1].pk],
         "objective": "distance", "time_budget_s": 5, "technician_cost": 600},
        format="json",
    )
    assert response.status_code == 202
    assert (response.data["status"], response.data["objective"], response.data["time_budget_s"]) == (
        "queued", "distance", 5
    )
    plan = RoutePlan.objects.get(pk=response.data["id"])
    assert list(plan.technicians.all()) == [team[0]]
    assert set(plan.orders.all()) == {orders[0], orders[1]}
    assert plan.requested_by == dispatcher.user


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"technicians": []}, "technicians", "There are no active technicians to plan."),
        ({"time_budget_s": 0}, "time_budget_s", "The time budget must be between 1 and 600 seconds."),
        ({"objective": "fastest"}, "objective", "is not a valid choice"),
        ({"orders": [999999]}, "orders", "Invalid pk"),
        ({"order_statuses": ["completed"]}, "order_statuses", "is not a valid choice"),
        ({"date": "2026-02-30"}, "date", "Date has wrong format"),
        ({"date": "2020-01-01"}, "date", "Plans are made for today or a later day."),
    ],
)
def test_plainly_invalid_requests_get_a_400_naming_the_field(team, orders, dispatcher, body, field, message):
    response = dispatcher.post(PLANS, {"date": tomorrow(), "time_budget_s": 1, **body}, format="json")
    assert response.status_code == 400
    assert message in " ".join(map(str, response.data[field]))
    assert not RoutePlan.objects.exists()


def test_no_orders_on_the_day_is_a_400(team, dispatcher):
    response = dispatcher.post(PLANS, {"date": tomorrow(), "time_budget_s": 1}, format="json")
    assert response.status_code == 400
    assert response.data["orders"] == ["There are no service orders to plan on this day."]


def test_the_plan_reads_as_routes_with_ordered_stops_and_unassigned_reasons(
    team, orders, make_order, splicing, dispatcher
):
    too_early = make_order((-51.2000, -29.9995), window=(6, 7))  # before anyone's shift
    plan = solved_plan(dispatcher)
    data = dispatcher.get(f"{PLANS}{plan.pk}/").data
    assert data["status"] == "solved"
    assert data["totals"]["served"] == 4 and data["totals"]["unassigned"] == 1
    assert data["unassigned"] == [{
        "order": too_early.pk, "order_number": too_early.number, "reason": "window_unreachable",
        "reason_label": "No technician can reach it within its time window and shift",
    }]
    stops = [stop for route in data["routes"] for stop in route["stops"]]
    assert sorted(stop["order"] for stop in stops) == sorted(order.pk for order in orders)
    for route in data["routes"]:
        assert [stop["sequence"] for stop in route["stops"]] == list(range(1, len(route["stops"]) + 1))
        assert route["totals"]["stops"] == len(route["stops"])
        assert all(stop["arrival"] <= stop["service_start"] for stop in route["stops"])
    route_km = sum(route["totals"]["km"] for route in data["routes"])
    assert route_km == pytest.approx(data["totals"]["km"], abs=0.01 * len(data["routes"]))
    listed = dispatcher.get(PLANS, {"date": tomorrow(), "status": "solved"}).data["results"]
    assert [item["id"] for item in listed] == [plan.pk]
    assert "routes" not in listed[0]


def test_geojson_has_a_street_line_per_route_and_a_point_per_stop(team, orders, dispatcher):
    plan = solved_plan(dispatcher)
    collection = dispatcher.get(f"{PLANS}{plan.pk}/geojson/").data
    assert collection["type"] == "FeatureCollection"
    lines = [f for f in collection["features"] if f["properties"]["kind"] == "route"]
    points = [f for f in collection["features"] if f["properties"]["kind"] == "stop"]
    assert len(lines) == plan.routes.count()
    assert all(f["geometry"]["type"] == "MultiLineString" for f in lines)
    assert sorted(f["properties"]["order"] for f in points) == sorted(o.pk for o in orders)
    assert all(f["geometry"]["type"] == "Point" for f in points)


def test_accept_assigns_the_orders_and_a_second_accept_is_a_400(team, orders, dispatcher):
    plan = solved_plan(dispatcher)
    response = dispatcher.post(f"{PLANS}{plan.pk}/accept/")
    assert response.status_code == 200 and response.data["status"] == "accepted"
    assigned = dict(ServiceOrder.objects.filter(pk__in=[o.pk for o in orders]).values_list("pk", "assignee"))
    routed = {stop["order"]: route["technician"] for route in response.data["routes"] for stop in route["stops"]}
    assert assigned == routed
    again = dispatcher.post(f"{PLANS}{plan.pk}/accept/")
    assert again.status_code == 400
    assert again.data["non_field_errors"] == [
        "Only a solved plan can be accepted or discarded; this one is accepted."
    ]


def test_accepting_a_stale_plan_is_a_409_and_changes_nothing(team, orders, dispatcher):
    plan = solved_plan(dispatcher)
    update_service_order(ServiceOrder.objects.get(pk=orders[0].pk), estimated_minutes=90)
    response = dispatcher.post(f"{PLANS}{plan.pk}/accept/")
    assert response.status_code == 409
    assert response.data["non_field_errors"] == [
        f"These orders changed after the plan was made: {orders[0].number}. Run the optimiser again."
    ]
    assert not ServiceOrder.objects.filter(assignee__isnull=False).exists()


def test_discard(team, orders, dispatcher):
    plan = solved_plan(dispatcher)
    assert dispatcher.post(f"{PLANS}{plan.pk}/discard/").data["status"] == "discarded"
    assert dispatcher.post(f"{PLANS}{plan.pk}/accept/").status_code == 400


def test_technicians_read_only_their_own_route_of_an_accepted_plan(team, orders, dispatcher):
    ana, bia = (english(technician.user) for technician in team)
    plan = solved_plan(dispatcher, technicians=[team[0].pk, team[1].pk])
    assert ana.get(PLANS).data["results"] == []  # not accepted yet
    assert ana.get(f"{PLANS}{plan.pk}/").status_code == 404
    assert ana.post(PLANS, {"date": tomorrow()}, format="json").status_code == 403
    assert ana.post(f"{PLANS}{plan.pk}/accept/").status_code == 403
    dispatcher.post(f"{PLANS}{plan.pk}/accept/")
    routed_technicians = set(plan.routes.values_list("technician", flat=True))
    for technician, client in zip(team, (ana, bia)):
        if technician.pk not in routed_technicians:
            assert client.get(f"{PLANS}{plan.pk}/").status_code == 404
            continue
        data = client.get(f"{PLANS}{plan.pk}/").data
        assert [route["technician"] for route in data["routes"]] == [technician.pk]
        assert data["unassigned"] == []
        features = client.get(f"{PLANS}{plan.pk}/geojson/").data["features"]
        assert {f["properties"]["technician"] for f in features} == {technician.pk}
        mine = client.get("/api/routing/my-route/", {"date": tomorrow()})
        assert mine.status_code == 200 and mine.data["technician"] == technician.pk
    assert routed_technicians  # the checks above ran for someone


def test_my_route_needs_a_valid_date_and_an_accepted_plan(team, orders):
    ana = english(team[0].user)
    assert ana.get("/api/routing/my-route/").data["date"] == ["This field is required."]
    assert ana.get("/api/routing/my-route/", {"date": "amanhã"}).status_code == 400
    missing = ana.get("/api/routing/my-route/", {"date": tomorrow()})
    assert missing.status_code == 404
    assert missing.data["detail"] == "You have no accepted route on this day."


def test_other_roles_and_anonymous_users_get_nothing(make_user, team, orders):
    sales = english(make_user("sam", "sales"))
    assert sales.get(PLANS).status_code == 403
    assert sales.post(PLANS, {"date": tomorrow()}, format="json").status_code == 403
    assert APIClient().get(PLANS).status_code in (401, 403)
