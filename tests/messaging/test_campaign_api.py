"""Preview, create and confirm: counts, exclusions, rendering and every refusal before queueing."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from crm.messaging.choices import Channel, OptOutSource
from crm.messaging.models import Campaign, Delivery
from crm.messaging.services import record_opt_out

from .conftest import AREA, INSIDE, OUTSIDE, phone

PREVIEW = "/api/crm/campaigns/preview/"


@pytest.fixture
def dispatcher(client_for):
    client = client_for("dispatcher")
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def neighbourhood(make_client):
    """Inside: Ana (two contracts), Bia (no phone), Caio (no SMS consent), Davi (opted out);
    outside: Eva."""
    ana = make_client("Ana Souza", "ana@example.com", phone(1), points=(INSIDE, INSIDE))
    make_client("Bia Lima", "bia@example.com", "")
    make_client("Caio Reis", "", phone(3), sms=False)
    davi = make_client("Davi Melo", "davi@example.com", phone(4))
    record_opt_out(davi, Channel.SMS, OptOutSource.STAFF)
    make_client("Eva Dias", "eva@example.com", phone(5), points=(OUTSIDE,))
    return ana


def sms(**extra):
    return {"channel": "sms", "body": "Oi {first_name}: manutenção no contrato {contract}.",
            "area": AREA, **extra}


def test_preview_counts_one_message_per_contact_and_the_exclusions_by_reason(
    dispatcher, gateway, neighbourhood
):
    response = dispatcher.post(PREVIEW, sms(), format="json")

    assert response.status_code == 200, response.data
    body = response.data
    assert (body["contacts"], body["contracts"], body["recipients"]) == (4, 5, 1)
    assert body["excluded"] == {"no_phone": 1, "no_email": 0, "no_consent": 1, "opted_out": 1}
    numbers = ", ".join(neighbourhood.contracts.order_by("id").values_list("number", flat=True))
    assert body["sample"] == {
        "to": phone(1), "subject": "", "body": f"Oi Ana: manutenção no contrato {numbers}.",
    }
    assert body["length"]["encoding"] == "UCS-2"
    assert body["length"]["segments"] == 1


def test_email_preview_counts_no_email_and_carries_the_opt_out_link(dispatcher, neighbourhood):
    response = dispatcher.post(
        PREVIEW, {"channel": "email", "subject": "Aviso {protocol}", "body": "Oi {client_name}",
                  "protocol": "P-1", "area": AREA}, format="json",
    )

    assert response.status_code == 200, response.data
    assert response.data["recipients"] == 3  # Ana, Bia, Davi (opted out of SMS only)
    assert response.data["excluded"]["no_email"] == 1
    assert response.data["sample"]["subject"] == "Aviso P-1"
    assert "/optout/" in response.data["sample"]["body"]


def test_window_placeholders_render_in_portuguese(dispatcher, gateway, neighbourhood):
    start = timezone.make_aware(datetime.datetime(2026, 12, 1, 9, 0))
    response = dispatcher.post(
        PREVIEW, sms(body="De {window_start} a {window_end}", window_start=start.isoformat(),
                     window_end=(start + datetime.timedelta(hours=3)).isoformat()), format="json",
    )

    assert response.data["sample"]["body"] == "De 01/12/2026 09:00 a 01/12/2026 12:00"


@pytest.mark.parametrize(
    ("payload", "field", "text"),
    [
        (sms(body="Oi {nome}"), "body", "Unknown placeholder {nome}"),
        (sms(body="Oi {first_name"), "body", "Unbalanced brace"),
        (sms(body="ã" * 300), "body", "5 SMS segments; the limit is 4 segments"),
        (sms(body="Protocolo {protocol}"), "protocol", "fill it in"),
        (sms(area={"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}), "area",
         "at least 4"),
        (sms(area={"type": "Polygon", "coordinates": [[[-51.3, -30.2], [-51.29, -30.2],
                                                       [-51.29, -30.19], [-51.3, -30.2]]]}),
         "area", "No contract inside the selection"),
        (sms(contract_statuses=["gone"]), "contract_statuses", "Unknown contract status: gone"),
        (sms(plan_ids=[999999]), "plan_ids", "Unknown plan id: 999999"),
        ({"channel": "email", "body": "Oi", "area": AREA}, "subject", "needs a subject"),
    ],
)
def test_bad_input_is_a_clear_400_and_nothing_is_written(
    dispatcher, gateway, neighbourhood, payload, field, text
):
    response = dispatcher.post(PREVIEW, payload, format="json")
    created = dispatcher.post("/api/crm/campaigns/", {**payload, "name": "x"}, format="json")

    assert response.status_code == 400
    assert text in str(response.data[field]), response.data
    assert created.status_code == 400
    assert not Campaign.objects.exists()


def test_a_channel_without_a_provider_is_refused(dispatcher, neighbourhood):
    response = dispatcher.post(PREVIEW, sms(), format="json")

    assert response.status_code == 400
    assert "No provider is configured for SMS" in str(response.data["channel"])


def test_nobody_reachable_is_refused(dispatcher, gateway, make_client):
    make_client("Sem Telefone", "x@example.com", "")

    response = dispatcher.post(PREVIEW, sms(), format="json")

    assert response.status_code == 400
    assert "Nobody in the selection can receive SMS" in str(response.data["channel"])


def test_create_then_confirm_queues_once(dispatcher, gateway, neighbourhood,
                                         django_capture_on_commit_callbacks):
    created = dispatcher.post("/api/crm/campaigns/", {**sms(), "name": "Manutenção"}, format="json")
    assert created.status_code == 201, created.data
    assert created.data["status"] == "draft"
    assert created.data["preview"]["recipients"] == 1
    url = f"/api/crm/campaigns/{created.data['id']}/confirm/"

    with django_capture_on_commit_callbacks() as callbacks:
        confirmed = dispatcher.post(url)
    again = dispatcher.post(url)

    assert confirmed.status_code == 202
    assert confirmed.data["status"] == "queued"
    assert len(callbacks) == 1  # prepare_campaign, not run here
    assert again.status_code == 400
    assert "already confirmed" in str(again.data)
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("role", ["technician", None])
def test_only_staff_with_the_permission_may_preview(client_for, role, neighbourhood):
    client = client_for(role) if role else APIClient()

    response = client.post(PREVIEW, sms(), format="json")

    assert response.status_code in (401, 403)


@pytest.mark.parametrize("ring", [
    [[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]],
    [[-180, -30.0], [180, -30.0], [180, -29.9999], [-180, -29.9999], [-180, -30.0]],
])
def test_areas_around_the_planet_are_a_400_for_preview_and_create(dispatcher, gateway, ring):
    """Audit: the whole world was a 500 (antipodal edge), a 360° sliver took seconds of CPU."""
    area = {"type": "Polygon", "coordinates": [ring]}
    preview = dispatcher.post(PREVIEW, sms(area=area), format="json")
    created = dispatcher.post("/api/crm/campaigns/", {"name": "Mundo", **sms(area=area)}, format="json")
    assert (preview.status_code, created.status_code) == (400, 400)
    assert "outside the region" in str(preview.data) and not Campaign.objects.exists()
