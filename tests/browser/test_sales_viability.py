"""The sales rep's viability view on a phone (390x844) in headless Chromium: an address, the
answer with the box and the walking path on the map, a lead registered; the GPS outside
coverage; an address that does not geocode."""
import pytest

from crm.sales.models import Lead
from tests.crm.viability_network import *  # noqa: F403  (fixtures)
from tests.crm.viability_network import HOUSE_ADDRESS, on_rua_norte, on_rua_sul

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page whose GPS says it stands at the east end of Rua Sul (outside coverage)."""
    context = browser.new_context(
        base_url=live_server.url, locale="pt-BR", viewport=PHONE, is_mobile=True, has_touch=True,
        device_scale_factor=2, geolocation={"longitude": on_rua_sul(280)[0], "latitude": -30.0},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


@pytest.fixture
def rep_page(phone, make_user, drop_network, make_box):
    make_box("CTO-IN", on_rua_norte(19))
    make_box("CTO-FULL", on_rua_sul(66), ports=2, used=2)
    rep = make_user("vendedora", "sales", first_name="Vera")
    phone.goto("/login/")
    phone.fill("#id_username", "vendedora")
    phone.fill("#id_password", "s3cret-pass")
    phone.click("button[type=submit]")
    phone.wait_for_url("**/")
    phone.goto("/sales/viability/")
    phone.wait_for_selector("#viability-map[data-ready]")
    phone.rep = rep
    return phone


def shoot(page, name):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def source_features(page, name):
    return page.evaluate("(name) => malhaMap.getSource(name).serialize().data.features", name)


def test_the_rep_checks_an_address_sees_box_and_walk_and_registers_the_lead(rep_page):
    page = rep_page
    page.fill("#viability-address", HOUSE_ADDRESS)
    page.click("#viability-search button[type=submit]")
    page.wait_for_selector("#viability-result[data-state=viable]")
    page.wait_for_function("() => malhaMap.loaded() && !malhaMap.isMoving()")
    assert page.locator("#viability-boxes li.chosen").inner_text().startswith("CTO-IN")
    assert "CTO-FULL" not in page.locator("#viability-boxes").inner_text()
    assert page.locator("#viability-plans li").count() == 2
    walks = source_features(page, "walk")
    assert len(walks) == 1 and walks[0]["properties"]["chosen"]
    assert len(walks[0]["geometry"]["coordinates"]) >= 4  # round the corners of the U
    assert [box["properties"]["name"] for box in source_features(page, "boxes")] == ["CTO-IN"]
    # The drawn walk is on screen.
    assert page.evaluate("() => malhaMap.queryRenderedFeatures({layers: ['walk-chosen']}).length") >= 1
    shoot(page, "sales-viability-viable")

    page.fill("#lead-form [name=name]", "Maria Silva")
    page.fill("#lead-form [name=mobile_phone]", "(51) 99876-5432")
    page.fill("#lead-form [name=email]", "maria@example.com")
    page.select_option("#lead-plan", label="Fibra 500")
    page.click("#lead-form button[type=submit]")
    # Without consent the form says what is missing and sends nothing.
    assert page.locator("#lead-error").is_visible()
    assert not Lead.objects.exists()
    page.check("#lead-form [name=consent_contact]")
    page.click("#lead-form button[type=submit]")
    page.wait_for_selector("#lead-done:not([hidden])")
    assert page.locator("#lead-form").is_hidden()
    lead = Lead.objects.select_related("person", "viability_check", "plan").get()
    assert lead.owner == page.rep and lead.person.name == "Maria Silva"
    assert lead.viability_check.box.code == "CTO-IN" and lead.plan.name == "Fibra 500"
    assert lead.consent_contact and lead.point is not None
    assert page.locator("#lead-proposal").get_attribute("href") == f"/sales/leads/{lead.pk}/"
    shoot(page, "sales-viability-lead")
    # On to the lead's page, where the proposal is made and sent.
    page.click("#lead-proposal")
    page.wait_for_url(f"**/sales/leads/{lead.pk}/")
    assert "Maria Silva" in page.locator("main").inner_text()
    shoot(page, "sales-viability-lead-page")


def test_the_gps_outside_coverage_and_an_unknown_address(rep_page):
    page = rep_page
    page.click("#viability-gps")
    page.wait_for_selector("#viability-result[data-state=not-viable]")
    assert page.locator("#viability-reasons li[data-code=outside_coverage]").count() == 1
    assert page.locator("#viability-plans-block").is_hidden()
    shoot(page, "sales-viability-gps-outside")

    page.fill("#viability-address", "Rua Que Não Existe, 45")
    page.click("#viability-search button[type=submit]")
    page.wait_for_selector("#viability-message:not([hidden])")
    assert page.locator("#viability-result").get_attribute("data-state") == "error"
    # The previous answer is gone: no verdict, no pin, no lead to attach it to.
    assert page.locator("#viability-result").is_hidden() and page.locator("#lead-section").is_hidden()
    assert source_features(page, "point") == []
    shoot(page, "sales-viability-not-found")


def test_a_pin_dropped_on_the_map_is_checked(rep_page):
    page = rep_page
    page.evaluate("([lon, lat]) => malhaMap.jumpTo({center: [lon, lat], zoom: 17})", list(on_rua_sul(96)))
    page.wait_for_function("() => malhaMap.loaded() && !malhaMap.isMoving()")
    box = page.locator("#viability-map canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#viability-result[data-state=viable]")
    point = source_features(page, "point")[0]["geometry"]["coordinates"]
    assert point == pytest.approx(list(on_rua_sul(96)), abs=2e-5)


def test_the_public_widget_answers_a_visitor_and_takes_their_contact(phone, drop_network, make_box, website):
    make_box("CTO-IN", on_rua_norte(19))
    page = phone
    page.goto(f"/widget/viability/{website.public_key}/")
    page.fill("#widget-address", HOUSE_ADDRESS)
    page.click("#widget-check button[type=submit]")
    page.wait_for_selector("#widget-answer[data-state=viable]")
    assert page.locator("#widget-plans li").count() == 2
    assert "CTO" not in page.content()
    page.fill("#widget-lead [name=name]", "João Pereira")
    page.fill("#widget-lead [name=email]", "joao@example.com")
    page.click("#widget-lead button[type=submit]")
    page.wait_for_selector("#widget-error:not([hidden])")  # no consent yet
    page.check("#widget-lead [name=consent]")
    page.click("#widget-lead button[type=submit]")
    page.wait_for_selector("#widget-thanks:not([hidden])")
    lead = Lead.objects.select_related("person", "viability_check").get()
    assert lead.channel == website and lead.person.name == "João Pereira" and lead.owner is None
    assert lead.viability_check.viable
    shoot(page, "sales-widget")
