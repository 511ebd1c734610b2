"""The desktop sales pages in headless Chromium: the pipeline board (drag between stages, the
lost reason, a stale card), the lead's page (a proposal e-mailed over real SMTP, accepted,
the lead converted), the leads map and the goals."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, Point
from django.utils import timezone
from playwright.sync_api import expect

from core.services import create_object
from crm.sales.models import CommissionRule, Lead, Proposal, Sale, SalesGoal, SalesTeam
from crm.sales.services import convert_lead, move_lead, save_team, update_lead
from gis.models import RoadEdge, RoadNode
from tests.browser.conftest import ARTIFACTS
from tests.crm.sales_fixtures import *  # noqa: F403  (fixtures)
from tests.crm.sales_fixtures import CENTER, VALID_CPF
from tests.messaging.conftest import eager_tasks  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def page(browser, live_server):
    """A desktop page in English: the assertions read the messages' English msgids."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1440, "height": 900}
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def vera(page, make_user):
    """A sales rep logged in."""
    rep = make_user("vendedora", "sales", first_name="Vera", last_name="Souza")
    page.goto("/login/")
    page.fill("#id_username", "vendedora")
    page.fill("#id_password", "s3cret-pass")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    page.set_default_timeout(20000)
    return rep


@pytest.fixture
def streets(db):
    """A cross of named streets around the leads, for the base map."""
    lon, lat = CENTER
    ways = [
        ("Rua dos Andradas", (lon - 0.004, lat), (lon + 0.004, lat)),
        ("Av. Borges de Medeiros", (lon + 0.002, lat - 0.003), (lon + 0.002, lat + 0.003)),
        ("Rua da Praia", (lon - 0.004, lat - 0.0015), (lon + 0.004, lat - 0.0015)),
    ]
    for way, (name, start, end) in enumerate(ways, start=1):
        source = RoadNode.objects.create(osm_id=way * 10, point=Point(*start, srid=4326))
        target = RoadNode.objects.create(osm_id=way * 10 + 1, point=Point(*end, srid=4326))
        RoadEdge.objects.create(
            source=source, target=target, osm_way_id=way, name=name, highway="residential",
            length_m=700, speed_kmh=30, travel_time_s=84,
            geom=LineString(source.point, target.point, srid=4326),
        )


def at(east=0.0, north=0.0):
    return Point(CENTER[0] + east, CENTER[1] + north, srid=4326)


@pytest.fixture
def leads(vera, make_lead, plan, big_plan, store, viability):
    now = timezone.now()
    maria = make_lead(
        "Maria Silva", owner=vera, plan=plan, channel=store, viability_check=viability,
        address_text="Rua dos Andradas, 100 - Centro Histórico", email="maria@example.com",
        next_action_at=now - datetime.timedelta(days=1),
    )
    joao = make_lead(
        "João Pereira", owner=vera, plan=big_plan, address_text="Av. Borges de Medeiros, 500",
        point=at(east=0.002, north=0.001),
        next_action_at=now + datetime.timedelta(days=2),
    )
    web = make_lead(
        "Ana Web", channel=store, address_text="Rua da Praia, 20", point=at(-0.0015, -0.0015)
    )
    move_lead(joao, stage="contacted", user=vera)
    return {"maria": maria, "joao": Lead.objects.get(pk=joao.pk), "web": web}


def card(page, lead):
    return page.locator(f'.pipeline-card[data-id="{lead.pk}"]')


def wait_count(page, stage, count):
    page.wait_for_function(
        "([stage, count]) => "
        "document.querySelector(`[data-count=\"${stage}\"]`).textContent === count",
        arg=[stage, str(count)],
    )


def column(page, stage):
    return page.locator(f'.pipeline-column[data-stage="{stage}"]')


