"""Dunning: reminders before, on and after the due date through the real SMTP sink and the
loopback SMS gateway, once each, with the amount due on the day they go out."""

import datetime
import email
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from billing import dunning, services
from billing.choices import DunningNoticeStatus, SuspensionKind
from billing.models import DunningNotice, Invoice
from billing.selectors import payment_slip
from billing.tasks import run_dunning_task, send_dunning_notice_task
from crm.messaging.choices import Channel, OptOutSource
from crm.messaging.services import record_opt_out
from crm.people.services import update_person
from tests.integration.conftest import smtp_server  # noqa: F401  (a fixture)
from tests.messaging.conftest import eager_tasks, gateway, messaging_settings  # noqa: F401

D = datetime.date
pytestmark = pytest.mark.django_db
PHONE = "+5551999990001"
BODY = "{first_name}: {invoice} {amount_due} due {due_date}, {days_late} days late. {typeable_line}"


@pytest.fixture
def ana(client_person, messaging_settings, gateway):
    return update_person(client_person, email="ana@example.com", mobile_phone=PHONE,
                         consent_email=True, consent_sms=True)


@pytest.fixture
def invoice(active_contract, ana):
    """March 2026: R$ 99,90 due Friday 2026-04-10."""
    services.run_monthly_invoices(D(2026, 3, 1))
    return Invoice.objects.get()


def rule(wallet, days, channels=(Channel.SMS,), body=BODY, subject="Invoice {invoice}"):
    return dunning.create_rule(wallet=wallet, name=f"D{days:+d}", days=days, channels=list(channels),
                               subject=subject, body=body)


def run(today):
    """The daily job for `today`: schedule, then send every pending notice."""
    created = dunning.schedule_notices(today)
    for notice_id in dunning.pending_notice_ids(today):
        dunning.send_notice(notice_id, today)
    return created


def texts(gateway):
    return [message["text"] for message in gateway.accepted]


def test_reminders_before_on_and_after_the_due_date(wallet, invoice, gateway, smtp_server):
    rule(wallet, -3, channels=[Channel.EMAIL, Channel.SMS])
    rule(wallet, 0, channels=[Channel.EMAIL])
    rule(wallet, 5)

    assert run(D(2026, 4, 6)) == 0  # 4 days before: nothing yet
    assert run(D(2026, 4, 7)) == 2  # 3 days before: e-mail and SMS
    assert texts(gateway) == [f"Ana: {invoice} R$ 99,90 due 10/04/2026, 0 days late. "
                              + payment_slip(invoice, D(2026, 4, 7))["typeable_line"]]
    assert run(D(2026, 4, 10)) == 1  # on the due date: e-mail
    # 5 days late: fine 2 % (2,00) + interest 1 %/30 x 5 days (0,1665 -> 0,17).
    assert run(D(2026, 4, 15)) == 1
    assert texts(gateway)[-1].startswith(f"Ana: {invoice} R$ 102,07 due 10/04/2026, 5 days late.")

    mails = [email.message_from_bytes(m.original_content) for m in smtp_server.messages]
    assert [m["Subject"] for m in mails] == [f"Invoice {invoice}"] * 2
    notices = DunningNotice.objects.order_by("scheduled_for", "channel")
    assert [(n.rule.days, n.channel, n.status, n.amount_due) for n in notices] == [
        (-3, "email", "sent", Decimal("99.90")), (-3, "sms", "sent", Decimal("99.90")),
        (0, "email", "sent", Decimal("99.90")), (5, "sms", "sent", Decimal("102.07")),
    ]
    assert all(n.message.person_id == invoice.contract.person_id for n in notices)


def test_a_rerun_the_same_day_sends_nothing_twice(wallet, invoice, gateway):
    rule(wallet, 1)
    assert run(D(2026, 4, 11)) == 1
    assert run(D(2026, 4, 11)) == 0
    assert run(D(2026, 4, 12)) == 0
    assert len(gateway.accepted) == 1 and gateway.requests == 1


