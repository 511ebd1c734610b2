"""The desktop sales pages: who may open them, what they show, bad input."""

from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone

from core.services import create_object
from crm.sales.models import CommissionRule, Sale, SalesGoal
from crm.sales.services import convert_lead
from tests.crm.sales_fixtures import *  # noqa: F403  (fixtures)
from tests.crm.sales_fixtures import VALID_CPF

pytestmark = pytest.mark.django_db

PAGES = ["/sales/pipeline/", "/sales/leads/map/", "/sales/goals/"]
ADDRESS = {
    "cep": "90010-000", "street": "Rua dos Andradas", "number": "100",
    "neighbourhood": "Centro Histórico", "city": "Porto Alegre", "state": "RS",
}


@pytest.fixture
def browser_for(make_user):
    """A logged-in Django test client (pages, not the API) asking for English."""

    def make(role, username=None):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.user = make_user(username or f"page-{role}", role)
        client.force_login(client.user)
        return client

    return make


@pytest.mark.parametrize("role", ["sales", "admin"])
def test_sales_reps_and_administrators_open_every_sales_page(browser_for, make_lead, role):
    client = browser_for(role)
    lead = make_lead(owner=client.user)
    for url in [*PAGES, f"/sales/leads/{lead.pk}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'href="/sales/pipeline/"' in response.content  # the "Sales" menu entry


@pytest.mark.parametrize("role", ["technician", "dispatcher", "billing"])
def test_other_roles_are_refused_and_see_no_sales_menu(browser_for, make_lead, role):
    client = browser_for(role)
    lead = make_lead()
    for url in [*PAGES, f"/sales/leads/{lead.pk}/"]:
        assert client.get(url).status_code == 403, url
    assert b'href="/sales/pipeline/"' not in client.get("/").content


def test_anonymous_visitors_go_to_the_login_page(make_lead):
    for url in [*PAGES, f"/sales/leads/{make_lead().pk}/"]:
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_rep_cannot_open_another_reps_lead(browser_for, make_lead, make_user):
    rep = browser_for("sales")
    theirs = make_lead(owner=make_user("rep-other", "sales"))
    unowned = make_lead(name="Web Lead")
    assert rep.get(f"/sales/leads/{theirs.pk}/").status_code == 404
    assert rep.get(f"/sales/leads/{unowned.pk}/").status_code == 200


def test_the_lead_page_shows_contact_viability_and_forms(
    browser_for, make_lead, viability, plan, store
):
    rep = browser_for("sales")
    lead = make_lead(
        owner=rep.user, viability_check=viability, plan=plan, channel=store,
        mobile_phone="(51) 99876-5432", notes="Call after 18h",
    )
    page = rep.get(f"/sales/leads/{lead.pk}/").content.decode()
    assert "Carlos Lima" in page and "+5551998765432" in page and "Loja Centro" in page
    assert 'id="viability-box">CTO-S1<' in page and "40 m along the streets" in page
    assert "Call after 18h" in page
    assert 'id="proposal-form"' in page and 'id="convert-form"' in page
    assert f'<option value="{plan.pk}" selected>Fibra 300</option>' in page


def test_a_won_lead_offers_neither_proposal_nor_conversion(browser_for, make_lead, viability, plan):
    rep = browser_for("sales")
    lead = make_lead(owner=rep.user, viability_check=viability)
    convert_lead(lead, user=rep.user, document=VALID_CPF, address=ADDRESS, plan=plan)
    page = rep.get(f"/sales/leads/{lead.pk}/").content.decode()
    assert 'id="proposal-form"' not in page and 'id="convert-form"' not in page
    assert "This lead is already a client." in page
    assert 'id="convert-contract">CT-000001<' in page
    assert 'id="convert-port">CTO-S1, port 1<' in page
    assert 'href="/map/?q=CT-000001"' in page


def test_the_board_lists_owners_and_channels_only_managers_may_filter_by_owner(
    browser_for, make_lead, store
):
    admin = browser_for("admin")
    rep = browser_for("sales")
    make_lead(owner=rep.user)
    board = admin.get("/sales/pipeline/").content.decode()
    assert 'name="owner"' in board and "page-sales" in board and "Loja Centro" in board
    assert 'name="owner"' not in rep.get("/sales/pipeline/").content.decode()


def test_goals_show_progress_rankings_and_commissions(
    browser_for, make_lead, viability, plan, store
):
    rep = browser_for("sales", "rep-vera")
    rep.user.first_name = "Vera"
    rep.user.save()
    month = timezone.localdate().replace(day=1)
    create_object(
        SalesGoal, month=month, rep=rep.user, target_count=4, target_revenue=Decimal("400")
    )
    create_object(
        CommissionRule, name="Seller 50%", role="seller", kind="percent", percent=Decimal("50"),
        valid_from=month,
    )
    lead = make_lead(owner=rep.user, viability_check=viability, channel=store)
    convert_lead(lead, user=rep.user, document=VALID_CPF, address=ADDRESS, plan=plan)
    page = rep.get("/sales/goals/").content.decode()
    assert "Rep: Vera" in page and "1 of 4" in page and "R$ 89.90 of R$ 400.00" in page
    assert "Loja Centro" in page  # the channel ranking
    assert "Seller 50%" in page and 'id="commission-total">R$ 44.95<' in page
    assert Sale.objects.count() == 1


def test_goals_of_another_month_and_a_bad_month(browser_for):
    rep = browser_for("sales")
    page = rep.get("/sales/goals/?month=2025-02").content.decode()
    assert "February 2025" in page and "No goal is set for this month." in page
    assert 'href="?month=2025-01"' in page and 'href="?month=2025-03"' in page
    bad = rep.get("/sales/goals/?month=February")
    assert bad.status_code == 200
    assert "Give the month as year-month, e.g. 2026-03." in bad.content.decode()
    assert timezone.localdate().strftime("%B %Y") in bad.content.decode()


def test_the_page_of_a_lead_stored_far_from_brazil_still_opens(browser_for, make_lead):
    """Audit: a lead at lon 36, lat 0 (outside the metric projection) made its page a 500."""
    client = browser_for("sales")
    lead = make_lead(owner=client.user, point=Point(36, 0, srid=4326))
    assert client.get(f"/sales/leads/{lead.pk}/").status_code == 200