def test_the_board_moves_a_lead_by_dragging_asks_why_it_was_lost_and_reloads_a_stale_card(
    page, vera, leads
):
    page.goto("/sales/pipeline/")
    page.wait_for_selector("#pipeline-board[data-ready]")
    maria = card(page, leads["maria"])
    assert maria.locator(".next-action.overdue").count() == 1  # yesterday's action is overdue
    assert "Fibra 300" in maria.inner_text() and "Loja Centro" in maria.inner_text()
    wait_count(page, "new", 2)
    wait_count(page, "contacted", 1)
    assert "No owner yet" in card(page, leads["web"]).inner_text()
    shoot(page, "sales-pipeline")

    maria.drag_to(column(page, "contacted"))
    column(page, "contacted").locator(f'[data-id="{leads["maria"].pk}"]').wait_for()
    wait_count(page, "contacted", 2)
    wait_count(page, "new", 1)
    assert Lead.objects.get(pk=leads["maria"].pk).stage == "contacted"

    # Lost asks why; the reason is required.
    card(page, leads["maria"]).drag_to(column(page, "lost"))
    dialog = page.locator("#lost-dialog")
    dialog.wait_for()
    dialog.locator("button[value=confirm]").click()
    assert page.locator("#lost-error").is_visible()
    dialog.locator("[name=lost_reason]").select_option("competitor")
    dialog.locator("[name=lost_detail]").fill("Fechou com a concorrente do bairro")
    shoot(page, "sales-pipeline-lost-dialog")
    dialog.locator("button[value=confirm]").click()
    column(page, "lost").locator(f'[data-id="{leads["maria"].pk}"]').wait_for()
    lead = Lead.objects.get(pk=leads["maria"].pk)
    assert (lead.stage, lead.lost_reason, lead.lost_detail) == (
        "lost", "competitor", "Fechou com a concorrente do bairro",
    )
    assert "Chose a competitor: Fechou com" in card(page, lead).inner_text()

    # Someone else changes João while the board shows the old version: a 409, said plainly,
    # and the card comes back from the server.
    update_lead(leads["joao"], user=vera, notes="Changed elsewhere")
    move_lead(Lead.objects.get(pk=leads["joao"].pk), stage="new", user=vera)
    card(page, leads["joao"]).drag_to(column(page, "lost"))
    page.locator("#lost-dialog [name=lost_reason]").select_option("price")
    page.locator("#lost-dialog button[value=confirm]").click()
    message = page.locator("#pipeline-message")
    message.wait_for()
    assert "The card was reloaded." in message.inner_text()
    column(page, "new").locator(f'[data-id="{leads["joao"].pk}"]').wait_for()
    assert Lead.objects.get(pk=leads["joao"].pk).stage == "new"
    wait_count(page, "new", 2)
    shoot(page, "sales-pipeline-conflict")

    # "Won" belongs to the conversion: the server's answer is shown, nothing moves.
    card(page, leads["web"]).drag_to(column(page, "won"))
    page.wait_for_function(
        "() => document.querySelector('#pipeline-message').textContent"
        ".includes('Convert the lead to win it')"
    )
    assert column(page, "new").locator(f'[data-id="{leads["web"].pk}"]').count() == 1

    # Without dragging (keyboard, touch): the stage menu under the card. Working on the
    # unowned web lead makes it the rep's.
    card(page, leads["web"]).locator(".card-move").select_option("contacted")
    column(page, "contacted").locator(f'[data-id="{leads["web"].pk}"]').wait_for()
    assert "Vera Souza" in card(page, leads["web"]).inner_text()
    web = Lead.objects.get(pk=leads["web"].pk)
    assert (web.stage, web.owner) == ("contacted", vera)


def shown(page, *present, absent=()):
    """Wait until the board shows exactly these cards among those named."""
    page.wait_for_function(
        """([present, absent]) =>
            document.querySelector('#pipeline-board').getAttribute('aria-busy') === 'false'
            && present.every((id) => document.querySelector(`.pipeline-card[data-id="${id}"]`))
            && absent.every((id) => !document.querySelector(`.pipeline-card[data-id="${id}"]`))""",
        arg=[[lead.pk for lead in present], [lead.pk for lead in absent]],
    )


