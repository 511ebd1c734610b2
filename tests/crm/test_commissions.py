"""Goals and commissions: rule precedence, percentage vs fixed, rounding, the linear trend,
progress, rankings and the commission list, on hand-built cases."""

from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point

from core.services import create_object
from crm.people.validators import with_cpf_check_digits
from crm.sales.commissions import commission_amount, rule_for
from crm.sales.models import CommissionRule, Sale, SalesChannel, SalesGoal, SalesTeam
from crm.sales.selectors import business_days, goal_progress, month_trend
from crm.sales.services import convert_lead, save_team
from gis.models import CtoBox
from tests.crm.sales_fixtures import *  # noqa: F403  (fixtures)
from tests.crm.sales_fixtures import CENTER, D

pytestmark = pytest.mark.django_db

NOV = D(2026, 11, 1)


def rule(name, kind="percent", value="10.00", role="seller", valid_from=D(2026, 1, 1), **criteria):
    amounts = {"percent": Decimal(value)} if kind == "percent" else {"amount": Decimal(value)}
    return create_object(
        CommissionRule,
        name=name,
        role=role,
        kind=kind,
        valid_from=valid_from,
        **amounts,
        **criteria,
    )


def sale_of(rep, plan, team=None, channel=None, value="89.90", won_on=D(2026, 11, 10)):
    """An unsaved sale: enough for choosing rules, which read only its criteria."""
    return Sale(
        rep=rep, plan=plan, team=team, channel=channel, monthly_value=Decimal(value), won_on=won_on
    )


class TestCommissionMaths:
    def test_percentage_rounds_half_up_to_centavos(self, rep, plan):
        twelve_and_a_half = rule("12.5%", value="12.50")
        assert commission_amount(twelve_and_a_half, Decimal("89.90")) == Decimal("11.24")  # 11.2375
        ten = rule("10%", value="10.00")
        assert commission_amount(ten, Decimal("80.05")) == Decimal(
            "8.01"
        )  # 8.005, half up (not even)

    def test_fixed_amount_is_paid_as_it_is(self, rep, plan):
        assert commission_amount(
            rule("R$ 50", kind="fixed", value="50.00"), Decimal("89.90")
        ) == Decimal("50.00")

    def test_the_most_specific_rule_wins(self, rep, other_rep, plan, big_plan, store):
        team = save_team(SalesTeam(name="Centro"), members=[rep.user])
        general = rule("general")
        by_channel = rule("store", channel=store)
        by_team = rule("team", team=team)
        by_plan = rule("plan", kind="fixed", value="30.00", plan=plan)
        by_person = rule("person", rep=rep.user)
        sale = sale_of(rep.user, plan, team, store)
        assert rule_for("seller", rep.user, sale) == by_person
        assert (
            rule_for("seller", other_rep.user, sale_of(other_rep.user, plan, team, store))
            == by_plan
        )
        assert (
            rule_for("seller", other_rep.user, sale_of(other_rep.user, big_plan, team, store))
            == by_team
        )
        assert (
            rule_for("seller", other_rep.user, sale_of(other_rep.user, big_plan, None, store))
            == by_channel
        )
        assert rule_for("seller", other_rep.user, sale_of(other_rep.user, big_plan)) == general
        # A person's rule outranks even a rule naming plan, team and channel together.
        rule("everything", plan=plan, team=team, channel=store)
        assert rule_for("seller", rep.user, sale) == by_person

    def test_between_equals_the_latest_start_wins_and_validity_counts(self, rep, plan):
        rule("old", valid_from=D(2026, 1, 1))
        newer = rule("newer", valid_from=D(2026, 6, 1))
        rule("future", valid_from=D(2026, 12, 1))
        rule("ended", valid_from=D(2026, 9, 1), valid_until=D(2026, 10, 31))
        assert rule_for("seller", rep.user, sale_of(rep.user, plan)) == newer
        assert rule_for("team_leader", rep.user, sale_of(rep.user, plan)) is None

    def test_a_kind_without_its_value_is_refused(self, admin):
        response = admin.post(
            "/api/crm/sales/commission-rules/",
            {
                "name": "broken",
                "role": "seller",
                "kind": "percent",
                "amount": "10.00",
                "valid_from": "2026-01-01",
            },
            format="json",
        )
        assert response.status_code == 400


class TestTrend:
    def test_business_days_monday_to_friday(self):
        assert business_days(D(2026, 11, 1), D(2026, 11, 30)) == 21
        assert business_days(D(2026, 10, 1), D(2026, 10, 31)) == 22
        assert business_days(D(2026, 11, 7), D(2026, 11, 8)) == 0  # a weekend
        assert business_days(D(2026, 11, 2), D(2026, 11, 1)) == 0

    def test_projection_is_done_over_elapsed_times_total_business_days(self):
        trend = month_trend(NOV, today=D(2026, 11, 24))
        assert (trend.total_days, trend.elapsed_days) == (21, 17)
        assert trend.project(Decimal(6)) == Decimal(6) * 21 / 17
        assert (
            month_trend(NOV, today=D(2026, 11, 1)).project(Decimal(3)) == 3
        )  # nothing elapsed yet
        assert month_trend(NOV, today=D(2026, 12, 5)).project(Decimal(7)) == 7  # month over
        assert month_trend(NOV, today=D(2026, 10, 5)).elapsed_days == 0  # month not begun


