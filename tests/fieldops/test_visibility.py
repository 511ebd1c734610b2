"""Who sees which service orders: the per-technician rule, sectors, unassigned orders."""
import pytest

from fieldops.selectors import service_orders_visible_to
from fieldops.services import update_technician

from .conftest import CENTER

pytestmark = pytest.mark.django_db

# Two neighbourhoods about 1.5 km apart; sector areas are 1 km squares around them.
NORTH = (CENTER[0], CENTER[1] + 0.015)
SOUTH = (CENTER[0], CENTER[1] - 0.015)


@pytest.fixture
def team(make_technician):
    return make_technician("tiago"), make_technician("colega"), make_technician("outro")


@pytest.fixture
def orders(make_order, team):
    me, colleague, stranger = team
    return {
        "mine": make_order(assignee=me, point=SOUTH),
        "colleague's": make_order(assignee=colleague, point=SOUTH),
        "stranger's in my area": make_order(assignee=stranger, point=NORTH),
        "stranger's elsewhere": make_order(assignee=stranger, point=SOUTH),
        "unassigned in my area": make_order(point=NORTH),
        "unassigned elsewhere": make_order(point=SOUTH),
    }


def visible(user, orders):
    seen = set(service_orders_visible_to(user).values_list("pk", flat=True))
    return {name for name, order in orders.items() if order.pk in seen}


def configure(technician, scope, unassigned=False):
    return update_technician(technician, order_scope=scope, sees_unassigned=unassigned)


@pytest.fixture
def my_sector(make_sector, team):
    me, colleague, _stranger = team
    return make_sector("Zona Norte", area_center=NORTH, technicians=[me, colleague])


def test_own_orders_only_by_default(team, orders):
    assert visible(team[0].user, orders) == {"mine"}


def test_own_orders_and_every_unassigned_one(team, orders):
    configure(team[0], "own", unassigned=True)
    assert visible(team[0].user, orders) == {"mine", "unassigned in my area", "unassigned elsewhere"}


def test_sector_orders_by_area_and_by_team(team, orders, my_sector):
    configure(team[0], "sector")
    assert visible(team[0].user, orders) == {"mine", "colleague's", "stranger's in my area"}


def test_sector_orders_and_the_unassigned_ones_in_its_area(team, orders, my_sector):
    configure(team[0], "sector", unassigned=True)
    assert visible(team[0].user, orders) == {
        "mine", "colleague's", "stranger's in my area", "unassigned in my area",
    }


def test_a_sector_without_area_is_its_team(team, orders, make_sector):
    make_sector("Plantão", technicians=[team[0], team[1]])
    configure(team[0], "sector", unassigned=True)
    assert visible(team[0].user, orders) == {"mine", "colleague's"}


def test_a_sector_the_technician_is_not_in_does_not_count(team, orders, make_sector):
    make_sector("Zona Norte", area_center=NORTH, technicians=[team[1]])
    configure(team[0], "sector")
    assert visible(team[0].user, orders) == {"mine"}


def test_every_assigned_order(team, orders):
    configure(team[0], "all")
    assert visible(team[0].user, orders) == {
        "mine", "colleague's", "stranger's in my area", "stranger's elsewhere",
    }


def test_dispatchers_and_admins_see_everything(orders, make_user):
    for role in ("dispatcher", "admin"):
        assert visible(make_user(f"user-{role}", role), orders) == set(orders)


def test_a_technician_user_without_a_profile_sees_nothing(orders, make_user):
    assert visible(make_user("sem-perfil", "technician"), orders) == set()


def test_the_api_follows_the_rule(api_client, orders, my_sector, team):
    configure(team[0], "sector")
    client = api_client
    client.force_authenticate(team[0].user)
    numbers = {row["number"] for row in client.get("/api/fieldops/service-orders/").data["results"]}
    assert numbers == {orders[name].number for name in ("mine", "colleague's", "stranger's in my area")}
    hidden = orders["stranger's elsewhere"]
    assert client.get(f"/api/fieldops/service-orders/{hidden.pk}/").status_code == 404
