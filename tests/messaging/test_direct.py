"""One message to one person (crm.messaging.direct) against the real SMTP sink and the
loopback SMS gateway: consent, opt-outs, idempotency by the caller's key, retries."""

import email

import pytest
from django.core.exceptions import ValidationError

from crm.messaging import direct, services
from crm.messaging.choices import Channel, DeliveryStatus, ExclusionReason, OptOutSource
from crm.messaging.models import Delivery, MessageLog
from crm.messaging.tasks import send_to_person_task

from .conftest import phone

pytestmark = pytest.mark.django_db


def test_an_email_reaches_the_smtp_server_once_per_key(smtp_server, make_client):
    ana = make_client("Ana Souza", "ana@example.com", phone(1))

    first = direct.send_to_person(ana, Channel.EMAIL, subject="Fatura", body="Oi Ana", key="k-1")
    again = direct.send_to_person(ana, Channel.EMAIL, subject="Fatura", body="Oi Ana", key="k-1")

    assert first.status == again.status == direct.DirectStatus.SENT
    assert first.message == again.message
    [received] = [email.message_from_bytes(m.original_content) for m in smtp_server.messages]
    assert received["To"] == "ana@example.com"
    assert received["Message-ID"].strip("<>").split("@")[0] == direct.delivery_key("k-1")
    assert received["List-Unsubscribe"]
    assert "/optout/" in received.get_payload()
    # The client's "messages sent" panel lists it, outside any campaign.
    [logged] = MessageLog.objects.filter(person=ana)
    assert logged.campaign is None and logged.delivery.status == DeliveryStatus.SENT


def test_another_key_is_another_message(smtp_server, make_client):
    ana = make_client("Ana Souza", "ana@example.com")
    direct.send_to_person(ana, Channel.EMAIL, subject="A", body="1", key="k-1")
    direct.send_to_person(ana, Channel.EMAIL, subject="A", body="1", key="k-2")
    assert len(smtp_server.messages) == 2


def test_an_sms_goes_through_the_gateway_once(gateway, make_client):
    ana = make_client("Ana Souza", phone=phone(1))

    for _attempt in range(3):
        result = direct.send_to_person(ana, Channel.SMS, body="Sua fatura vence hoje", key="sms-1")

    assert result.status == direct.DirectStatus.SENT
    assert [(m["to"], m["text"]) for m in gateway.accepted] == [(phone(1), "Sua fatura vence hoje")]
    assert gateway.requests == 1
    assert gateway.keys() == [direct.delivery_key("sms-1")]


@pytest.mark.parametrize(
    ("contact", "channel", "reason"),
    [
        ({"email": "", "phone": phone(2)}, Channel.EMAIL, ExclusionReason.NO_EMAIL),
        ({"email": "b@example.com", "phone": ""}, Channel.SMS, ExclusionReason.NO_PHONE),
        ({"email": "b@example.com", "phone": phone(2), "sms": False}, Channel.SMS,
         ExclusionReason.NO_CONSENT),
    ],
)
def test_who_cannot_receive_a_channel_gets_nothing_and_the_caller_gets_why(
    gateway, smtp_server, make_client, contact, channel, reason
):
    person = make_client("Bruno Lima", **contact)

    result = direct.send_to_person(person, channel, subject="S", body="Oi", key="x")

    assert (result.status, result.reason, result.message) == (direct.DirectStatus.EXCLUDED, reason, None)
    assert not MessageLog.objects.exists()
    assert not gateway.accepted and not smtp_server.messages


def test_an_opted_out_client_is_excluded(gateway, make_client):
    person = make_client("Bruno Lima", phone=phone(2))
    services.record_opt_out(person, Channel.SMS, OptOutSource.KEYWORD, detail="SAIR")
    person.refresh_from_db()

    result = direct.send_to_person(person, Channel.SMS, body="Oi", key="x")

    assert (result.status, result.reason) == (direct.DirectStatus.EXCLUDED, ExclusionReason.OPTED_OUT)
    assert not gateway.accepted