def test_the_filters_narrow_the_board(page, vera, leads):
    page.goto("/sales/pipeline/")
    page.wait_for_selector("#pipeline-board[data-ready]")
    page.check("#lead-filters [name=mine]")
    shown(page, leads["maria"], leads["joao"], absent=[leads["web"]])
    wait_count(page, "new", 1)
    page.uncheck("#lead-filters [name=mine]")
    page.select_option("#lead-filters [name=channel]", label="Loja Centro")
    shown(page, leads["maria"], leads["web"], absent=[leads["joao"]])
    page.select_option("#lead-filters [name=channel]", index=0)
    page.fill("#lead-filters [name=q]", "João")
    shown(page, leads["joao"], absent=[leads["maria"], leads["web"]])
    wait_count(page, "contacted", 1)
    wait_count(page, "new", 0)


def test_a_proposal_is_made_emailed_accepted_and_the_lead_converted(
    page, vera, leads, plan, big_plan, box, smtp_server, eager_tasks
):
    maria = leads["maria"]
    page.goto(f"/sales/leads/{maria.pk}/")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#viability-box").inner_text() == "CTO-S1"
    assert "40 m" in page.locator("#viability-walk").inner_text()
    shoot(page, "sales-lead")

    # Notes and the next action (yesterday's is overdue).
    assert page.locator("#next-action-overdue").is_visible()
    page.fill("#notes-form [name=notes]", "Prefere contato à noite")
    page.fill("#notes-form [name=next_action_at]", "2030-05-10T19:30")
    page.click("#notes-form button[type=submit]")
    page.wait_for_function("() => document.querySelector('#notes-saved').textContent !== ''")
    assert page.locator("#next-action-overdue").count() == 0
    maria.refresh_from_db()
    assert maria.notes == "Prefere contato à noite" and maria.next_action_at.year == 2030

    # Two plans, one with a discount above a rep's limit: the error is shown by the plans.
    form = page.locator("#proposal-form")
    form.locator(f'input[name=plan][value="{big_plan.pk}"]').check()
    form.locator(f"#price-{big_plan.pk}").fill("50.00")
    form.locator("button[value=send]").click()
    form.locator('[data-error-for="items"]').wait_for()
    assert "above your limit" in form.locator('[data-error-for="items"]').inner_text()
    assert not Proposal.objects.exists()
    form.locator(f"#price-{big_plan.pk}").fill("110.00")
    form.locator("button[value=send]").click()
    page.wait_for_selector(".proposal [data-sending=sent]")
    proposal = Proposal.objects.get()
    assert proposal.sending_status == "sent" and len(smtp_server.messages) == 1
    assert smtp_server.messages[0].rcpt_tos == ["maria@example.com"]
    expect(page.locator("#lead-stage")).to_have_text("Proposal sent")
    pdf = page.locator(".proposal .pdf-link").get_attribute("href")
    response = page.request.get(pdf)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    shoot(page, "sales-lead-proposal-sent")

    # The client accepts (typed name); the accepted proposal is offered for the conversion.
    page.click(".proposal [data-action=accept]")
    page.fill(".accept-form [name=signed_name]", "Maria Silva")
    page.click(".accept-form button[type=submit]")
    page.wait_for_selector('.proposal[data-status="accepted"]')
    convert = page.locator("#convert-form")
    assert convert.locator("[name=proposal]").input_value() == str(proposal.pk)

    # A missing address field, then an invalid CPF: each error under its own field.
    convert.locator("[name=document]").fill("123.456.789-00")
    convert.locator('[name="address.street"]').fill("Rua dos Andradas")
    convert.locator('[name="address.number"]').fill("100")
    convert.locator('[name="address.neighbourhood"]').fill("Centro Histórico")
    convert.locator('[name="address.city"]').fill("Porto Alegre")
    convert.locator('[name="address.state"]').select_option("RS")
    convert.locator("[name=due_day]").select_option("15")
    convert.locator("[name=plan]").select_option(label="Fibra 600")
    convert.locator("button[type=submit]").click()
    convert.locator('[data-field="address.cep"]').wait_for()
    assert convert.locator('[name="address.cep"]').get_attribute("aria-invalid") == "true"
    convert.locator('[name="address.cep"]').fill("90010-000")
    convert.locator("button[type=submit]").click()
    convert.locator('[data-field="document"]').wait_for()
    assert "CPF" in convert.locator('[data-field="document"]').inner_text()
    assert convert.locator('[data-field="address.cep"]').count() == 0
    assert not Sale.objects.exists()
    shoot(page, "sales-lead-convert-errors")

    convert.locator("[name=document]").fill(VALID_CPF)
    convert.locator("button[type=submit]").click()
    page.wait_for_selector("#convert-done:not([hidden])")
    sale = Sale.objects.select_related("contract", "service_order").get()
    assert sale.proposal == proposal and sale.contract.due_day == 15
    assert sale.contract.monthly_discount == Decimal("9.90") and sale.plan == big_plan
    assert page.locator("#convert-contract").inner_text() == sale.contract.number
    assert page.locator("#convert-order").inner_text() == sale.service_order.number
    assert page.locator("#convert-port").inner_text() == "CTO-S1, port 1"
    assert page.locator("#convert-map").get_attribute("href") == f"/map/?q={sale.contract.number}"
    expect(page.locator("#lead-stage")).to_have_text("Won")
    assert page.locator("#contact-document").inner_text() == VALID_CPF
    shoot(page, "sales-lead-converted")


