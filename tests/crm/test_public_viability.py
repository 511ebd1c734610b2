"""The public viability API and widget for the ISP's site: origins, rate limit, CAPTCHA,
no leak of the plant, leads with consent."""
import pytest

from crm.people.models import Person
from crm.sales.models import Lead, ViabilityCheck
from tests.crm.viability_network import *  # noqa: F403  (fixtures)
from tests.crm.viability_network import HOUSE, HOUSE_ADDRESS, on_rua_norte

VIABILITY = "/api/public/viability/"
LEADS = "/api/public/leads/"
SITE = "https://www.provedor.com.br"


@pytest.fixture
def visitor(api_client):
    api_client.credentials(HTTP_ACCEPT_LANGUAGE="en", HTTP_ORIGIN=SITE)
    return api_client


@pytest.fixture
def served(drop_network, make_box):
    """The house is viable through CTO-IN; a full box and its client are near it too."""
    make_box("CTO-FULL-7", (-51.19935, -30.0000), ports=1, used=1)
    return make_box("CTO-IN", on_rua_norte(19))


def ask(client, channel, **body):
    return client.post(VIABILITY, {"key": channel.public_key, **body}, format="json")


def assert_no_plant_or_clients(response):
    text = response.content.decode()
    for secret in ("CTO-", "Cliente", "box", "walking", "distance", "path", "coverage", "-51.19", "check"):
        assert secret not in text


def test_a_viable_address_gets_only_the_answer_and_the_plans(served, website, visitor):
    response = ask(visitor, website, address=HOUSE_ADDRESS)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"viable", "message", "plans"}
    assert body["viable"] is True
    assert body["message"] == "Good news: we can connect you at this address!"
    assert [plan["name"] for plan in body["plans"]] == ["Fibra 300", "Fibra 500"]
    assert set(body["plans"][0]) == {"id", "name", "download_mbps", "upload_mbps", "price"}
    assert_no_plant_or_clients(response)
    check = ViabilityCheck.objects.get()
    assert check.channel == website and check.user is None and check.client_ip == "127.0.0.1"
    assert check.box == served


def test_not_viable_says_so_without_saying_why(drop_network, make_box, website, visitor):
    make_box("CTO-FULL-7", (-51.19935, -30.0000), ports=1, used=1)
    response = ask(visitor, website, lon=HOUSE[0], lat=HOUSE[1], max_drop_m=5000)
    body = response.json()
    assert body == {
        "viable": False,
        "message": "We cannot connect this address yet. Leave your contact and we will let you know when we can.",
        "plans": [],
    }
    assert_no_plant_or_clients(response)
    assert ViabilityCheck.objects.get().result["max_drop_m"] == 250


def test_address_not_found_offers_the_location_and_nothing_else(drop_network, website, visitor):
    response = ask(visitor, website, address="Rua Que Não Existe, 45")
    assert response.status_code == 400
    assert response.json() == {
        "code": "address_not_found",
        "message": "We could not find this address. Check the street and the number, or use your location.",
    }