@pytest.mark.django_db(transaction=True)  # retry_at is compared with the database's now()
def test_a_temporary_failure_is_pending_and_the_next_try_sends_it_once(gateway, make_client, settings):
    settings.MESSAGING_RETRY_BASE_SECONDS = 0
    person = make_client("Carla Dias", phone=phone(3))
    gateway.flaky_numbers[phone(3)] = 1

    first = direct.send_to_person(person, Channel.SMS, body="Oi", key="flaky")
    second = direct.send_to_person(person, Channel.SMS, body="Oi", key="flaky")

    assert first.status == direct.DirectStatus.PENDING and "503" in first.reason
    assert second.status == direct.DirectStatus.SENT and second.message == first.message
    assert len(gateway.accepted) == 1
    assert Delivery.objects.get().attempts == 2


@pytest.mark.django_db(transaction=True)  # retry_at is compared with the database's now()
def test_the_task_retries_until_sent(gateway, make_client, settings, eager_tasks):
    settings.MESSAGING_RETRY_BASE_SECONDS = 0
    person = make_client("Carla Dias", phone=phone(3))
    gateway.flaky_numbers[phone(3)] = 2

    result = send_to_person_task.delay(person.pk, Channel.SMS, "Oi", "task-key").get()

    assert result["status"] == direct.DirectStatus.SENT
    assert len(gateway.accepted) == 1 and gateway.requests == 3
    # A retried task (same key) after success sends nothing.
    assert send_to_person_task.delay(person.pk, Channel.SMS, "Oi", "task-key").get()["status"] == "sent"
    assert gateway.requests == 3


def test_a_permanent_failure_is_recorded_and_not_retried(gateway, make_client):
    person = make_client("Dora Reis", phone=phone(4))
    gateway.fail_numbers[phone(4)] = "invalid number"

    first = direct.send_to_person(person, Channel.SMS, body="Oi", key="bad")
    again = direct.send_to_person(person, Channel.SMS, body="Oi", key="bad")

    assert first.status == again.status == direct.DirectStatus.FAILED
    assert "invalid number" in first.reason
    assert gateway.requests == 1


def test_an_opt_out_drops_a_queued_message(gateway, make_client):
    person = make_client("Eva Melo", phone=phone(5))
    gateway.throttle_next = 1  # 429: left queued for later
    first = direct.send_to_person(person, Channel.SMS, body="Oi", key="later")
    assert first.status == direct.DirectStatus.PENDING

    services.record_opt_out(person, Channel.SMS, OptOutSource.KEYWORD, detail="SAIR")

    assert Delivery.objects.get().status == DeliveryStatus.FAILED
    assert direct.send_to_person(person, Channel.SMS, body="Oi", key="later").status == "failed"
    assert not gateway.accepted


def test_a_channel_without_provider_or_a_too_long_sms_is_refused(gateway, make_client, settings):
    person = make_client("Fábio Reis", phone=phone(6))
    settings.MESSAGING_PROVIDERS = {**settings.MESSAGING_PROVIDERS, "whatsapp": {"backend": ""}}
    with pytest.raises(ValidationError) as no_provider:
        direct.send_to_person(person, Channel.WHATSAPP, body="Oi", key="w")
    assert "channel" in no_provider.value.message_dict
    with pytest.raises(ValidationError) as too_long:
        direct.send_to_person(person, Channel.SMS, body="x" * 2000, key="long")
    assert "body" in too_long.value.message_dict
    assert not MessageLog.objects.exists()


def test_the_clients_message_panel_lists_it(gateway, make_client, english_client_for):
    """Billing clerks read a client's messages on their financial panel, not the whole log."""
    person = make_client("Gil Souto", phone=phone(7))
    direct.send_to_person(person, Channel.SMS, body="Sua fatura vence hoje", key="panel")

    listed = english_client_for("billing").get(f"/api/billing/clients/{person.pk}/panel/")

    assert listed.status_code == 200
    [message] = listed.data["messages"]
    assert (message["campaign"], message["channel"], message["status"], message["body"]) == (
        None, "sms", "sent", "Sua fatura vence hoje")


def test_whatsapp_goes_through_the_cloud_api_once(gateway, make_client):
    person = make_client("Hugo Neves", phone=phone(8))

    for _attempt in range(2):
        result = direct.send_to_person(person, Channel.WHATSAPP, body="Fatura disponível", key="wa")

    assert result.status == direct.DirectStatus.SENT
    assert [(m["dialect"], m["to"], m["text"]) for m in gateway.accepted] == [
        ("whatsapp", phone(8), "Fatura disponível")]
    assert gateway.requests == 1