@pytest.fixture
def sell(make_lead, plan, rep):
    """sell(rep, plan, channel=None, won_on=None) -> a Sale through the real conversion."""
    serial = iter(range(100, 999))

    def make(user=None, sold_plan=None, channel=None, won_on=None):
        n = next(serial)
        box = create_object(CtoBox, code=f"CTO-{n}", ports_total=2, point=Point(*CENTER, srid=4326))
        lead = make_lead(f"Client {n}", owner=user or rep.user, channel=channel)
        sale, _created = convert_lead(
            lead,
            user=user or rep.user,
            document=with_cpf_check_digits(f"{n}000000"),
            plan=sold_plan or plan,
            cto_box=box,
            address={
                "cep": "90010-000",
                "street": "Rua A",
                "number": str(n),
                "neighbourhood": "Centro",
                "city": "Porto Alegre",
                "state": "RS",
            },
        )
        if won_on:
            Sale.objects.filter(pk=sale.pk).update(won_on=won_on)
            sale.refresh_from_db()
        return sale

    return make


class TestCommissionsFromSales:
    def test_a_won_sale_pays_its_seller_and_team_leader(
        self, sell, rep, other_rep, plan, english_client_for
    ):
        leader = english_client_for("sales", "leader")
        team = save_team(
            SalesTeam(name="Centro"), leader=leader.user, members=[rep.user, other_rep.user]
        )
        rule("seller 10%")
        rule("leader R$ 5", kind="fixed", value="5.00", role="team_leader")
        sale = sell()
        assert sale.team == team
        team_goal = create_object(
            SalesGoal, month=sale.won_on.replace(day=1), team=team, target_count=4
        )
        assert goal_progress(team_goal)["count"] == 1
        paid = {(c.role, c.beneficiary, c.amount) for c in sale.commissions.all()}
        assert paid == {
            ("seller", rep.user, Decimal("8.99")),
            ("team_leader", leader.user, Decimal("5.00")),
        }

    def test_commissions_stay_as_they_were_when_rules_change(self, sell, rep):
        ten = rule("seller 10%")
        sale = sell()
        CommissionRule.objects.filter(pk=ten.pk).update(percent=Decimal("50.00"))
        assert sale.commissions.get().amount == Decimal("8.99")

    def test_the_commission_list_by_month_and_person(self, sell, rep, other_rep, admin):
        rule("seller 10%")
        sell(won_on=D(2026, 10, 15))
        sell(other_rep.user, won_on=D(2026, 10, 20))
        sell(won_on=D(2026, 11, 3))
        october = admin.get("/api/crm/sales/commissions/", {"month": "2026-10"}).json()["results"]
        assert sorted(c["beneficiary"] for c in october) == sorted([rep.user.pk, other_rep.user.pk])
        only_bia = admin.get(
            "/api/crm/sales/commissions/", {"month": "2026-10", "rep": other_rep.user.pk}
        )
        assert [c["amount"] for c in only_bia.json()["results"]] == ["8.99"]
        own = rep.get("/api/crm/sales/commissions/", {"month": "2026-10"}).json()["results"]
        assert [c["beneficiary"] for c in own] == [rep.user.pk]
        assert rep.get("/api/crm/sales/commissions/", {"month": "2026-13"}).status_code == 400


