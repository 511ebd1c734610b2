"""From a polygon on the map to a campaign's delivery report, with a real SMTP server and worker."""
import pytest

from tests.browser.test_map import CENTER, draw_polygon, jump_to
from tests.messaging.conftest import (  # noqa: F401  (fixtures)
    gateway,
    make_client,
    messaging_settings,
    phone,
    plan,
    smtp_server,
    start_worker,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Around the test clients' point (the map tests' centre), about 100 m each way.
AROUND = [(CENTER[0] - 0.001, CENTER[1] - 0.001), (CENTER[0] + 0.001, CENTER[1] - 0.001),
          (CENTER[0] + 0.001, CENTER[1] + 0.001), (CENTER[0] - 0.001, CENTER[1] + 0.001)]


def open_campaign_form(page, make_user, login):
    """A dispatcher draws a polygon around the clients and opens "Notify these clients"."""
    make_user("despachante", "dispatcher")
    login("despachante")
    page.wait_for_url("**/")
    page.set_default_timeout(15000)
    page.goto("/map/")
    page.wait_for_selector("#map[data-ready]")
    jump_to(page, *CENTER, 16)
    draw_polygon(page, AROUND)
    page.locator("#selection-result").wait_for()
    page.click("#selection-notify")
    return page.locator("#campaign-form")


def wait_for_total(page, status, count):
    # The live server speaks no WebSocket: the page falls back to polling the report.
    page.wait_for_function(
        "([status, count]) => document.querySelector(`#report-total-${status}`).textContent === count",
        arg=[status, str(count)], timeout=60000,
    )


def test_a_dispatcher_notifies_the_clients_of_a_polygon_and_watches_the_report(
    page, make_user, login, make_client, smtp_server, start_worker, screenshot
):
    for index, name in enumerate(["Ana Souza", "Bruno Lima", "Carla Dias"]):
        make_client(name, email=f"cliente{index}@example.com", points=[CENTER])
    make_client("Davi Rocha", points=[CENTER])  # no e-mail: excluded
    start_worker(concurrency=1)
    form = open_campaign_form(page, make_user, login)
    # Only e-mail has a provider in these settings.
    assert form.locator("select[name=channel] option").all_inner_texts() == ["E-mail"]
    form.locator("[name=name]").fill("Manutenção no Centro")
    form.locator("[name=subject]").fill("Manutenção programada")
    form.locator("[name=body]").fill("Olá, ")
    form.locator("[data-placeholder=first_name]").click()
    form.locator("[name=body]").press("End")
    form.locator("[name=body]").type("! Manutenção no protocolo ")
    form.locator("[data-placeholder=protocol]").click()

    # A protocol placeholder with no protocol: the server's message shows under the field it names.
    page.click("#campaign-preview-button")
    error = form.locator(".field-error")
    error.wait_for()
    assert page.locator("#campaign-send").is_disabled()
    screenshot("campaign-form-error")

    form.locator("[name=protocol]").fill("2026-0042")
    page.click("#campaign-preview-button")
    page.locator("#campaign-preview").wait_for()
    assert form.locator(".field-error").count() == 0
    assert page.locator("#campaign-recipients").inner_text().startswith("3 ")
    assert page.locator("#campaign-excluded tr[data-reason=no_email] td").last.inner_text() == "1"
    assert "Manutenção no protocolo 2026-0042" in page.locator("#campaign-sample-body").inner_text()
    screenshot("campaign-preview")

    page.click("#campaign-send")
    page.wait_for_url("**/campaigns/*/")
    wait_for_total(page, "sent", 3)
    assert page.locator("#report-recipients").inner_text() == "3"
    assert page.locator("#report-excluded li[data-reason=no_email] span").last.inner_text() == "1"
    assert page.locator("#report-no-failures").is_visible()
    screenshot("campaign-report")
    assert sorted(envelope.rcpt_tos[0] for envelope in smtp_server.messages) == [
        "cliente0@example.com", "cliente1@example.com", "cliente2@example.com",
    ]

    page.click("nav.mainnav a[href='/campaigns/']")
    assert page.locator("#campaign-list tbody tr").count() == 1
    screenshot("campaign-list")


def test_an_sms_failure_shows_the_gateways_error_and_is_resent(
    page, make_user, login, make_client, gateway, start_worker, screenshot
):
    for index, name in enumerate(["Ana Souza", "Bruno Lima"]):
        make_client(name, phone=phone(index), points=[CENTER])
    gateway.fail_numbers[phone(1)] = "invalid destination number"
    start_worker(concurrency=1)
    form = open_campaign_form(page, make_user, login)
    form.locator("[name=channel]").select_option("sms")
    assert form.locator("[name=subject]").is_hidden()
    form.locator("[name=name]").fill("Queda no Centro")
    form.locator("[name=body]").fill("Falha na rede do Centro, {first_name}. Previsão de retorno em 2 h.")
    page.click("#campaign-preview-button")
    page.locator("#campaign-preview").wait_for()
    # "ã" is outside GSM-7: the message goes as UCS-2, still one segment.
    assert "(UCS-2), 1 " in page.locator("#campaign-length").inner_text()
    assert page.locator("#campaign-sample-body").inner_text().startswith("Falha na rede do Centro, Ana.")
    screenshot("campaign-sms-preview")

    page.click("#campaign-send")
    page.wait_for_url("**/campaigns/*/")
    wait_for_total(page, "failed", 1)
    failure = page.locator("#report-failures tbody tr")
    failure.wait_for()
    assert "Bruno Lima" in failure.inner_text()
    assert "HTTP 400: invalid destination number" in failure.inner_text()
    screenshot("campaign-sms-failure")

    # The number is fixed at the gateway: "Resend failed" reaches it.
    del gateway.fail_numbers[phone(1)]
    page.click("#report-resend")
    page.locator("#report-resend-result").wait_for()
    wait_for_total(page, "sent", 2)
    assert page.locator("#report-no-failures").is_visible()
    assert sorted(message["to"] for message in gateway.accepted) == [phone(0), phone(1)]


def test_campaign_pages_are_for_those_who_may_view_campaigns(client, make_user):
    make_user("tecnico", "technician")
    client.login(username="tecnico", password="s3cret-pass")
    assert client.get("/campaigns/").status_code == 403
    assert client.get("/campaigns/1/").status_code == 403
    assert 'href="/campaigns/"' not in client.get("/").content.decode()