def test_a_retried_send_after_a_crash_does_not_send_again(wallet, invoice, gateway):
    rule(wallet, 1)
    dunning.schedule_notices(D(2026, 4, 11))
    notice = DunningNotice.objects.get()
    dunning.send_notice(notice.pk, D(2026, 4, 11))
    # The worker died after the gateway accepted, before the notice recorded it.
    DunningNotice.objects.filter(pk=notice.pk).update(status=DunningNoticeStatus.PENDING)

    again, retry_in = dunning.send_notice(notice.pk, D(2026, 4, 11))

    assert (again.status, retry_in) == (DunningNoticeStatus.SENT, None)
    assert len(gateway.accepted) == 1 and gateway.requests == 1


def test_missed_days_send_only_the_latest_reminder_still_true(wallet, invoice, gateway):
    rule(wallet, -1, body="before {due_date}")
    rule(wallet, 1, body="one day late")
    rule(wallet, 3, body="three days late")

    # The job did not run on 04-09: on the due date "before" is no longer true.
    assert run(D(2026, 4, 10)) == 0
    # Nor from 04-11 to 04-13: +1 is replaced by +3.
    assert run(D(2026, 4, 14)) == 1

    assert texts(gateway) == ["three days late"]
    skipped = DunningNotice.objects.filter(status=DunningNoticeStatus.SKIPPED)
    assert sorted(n.rule.days for n in skipped) == [-1, 1]
    assert run(D(2026, 4, 15)) == 0


def test_a_missed_day_past_the_catch_up_window_is_not_sent(wallet, invoice, gateway, settings):
    settings.BILLING_DUNNING_CATCH_UP_DAYS = 2
    rule(wallet, 1)
    assert run(D(2026, 4, 14)) == 0  # 3 days after the +1 day
    assert not gateway.accepted


def test_paid_invoices_and_paused_contracts_get_no_reminder(wallet, invoice, active_contract, gateway):
    rule(wallet, -3)
    services.settle_invoice(invoice, amount="99.90", paid_on=D(2026, 4, 1))
    assert run(D(2026, 4, 7)) == 0

    services.reverse_payment(invoice.payments.get(), reason="Bounced transfer")
    services.suspend_contract(active_contract, kind=SuspensionKind.REQUEST, reason="Travelling")
    assert run(D(2026, 4, 7)) == 0
    assert not gateway.accepted


def test_an_invoice_paid_after_scheduling_is_skipped(wallet, invoice, gateway):
    rule(wallet, -3)
    dunning.schedule_notices(D(2026, 4, 7))
    services.settle_invoice(invoice, amount="99.90", paid_on=D(2026, 4, 7))

    notice, _retry = dunning.send_notice(DunningNotice.objects.get().pk, D(2026, 4, 7))

    assert notice.status == DunningNoticeStatus.SKIPPED
    assert not gateway.accepted


def test_an_opted_out_client_is_recorded_as_excluded(wallet, invoice, ana, gateway):
    rule(wallet, -3)
    record_opt_out(ana, Channel.SMS, OptOutSource.KEYWORD, detail="SAIR")

    run(D(2026, 4, 7))

    notice = DunningNotice.objects.get()
    assert notice.status == DunningNoticeStatus.EXCLUDED and notice.message is None
    assert not gateway.accepted


@pytest.mark.django_db(transaction=True)
def test_the_daily_task_sends_and_a_rerun_sends_nothing(wallet, active_contract, ana, gateway, eager_tasks):
    """The beat task with today's date: last month's invoice, a rule whose offset is today."""
    today = timezone.localdate()
    services.run_monthly_invoices(today.replace(day=1) - datetime.timedelta(days=1))
    days = (today - Invoice.objects.get().due_date).days
    rule(wallet, days, body="reminder {due_date}")

    assert run_dunning_task.delay().get() == {"scheduled": 1, "dispatched": 1}
    assert run_dunning_task.delay().get() == {"scheduled": 0, "dispatched": 0}
    assert len(gateway.accepted) == 1