class TestGoalsProgressAndRankings:
    def test_goals_are_set_by_administrators_for_one_scope(self, admin, rep, store):
        url = "/api/crm/sales/goals/"
        goal = {
            "month": "2026-11",
            "rep": rep.user.pk,
            "target_count": 10,
            "target_revenue": "1000.00",
        }
        assert rep.post(url, goal, format="json").status_code == 403
        created = admin.post(url, goal, format="json")
        assert created.status_code == 201, created.json()
        assert created.json()["month"] == "2026-11"
        assert admin.post(url, goal, format="json").status_code == 400  # one goal per rep and month
        both = admin.post(url, {**goal, "month": "2026-12", "channel": store.pk}, format="json")
        assert both.status_code == 400
        assert admin.post(url, {**goal, "month": "2026-99"}, format="json").status_code == 400

    def test_progress_with_trend_for_rep_and_store(self, sell, rep, store, plan, big_plan):
        rep_goal = create_object(
            SalesGoal, month=NOV, rep=rep.user, target_count=10, target_revenue=Decimal("2000.00")
        )
        store_goal = create_object(
            SalesGoal, month=NOV, channel=store, target_count=4, target_revenue=Decimal("400.00")
        )
        sell(channel=store, won_on=D(2026, 11, 3))
        sell(sold_plan=big_plan, won_on=D(2026, 11, 20))
        sell(channel=store, won_on=D(2026, 10, 30))  # another month
        progress = goal_progress(rep_goal, today=D(2026, 11, 24))
        assert (progress["count"], progress["revenue"]) == (2, Decimal("209.80"))
        assert progress["projected_count"] == Decimal("2.5")  # 2 / 17 × 21 = 2.47
        assert progress["projected_revenue"] == Decimal("259.16")  # 209.80 / 17 × 21 = 259.164...
        assert progress["count_percent"] == Decimal("20.0")
        assert progress["projected_revenue_percent"] == Decimal("13.0")
        store_progress = goal_progress(store_goal, today=D(2026, 11, 24))
        assert (store_progress["count"], store_progress["revenue"]) == (1, Decimal("89.90"))

    def test_progress_api_reps_see_their_goals(self, sell, rep, other_rep, admin):
        create_object(SalesGoal, month=D(2026, 10, 1), rep=rep.user, target_count=2)
        create_object(SalesGoal, month=D(2026, 10, 1), rep=other_rep.user, target_count=2)
        sell(won_on=D(2026, 10, 7))
        rows = rep.get("/api/crm/sales/progress/", {"month": "2026-10"}).json()
        assert len(rows) == 1
        assert rows[0]["count"] == 1 and rows[0]["projected_count"] == "1.0"  # a finished month
        assert rows[0]["business_days"] == 22 and rows[0]["elapsed_business_days"] == 22
        assert len(admin.get("/api/crm/sales/progress/", {"month": "2026-10"}).json()) == 2

    def test_rankings_of_reps_and_channels(self, sell, rep, other_rep, store, big_plan, admin):
        site = create_object(SalesChannel, name="Site", kind="website")
        sell(channel=store, won_on=D(2026, 11, 3))
        sell(other_rep.user, big_plan, channel=site, won_on=D(2026, 11, 4))
        sell(other_rep.user, channel=store, won_on=D(2026, 11, 5))
        body = admin.get("/api/crm/sales/rankings/", {"month": "2026-11"}).json()
        assert body["month"] == "2026-11"
        assert [(r["position"], r["id"], r["count"], r["revenue"]) for r in body["reps"]] == [
            (1, other_rep.user.pk, 2, "209.80"),
            (2, rep.user.pk, 1, "89.90"),
        ]
        assert [(c["name"], c["count"], c["revenue"]) for c in body["channels"]] == [
            ("Loja Centro", 2, "179.80"),
            ("Site", 1, "119.90"),
        ]


def test_the_back_office_lists_sales_records(client, make_user, sell):
    rule("seller 10%")
    sale = sell()
    admin_user = make_user("office", "admin", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    for model in ("proposal", "sale", "salesteam", "salesgoal", "commissionrule"):
        assert client.get(f"/admin/sales/{model}/").status_code == 200, model
    assert client.get(f"/admin/sales/sale/{sale.pk}/change/").status_code == 200


def test_a_rep_is_in_one_team_at_most(admin, rep):
    first = admin.post(
        "/api/crm/sales/teams/", {"name": "Centro", "members": [rep.user.pk]}, format="json"
    )
    assert first.status_code == 201, first.json()
    second = admin.post(
        "/api/crm/sales/teams/", {"name": "Norte", "members": [rep.user.pk]}, format="json"
    )
    assert second.status_code == 400
    assert second.json() == {"members": ["rep-ana is already in team Centro."]}
    assert rep.post("/api/crm/sales/teams/", {"name": "Sul"}, format="json").status_code == 403


def test_channels_are_listed_for_reps_and_kept_by_administrators(rep, admin, store):
    listed = rep.get("/api/crm/sales/channels/").json()["results"]
    assert [(c["name"], c["kind"]) for c in listed] == [("Loja Centro", "store")]
    assert rep.post("/api/crm/sales/channels/", {"name": "Site"}, format="json").status_code == 403
    created = admin.post(
        "/api/crm/sales/channels/", {"name": "Site", "kind": "website"}, format="json"
    )
    assert created.status_code == 201 and len(created.json()["public_key"]) > 20


def test_won_sales_are_listed_reps_seeing_theirs(sell, rep, other_rep, admin):
    mine = sell()
    sell(other_rep.user)
    rows = rep.get("/api/crm/sales/sales/").json()["results"]
    assert [(row["id"], row["cto_port"], row["contract_status"]) for row in rows] == [
        (mine.pk, 1, "awaiting_installation")
    ]
    assert rows[0]["service_order_number"] == mine.service_order.number
    assert admin.get("/api/crm/sales/sales/").json()["count"] == 2
