"""The whole pipeline in one process (eager tasks) against the real SMTP sink and fake gateway."""

import csv
import email
import hashlib
import hmac
import io
import json
import time

import pytest
from django.utils import timezone, translation

from crm.messaging import services
from crm.messaging.choices import DeliveryStatus
from crm.messaging.models import Campaign, Delivery, MessageLog, OptOut

from .conftest import AREA, phone


@pytest.fixture
def dispatcher(client_for):
    client = client_for("dispatcher")
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def run_campaign(dispatcher, eager_tasks, django_capture_on_commit_callbacks):
    """Create and confirm a campaign through the API; the eager tasks send it all."""

    def run(**payload):
        created = dispatcher.post("/api/crm/campaigns/", {"name": "Aviso", "area": AREA, **payload},
                                  format="json")
        assert created.status_code == 201, created.data
        with django_capture_on_commit_callbacks(execute=True):
            confirmed = dispatcher.post(f"/api/crm/campaigns/{created.data['id']}/confirm/")
        assert confirmed.status_code == 202
        return Campaign.objects.get(pk=created.data["id"])

    return run


def signed(body, secret="webhook-secret"):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_email_campaign_reaches_the_smtp_server_once_per_contact(
    smtp_server, make_client, run_campaign, dispatcher
):
    people = [make_client(f"Cliente {n}", f"c{n}@example.com", phone(n)) for n in range(3)]
    make_client("Duas Casas", "duas@example.com", phone(9), points=[(-51.22, -30.033)] * 2)

    campaign = run_campaign(channel="email", subject="Manutenção", body="Oi {first_name}")

    received = [email.message_from_bytes(m.original_content) for m in smtp_server.messages]
    assert sorted(m["To"] for m in received) == sorted(
        [p.email for p in people] + ["duas@example.com"]
    )
    keys = set(campaign.deliveries.values_list("idempotency_key", flat=True))
    assert {m["Message-ID"].strip("<>").split("@")[0] for m in received} == keys
    assert all("/optout/" in m["List-Unsubscribe"] for m in received)
    campaign.refresh_from_db()
    assert campaign.status == "finished"
    report = dispatcher.get(f"/api/crm/campaigns/{campaign.pk}/report/").data
    assert report["totals"] == {"queued": 0, "sending": 0, "sent": 4, "delivered": 0, "failed": 0}
    log = dispatcher.get(f"/api/crm/messages/?person={people[0].pk}").data["results"]
    assert [(m["channel"], m["status"], m["body"].split("\n")[0]) for m in log] == [
        ("email", "sent", "Oi Cliente")
    ]


def test_sms_failures_are_reported_with_the_gateway_error_exported_and_resent(
    gateway, make_client, run_campaign, dispatcher, django_capture_on_commit_callbacks
):
    for n in range(3):
        make_client(f"Cliente {n}", phone=phone(n))
    make_client('=HYPERLINK("http://x","Cliente 3")', phone=phone(3))  # a formula for a name
    gateway.fail_numbers[phone(2)] = "number not in service"

    campaign = run_campaign(channel="sms", body="Sem internet: {address}")

    assert sorted(m["to"] for m in gateway.accepted) == [phone(0), phone(1), phone(3)]
    report = dispatcher.get(f"/api/crm/campaigns/{campaign.pk}/report/").data
    assert report["totals"]["sent"] == 3 and report["totals"]["failed"] == 1
    [failure] = report["failures"]
    assert failure["destination"] == phone(2)
    assert failure["error"] == "HTTP 400: number not in service"
    assert failure["attempts"] == 1  # permanent: never retried

    export = dispatcher.get(f"/api/crm/campaigns/{campaign.pk}/export/")
    text = b"".join(export.streaming_content).decode().removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["client id", "client", "sent to", "status"]
    assert sorted(row[3] for row in rows[1:]) == ["failed", "sent", "sent", "sent"]
    assert """'=HYPERLINK("http://x","Cliente 3")""" in [row[1] for row in rows]  # text, not a formula

    del gateway.fail_numbers[phone(2)]
    old_key = failure["idempotency_key"]
    with django_capture_on_commit_callbacks(execute=True):
        resent = dispatcher.post(f"/api/crm/campaigns/{campaign.pk}/resend-failed/")
    assert resent.status_code == 202 and resent.data == {"requeued": 1}
    assert [m["to"] for m in gateway.accepted][-1] == phone(2)
    delivery = Delivery.objects.get(message__destination=phone(2))
    assert delivery.status == "sent" and delivery.idempotency_key != old_key
    campaign.refresh_from_db()
    assert campaign.status == "finished"


def test_whatsapp_goes_out_as_a_cloud_api_template_message(gateway, make_client, run_campaign):
    make_client("Ana", phone=phone(1))

    run_campaign(channel="whatsapp", body="Oi {first_name}, manutenção amanhã.")

    [message] = gateway.accepted
    assert (message["dialect"], message["to"], message["text"]) == (
        "whatsapp", phone(1), "Oi Ana, manutenção amanhã."
    )