@pytest.mark.django_db(transaction=True)  # retry_at is compared with the database's now()
def test_a_temporary_failure_is_retried_by_the_task_and_sent_once(
    wallet, active_contract, ana, gateway, eager_tasks, settings
):
    settings.MESSAGING_RETRY_BASE_SECONDS = 0
    today = timezone.localdate()
    services.run_monthly_invoices(today.replace(day=1) - datetime.timedelta(days=1))
    rule(wallet, (today - Invoice.objects.get().due_date).days)
    dunning.schedule_notices()
    gateway.flaky_numbers[PHONE] = 2
    notice = DunningNotice.objects.get()

    assert send_dunning_notice_task.delay(notice.pk).get() == DunningNoticeStatus.SENT

    notice.refresh_from_db()
    assert notice.status == DunningNoticeStatus.SENT
    assert gateway.requests == 3 and len(gateway.accepted) == 1


def test_the_email_links_to_the_invoice_pdf(wallet, invoice, smtp_server, client):
    rule(wallet, -3, channels=[Channel.EMAIL], body="Your invoice: {invoice_link}")
    run(D(2026, 4, 7))

    [mail] = [email.message_from_bytes(m.original_content) for m in smtp_server.messages]
    [path] = re.findall(r"/documents/\S+/", mail.get_payload())
    page = client.get(path)
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    assert page.content.startswith(b"%PDF")


def test_rules_are_checked_before_anything_is_sent(wallet):
    with pytest.raises(Exception) as unknown:
        rule(wallet, 1, body="{nope}")
    assert "body" in unknown.value.message_dict
    with pytest.raises(Exception) as no_subject:
        rule(wallet, 1, channels=[Channel.EMAIL], subject="")
    assert "subject" in no_subject.value.message_dict
    with pytest.raises(Exception) as too_long:
        rule(wallet, 1, body="{pix_code} " * 6)
    assert "body" in too_long.value.message_dict


def test_rules_and_notices_through_the_api(wallet, invoice, english_client_for, gateway):
    clerk = english_client_for("billing")
    created = clerk.post("/api/billing/dunning-rules/", {
        "wallet": wallet.pk, "name": "Reminder", "days": -3, "channels": ["sms"],
        "body": "{first_name}, {amount_due} due {due_date}",
    }, format="json")
    assert created.status_code == 201, created.data
    bad = clerk.post("/api/billing/dunning-rules/", {
        "wallet": wallet.pk, "name": "Bad", "days": 2, "channels": ["sms"], "body": "Hi {name}",
    }, format="json")
    assert bad.status_code == 400
    with translation.override("en"):
        assert "Unknown placeholder {name}" in str(bad.data["body"])
    out_of_range = clerk.post("/api/billing/dunning-rules/", {
        "wallet": wallet.pk, "name": "Far", "days": 999, "channels": ["fax"], "body": "x",
    }, format="json")
    assert out_of_range.status_code == 400 and {"days", "channels"} <= set(out_of_range.data)

    run(D(2026, 4, 7))
    listed = clerk.get(f"/api/billing/dunning-notices/?invoice={invoice.pk}")
    assert listed.status_code == 200
    [notice] = listed.data["results"]
    assert (notice["channel"], notice["status"], notice["amount_due"]) == ("sms", "sent", "99.90")
    off = clerk.patch(f"/api/billing/dunning-rules/{created.data['id']}/", {"active": False}, format="json")
    assert off.status_code == 200 and off.data["active"] is False
    assert clerk.delete(f"/api/billing/dunning-rules/{created.data['id']}/").status_code == 405


def test_the_back_office_checks_rules_like_the_api(wallet, admin_client):
    form = {"wallet": wallet.pk, "name": "Bad", "days": 2, "channels": "sms", "subject": "",
            "body": "Hi {name}", "active": "on"}
    refused = admin_client.post("/admin/billing/dunningrule/add/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and "Unknown placeholder {name}" in refused.content.decode()
    saved = admin_client.post("/admin/billing/dunningrule/add/", {**form, "body": "Hi {first_name}"})
    assert saved.status_code == 302
    assert dunning.rule_list().get().channels == ["sms"]