def test_the_leads_map_colours_leads_by_stage_and_links_to_them(page, vera, leads, streets):
    page.goto("/sales/leads/map/")
    page.wait_for_selector("#leads-map[data-ready]")
    page.evaluate("([lon, lat]) => malhaMap.jumpTo({center: [lon, lat], zoom: 16})", list(CENTER))
    page.wait_for_function(
        "() => malhaMap.getSource('leads').serialize().data.features.length === 3"
    )
    page.wait_for_function("() => malhaMap.loaded() && !malhaMap.isMoving()")
    assert "3 leads" in page.locator("#leads-map-status").inner_text()
    shoot(page, "sales-leads-map")
    # The legend's stages filter the points.
    page.uncheck('#leads-legend input[value="contacted"]')
    page.wait_for_function(
        "() => malhaMap.getSource('leads').serialize().data.features.length === 2"
    )
    page.wait_for_function("() => malhaMap.loaded() && !malhaMap.isMoving()")
    box = page.locator("#leads-map canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".maplibregl-popup")
    popup.wait_for()
    assert popup.locator("a").get_attribute("href") == f"/sales/leads/{leads['maria'].pk}/"
    shoot(page, "sales-leads-map-popup")


def test_the_goals_page_shows_progress_trend_rankings_and_commissions(
    page, vera, leads, plan, make_user
):
    month = timezone.localdate().replace(day=1)
    create_object(SalesGoal, month=month, rep=vera, target_count=5, target_revenue=Decimal("500"))
    team = save_team(SalesTeam(), name="Equipe Centro", members=[vera])
    create_object(
        SalesGoal, month=month, team=team, target_count=20, target_revenue=Decimal("2000")
    )
    create_object(
        CommissionRule, name="Vendedor 10%", role="seller", kind="percent",
        percent=Decimal("10"), valid_from=month,
    )
    address = {
        "cep": "90010-000", "street": "Rua dos Andradas", "number": "100",
        "neighbourhood": "Centro Histórico", "city": "Porto Alegre", "state": "RS",
    }
    convert_lead(leads["maria"], user=vera, document=VALID_CPF, address=address, plan=plan)
    page.goto("/sales/goals/")
    goals = page.locator("#goals .goal")
    assert goals.count() == 2
    assert "1 of 5" in page.locator("#goals").inner_text()
    assert "Team: Equipe Centro" in page.locator("#goals").inner_text()
    assert page.locator("#rep-ranking tbody tr").first.inner_text().startswith("1º\tVera Souza")
    assert "Loja Centro" in page.locator("#channel-ranking").inner_text()
    assert page.locator("#commission-total").inner_text() == "R$ 8.99"
    shoot(page, "sales-goals")