def test_a_delivery_is_sent_once_even_when_two_batches_hold_it(gateway, make_client, run_campaign):
    make_client("Ana", phone=phone(1))
    campaign = run_campaign(channel="sms", body="Oi")
    delivery = campaign.deliveries.get()

    again = services.send_deliveries(campaign.pk, [delivery.pk])

    assert again.sent == 0
    assert len(gateway.accepted) == 1


def test_a_dead_workers_claim_is_taken_over_and_the_gateway_recognises_the_key(
    gateway, make_client, run_campaign, settings
):
    make_client("Ana", phone=phone(1))
    campaign = run_campaign(channel="sms", body="Oi")
    # As if a worker had sent it and been killed before recording it: claimed long ago.
    campaign.deliveries.update(
        status=DeliveryStatus.SENDING, claimed_at=timezone.now() - timezone.timedelta(hours=1)
    )

    outcome = services.send_deliveries(campaign.pk, list(campaign.deliveries.values_list("pk", flat=True)))

    assert outcome.sent == 1
    assert len(gateway.accepted) == 1
    assert gateway.duplicates == [campaign.deliveries.get().idempotency_key]


def test_signed_callbacks_update_the_status_and_keywords_opt_out(
    gateway, make_client, run_campaign, api_client, dispatcher
):
    ana = make_client("Ana", phone=phone(1))
    campaign = run_campaign(channel="sms", body="Oi")
    key = campaign.deliveries.get().idempotency_key
    url = "/api/crm/messaging/callbacks/sms/"
    body, headers = gateway.signed_callback([
        {"type": "status", "client_reference": key, "status": "delivered"},
        {"type": "inbound", "from": phone(1), "text": "Sair."},
    ], "webhook-secret")
    _forged_body, forged_headers = gateway.signed_callback([], "wrong")

    forged = api_client.post(url, body, content_type="application/json", headers=forged_headers)
    accepted = api_client.post(url, body, content_type="application/json", headers=headers)

    assert forged.status_code == 403
    assert accepted.status_code == 200 and accepted.data == {"updated": 1, "opted_out": 1}
    assert campaign.deliveries.get().status == "delivered"
    assert OptOut.objects.get(person=ana).source == "keyword"
    preview = dispatcher.post("/api/crm/campaigns/preview/",
                              {"channel": "sms", "body": "Oi", "area": AREA}, format="json")
    assert "Nobody in the selection can receive SMS" in str(preview.data)


SMS_CALLBACKS = "/api/crm/messaging/callbacks/sms/"


def test_a_signed_callback_is_taken_once_and_only_while_fresh(gateway, make_client, run_campaign, api_client):
    """Audit: a captured signed callback could be replayed at will."""
    make_client("Ana", phone=phone(1))
    campaign = run_campaign(channel="sms", body="Oi")
    key = campaign.deliveries.get().idempotency_key
    events = [{"type": "status", "client_reference": key, "status": "failed", "error": "x"}]
    body, headers = gateway.signed_callback(events, "webhook-secret")
    stale_body, stale_headers = gateway.signed_callback(events, "webhook-secret", timestamp=int(time.time()) - 301)
    unsigned_time = {"X-Malha-Signature": "sha256=" + hmac.new(b"webhook-secret", body, hashlib.sha256).hexdigest()}
    moved = {**headers, "X-Malha-Timestamp": str(int(headers["X-Malha-Timestamp"]) + 1)}

    first = api_client.post(SMS_CALLBACKS, body, content_type="application/json", headers=headers)
    replayed = api_client.post(SMS_CALLBACKS, body, content_type="application/json", headers=headers,
                               HTTP_ACCEPT_LANGUAGE="en")

    assert first.status_code == 200 and first.data["updated"] == 1
    assert replayed.status_code == 403 and "already received" in str(replayed.data)
    for refused in (stale_headers, unsigned_time, moved):
        response = api_client.post(SMS_CALLBACKS, stale_body, content_type="application/json", headers=refused)
        assert response.status_code == 403, refused


def test_an_sms_callback_cannot_change_an_email_delivery(
    gateway, smtp_server, make_client, run_campaign, api_client
):
    """Audit: deliveries were matched by idempotency key alone, whatever the channel."""
    make_client("Ana", "ana@example.com", phone(1))
    campaign = run_campaign(channel="email", subject="Aviso", body="Oi")
    delivery = campaign.deliveries.get()
    body, headers = gateway.signed_callback(
        [{"type": "status", "client_reference": delivery.idempotency_key, "status": "failed", "error": "x"}],
        "webhook-secret",
    )

    response = api_client.post(SMS_CALLBACKS, body, content_type="application/json", headers=headers)

    assert response.status_code == 200 and response.data["updated"] == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error) == ("sent", "")