@pytest.mark.parametrize("origin", ["https://evil.example.com", "", "https://provedor.com.br"])
def test_other_sites_and_requests_without_origin_are_refused(served, website, api_client, origin):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    response = api_client.post(VIABILITY, {"key": website.public_key, "address": HOUSE_ADDRESS},
                               format="json", HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert response.status_code == 403
    assert response.json()["detail"] == "This site may not use this sales channel's widget."
    assert "Access-Control-Allow-Origin" not in response
    assert not ViabilityCheck.objects.exists()


def test_allowed_site_gets_cors_headers_and_a_preflight(served, website, visitor):
    response = ask(visitor, website, address=HOUSE_ADDRESS)
    assert response["Access-Control-Allow-Origin"] == SITE
    preflight = visitor.options(VIABILITY, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SITE
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert preflight["Access-Control-Allow-Headers"] == "Content-Type"


def test_the_widget_page_on_our_own_host_may_call_it(served, website, api_client):
    response = api_client.post(VIABILITY, {"key": website.public_key, "address": HOUSE_ADDRESS},
                               format="json", HTTP_REFERER=f"http://testserver/widget/viability/{website.public_key}/")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_unknown_or_inactive_channel_is_404(served, website, visitor):
    assert visitor.post(VIABILITY, {"key": "nope", "address": HOUSE_ADDRESS}, format="json").status_code == 404
    website.active = False
    website.save()
    assert ask(visitor, website, address=HOUSE_ADDRESS).status_code == 404


def test_a_flood_from_one_ip_gets_429_with_retry_after(served, website, visitor, settings):
    settings.MALHA_PUBLIC_VIABILITY_RATE = "3/minute"
    statuses = [ask(visitor, website, lon=HOUSE[0], lat=HOUSE[1]).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    flooded = ask(visitor, website, lon=HOUSE[0], lat=HOUSE[1])
    assert flooded.status_code == 429
    assert 0 < int(flooded["Retry-After"]) <= 60
    assert flooded["Access-Control-Allow-Origin"] == SITE  # the site's script can read the 429
    assert ViabilityCheck.objects.count() == 3
    # A forged X-Forwarded-For does not dodge the limit.
    forged = visitor.post(VIABILITY, {"key": website.public_key, "lon": HOUSE[0], "lat": HOUSE[1]},
                          format="json", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forged.status_code == 429
    # Another IP is not held back.
    other = visitor.post(VIABILITY, {"key": website.public_key, "lon": HOUSE[0], "lat": HOUSE[1]},
                         format="json", REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


def test_captcha_when_configured(served, website, visitor, settings):
    settings.MALHA_CAPTCHA_VERIFIER = "tests.crm.captcha.verify"
    assert ask(visitor, website, address=HOUSE_ADDRESS).status_code == 403
    refused = ask(visitor, website, address=HOUSE_ADDRESS, captcha="robot")
    assert refused.status_code == 403 and refused.json()["detail"] == "Please confirm you are not a robot."
    assert ask(visitor, website, address=HOUSE_ADDRESS, captcha="human").status_code == 200


def lead(client, channel, **fields):
    body = {"key": channel.public_key, "name": "Maria Silva", "mobile_phone": "(51) 99876-5432",
            "email": "maria@example.com", "address": HOUSE_ADDRESS, "consent": True, **fields}
    return client.post(LEADS, body, format="json")


def test_a_visitor_with_consent_becomes_a_lead_of_the_channel_linked_to_their_check(
    served, website, visitor, drop_network
):
    ask(visitor, website, address=HOUSE_ADDRESS)
    response = lead(visitor, website, plan=None)
    assert response.status_code == 201, response.content
    assert response.json() == {"message": "Thank you! We will contact you soon."}
    created = Lead.objects.select_related("person", "viability_check").get()
    assert created.channel == website and created.owner is None and created.stage == "new"
    assert created.person.stage == "lead"
    assert created.person.mobile_phone == "+5551998765432"
    assert created.consent_contact and created.consented_at is not None
    assert created.consent_text == "I agree to be contacted by the provider about this offer."
    assert created.viability_check.viable and created.viability_check.channel == website
    assert created.point == created.viability_check.point
    assert created.address_text == HOUSE_ADDRESS


def test_lead_consent_is_required(served, website, visitor):
    response = lead(visitor, website, consent=False)
    assert response.status_code == 400
    assert response.json() == {"consent": ["We need your consent to contact you."]}
    assert not Person.objects.filter(name="Maria Silva").exists()


@pytest.mark.parametrize("fields, field", [
    ({"mobile_phone": "1234"}, "mobile_phone"),
    ({"email": "maria@"}, "email"),
    ({"mobile_phone": "", "email": ""}, "non_field_errors"),
    ({"name": ""}, "name"),
])
def test_lead_with_bad_contact_is_a_clear_400_and_writes_nothing(served, website, visitor, fields, field):
    response = lead(visitor, website, **fields)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Lead.objects.exists() and not Person.objects.filter(name="Maria Silva").exists()


def test_lead_from_another_site_is_refused(served, website, api_client):
    api_client.credentials(HTTP_ORIGIN="https://evil.example.com")
    assert lead(api_client, website).status_code == 403
    assert not Lead.objects.exists()


def test_the_widget_page_may_be_framed_only_by_the_channels_sites(website, client):
    response = client.get(f"/widget/viability/{website.public_key}/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"].endswith(f"; frame-ancestors 'self' {SITE}")
    assert "X-Frame-Options" not in response
    assert website.public_key in response.content.decode()
    assert client.get("/widget/viability/unknown-key/").status_code == 404


def test_the_channel_admin_shows_the_embed_snippet(website, client, make_user):
    admin = make_user("chefe", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(f"/admin/sales/saleschannel/{website.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert f"/widget/viability/{website.public_key}/&quot;" in page.content.decode()
    assert "&lt;iframe" in page.content.decode()