def test_whatsapp_callbacks_use_metas_signature_header_and_apply_each_status_once(
    gateway, make_client, run_campaign, api_client
):
    make_client("Ana", phone=phone(1))
    campaign = run_campaign(channel="whatsapp", body="Oi")
    key = campaign.deliveries.get().idempotency_key
    body = json.dumps({"entry": [{"changes": [{"value": {"statuses": [
        {"id": "wamid.1", "status": "failed", "biz_opaque_callback_data": key,
         "errors": [{"code": 131026, "title": "Message undeliverable"}]}]}}]}]}).encode()

    def post():
        return api_client.post("/api/crm/messaging/callbacks/whatsapp/", body,
                               content_type="application/json",
                               HTTP_X_HUB_SIGNATURE_256=signed(body, "app-secret"),
                               HTTP_ACCEPT_LANGUAGE="en")

    response = post()
    assert campaign.deliveries.get().error == "Gateway: Message undeliverable"
    campaign.deliveries.update(status="sent", error="")  # as if resent meanwhile
    replayed = post()

    assert response.status_code == 200 and response.data["updated"] == 1
    assert replayed.status_code == 200 and replayed.data["updated"] == 0
    assert campaign.deliveries.get().status == "sent"


@pytest.mark.parametrize(
    ("channel", "token", "expected"),
    [("whatsapp", "hook-token", 200), ("whatsapp", "wrong", 403), ("sms", "hook-token", 400)],
)
def test_the_whatsapp_webhook_handshake_echoes_the_challenge_only_for_the_verify_token(
    api_client, settings, channel, token, expected
):
    settings.MESSAGING_WHATSAPP_VERIFY_TOKEN = "hook-token"
    query = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"}

    response = api_client.get(f"/api/crm/messaging/callbacks/{channel}/", query)

    assert response.status_code == expected
    assert (response.content == b"1158201444") == (expected == 200)


def test_the_email_opt_out_link_asks_then_records(smtp_server, make_client, run_campaign, client):
    ana = make_client("Ana", "ana@example.com", phone(1))
    run_campaign(channel="email", subject="Aviso", body="Oi")
    url = MessageLog.objects.get().body.rsplit(" ", 1)[-1].replace("http://127.0.0.1:8000", "")

    asked = client.get(url)
    assert asked.status_code == 200 and not OptOut.objects.exists()
    done = client.post(url)
    forged = client.post(url[:-5] + "xxxx/")

    assert done.status_code == 200
    assert OptOut.objects.get(person=ana).channel == "email"
    ana.refresh_from_db()
    assert ana.consent_email is False
    assert forged.status_code == 400


def test_staff_opt_out_in_the_admin_goes_through_the_service(admin_client, make_client):
    ana = make_client("Ana", phone=phone(1))

    response = admin_client.post("/admin/messaging/optout/add/",
                                 {"person": ana.pk, "channel": "sms", "detail": "by phone"})

    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.consent_sms is False
    assert OptOut.objects.get(person=ana).source == "staff"


def test_a_message_whose_every_attempt_died_is_failed_not_retried_for_ever(
    gateway, make_client, run_campaign, settings
):
    make_client("Ana", phone=phone(1))
    campaign = run_campaign(channel="sms", body="Oi")
    campaign.deliveries.update(status=DeliveryStatus.SENDING, attempts=settings.MESSAGING_MAX_ATTEMPTS,
                               claimed_at=timezone.now() - timezone.timedelta(hours=1))

    with translation.override("en"):
        redispatched = services.recover_stalled(campaign.pk)

    delivery = campaign.deliveries.get()
    assert redispatched == 0
    assert delivery.status == "failed" and "Gave up" in delivery.error


def test_an_hourly_quota_hands_the_rest_to_a_later_task(gateway, make_client, settings,
                                                         messaging_settings):
    import redis

    for n in range(3):
        make_client(f"Cliente {n}", phone=phone(n))
    settings.MESSAGING_PROVIDERS["sms"]["rate"] = {"per_hour": 2}
    campaign, _preview = services.create_campaign(name="Aviso", channel="sms", body="Oi", area=AREA)
    services.confirm_campaign(campaign)
    try:
        services.prepare_campaign(campaign.pk)  # its tasks wait in the test broker, unused
        outcome = services.send_deliveries(
            campaign.pk, list(campaign.deliveries.order_by("id").values_list("pk", flat=True))
        )
    finally:
        redis.Redis.from_url(messaging_settings).flushdb()

    assert (outcome.sent, len(outcome.deferred)) == (2, 1)
    assert 0 < outcome.defer_for <= 3600  # until the next calendar hour
    assert len(gateway.accepted) == 2
    waiting = campaign.deliveries.get(pk=outcome.deferred[0])
    assert (waiting.status, waiting.attempts) == ("queued", 0)
