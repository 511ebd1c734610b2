"""Proposals: items and discount limits, validity, PDF, the e-mail over real SMTP exactly once,
acceptance with signature, attachments."""

import datetime
import email
import io
import time
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from crm.sales.models import Proposal
from crm.sales.services import acceptance_url, create_proposal, expire_proposals, move_lead
from crm.sales.tasks import send_proposal_task
from tests.crm.sales_fixtures import *  # noqa: F403  (fixtures)
from tests.integration.conftest import celery_worker, free_port  # noqa: F401  (a fixture)
from tests.messaging.conftest import eager_tasks  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

URL = "/api/crm/proposals/"


def detail(proposal, action=""):
    return f"{URL}{proposal.pk}/{action + '/' if action else ''}"


@pytest.fixture
def lead(make_lead, rep):
    return make_lead(owner=rep.user)


@pytest.fixture
def proposal(lead, rep, plan):
    return create_proposal(
        lead=lead, user=rep.user, items=[{"plan": plan, "price": Decimal("80.91")}]
    )


def received(smtp_server):
    return [
        email.message_from_bytes(envelope.original_content) for envelope in smtp_server.messages
    ]


def test_create_defaults_price_validity_and_recipient(rep, lead, plan, big_plan, settings):
    settings.MALHA_SALES_PROPOSAL_VALID_DAYS = 7
    response = rep.post(
        URL,
        {"lead": lead.pk, "items": [{"plan": plan.pk}, {"plan": big_plan.pk, "price": "110.00"}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    today = timezone.localdate()
    assert (
        body["number"] == "PR-000001" and body["status"] == "draft" and body["sending_status"] == ""
    )
    assert body["valid_from"] == today.isoformat()
    assert body["valid_until"] == (today + datetime.timedelta(days=7)).isoformat()
    assert body["email_to"] == "carlos@example.com" and body["rep"] == rep.user.pk
    assert [(i["list_price"], i["discount"], i["price"]) for i in body["items"]] == [
        ("89.90", "0.00", "89.90"),
        ("119.90", "9.90", "110.00"),
    ]
    assert body["total"] == "199.90"


def test_a_rep_discounts_up_to_the_limit_an_admin_beyond(rep, admin, lead, plan, settings):
    settings.MALHA_SALES_MAX_DISCOUNT_PERCENT = 10
    ten_percent = rep.post(
        URL, {"lead": lead.pk, "items": [{"plan": plan.pk, "price": "80.91"}]}, format="json"
    )
    assert ten_percent.status_code == 201
    too_much = rep.post(
        URL, {"lead": lead.pk, "items": [{"plan": plan.pk, "price": "80.90"}]}, format="json"
    )
    assert too_much.status_code == 400
    assert too_much.json() == {"items": ["The discount on “Fibra 300” is above your limit of 10%."]}
    assert (
        admin.post(
            URL, {"lead": lead.pk, "items": [{"plan": plan.pk, "price": "45.00"}]}, format="json"
        ).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "Offer at least one plan."),
        ([{"price": "99.00"}], None),
        ("plan-twice", "Plan “Fibra 300” is offered twice."),
        ("above-list", "The price of “Fibra 300” must be between R$ 0,00 and its list price."),
    ],
)
def test_bad_items_are_refused(rep, lead, plan, items, message):
    if items == "plan-twice":
        items = [{"plan": plan.pk}, {"plan": plan.pk}]
    elif items == "above-list":
        items = [{"plan": plan.pk, "price": "99.00"}]
    response = rep.post(URL, {"lead": lead.pk, "items": items}, format="json")
    assert response.status_code == 400
    if message:
        assert response.json() == {"items": [message]}
    assert not Proposal.objects.exists()


def test_validity_dates_are_checked(rep, lead, plan):
    today = timezone.localdate()
    backwards = rep.post(
        URL,
        {
            "lead": lead.pk,
            "items": [{"plan": plan.pk}],
            "valid_from": today.isoformat(),
            "valid_until": (today - datetime.timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    assert backwards.status_code == 400 and "valid_until" in backwards.json()


def test_another_reps_lead_is_not_offered(other_rep, lead, plan):
    response = other_rep.post(URL, {"lead": lead.pk, "items": [{"plan": plan.pk}]}, format="json")
    assert response.status_code == 400 and "lead" in response.json()


def test_the_pdf_shows_the_offer(rep, proposal):
    response = rep.get(detail(proposal, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"PR-000001" in response.content and b"Fibra 300" in response.content
    assert b"R$ 80,91" in response.content and b"Carlos Lima" in response.content


def test_the_email_preview_is_in_the_proposals_language(rep, proposal):
    proposal.language = "en"
    proposal.save()
    body = rep.get(detail(proposal, "email")).json()
    assert body["to"] == "carlos@example.com"
    assert body["subject"] == "Your internet proposal PR-000001"
    assert (
        "Hello, Carlos Lima!" in body["text"]
        and "Fibra 300 (300/150 Mbps): R$ 80.91 a month" in body["text"]
    )
    assert "list price R$ 89.90" in body["text"] and "<strong>R$ 80.91</strong>" in body["html"]


def test_sending_mails_the_pdf_once_and_moves_the_lead(
    rep, proposal, lead, smtp_server, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = rep.post(detail(proposal, "send"))
    assert response.status_code == 202
    proposal.refresh_from_db()
    assert (proposal.status, proposal.sending_status, proposal.sending_error) == (
        "sent",
        "sent",
        "",
    )
    lead.refresh_from_db()
    assert lead.stage == "proposal_sent"
    messages = received(smtp_server)
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == "carlos@example.com" and "PR-000001" in message["Subject"]
    parts = {part.get_filename(): part for part in message.walk() if part.get_filename()}
    assert parts["PR-000001.pdf"].get_payload(decode=True).startswith(b"%PDF")
    logged = lead.person.messages.get()
    assert (logged.channel, logged.destination) == ("email", "carlos@example.com")
    assert "PR-000001" in logged.subject and "Fibra 300" in logged.body

    # The task runs again for the same send request (a broker redelivery): nothing is sent.
    assert send_proposal_task.apply(args=(proposal.pk, str(proposal.send_request))).get() is False
    assert len(smtp_server.messages) == 1


def test_a_send_request_claimed_by_one_run_is_not_sent_by_another(
    rep, proposal, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        rep.post(detail(proposal, "send"))
    proposal.refresh_from_db()
    request = str(proposal.send_request)
    results = [send_proposal_task.apply(args=(proposal.pk, request)).get() for _ in range(2)]
    assert results == [True, False] and len(smtp_server.messages) == 1
    again = rep.post(detail(proposal, "send"))
    assert again.status_code == 202  # a new request for a sent proposal is a new e-mail, on purpose


def test_an_smtp_failure_is_recorded_and_a_new_request_sends_it(
    rep, proposal, lead, settings, smtp_server, eager_tasks, django_capture_on_commit_callbacks
):
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        rep.post(detail(proposal, "send"))
    proposal.refresh_from_db()
    assert (proposal.status, proposal.sending_status) == ("draft", "failed")
    assert "refused" in proposal.sending_error.lower()
    lead.refresh_from_db()
    assert lead.stage == "new"
    settings.EMAIL_PORT = working_port
    with django_capture_on_commit_callbacks(execute=True):
        assert rep.post(detail(proposal, "send")).status_code == 202
    proposal.refresh_from_db()
    assert proposal.sending_status == "sent" and len(smtp_server.messages) == 1


def test_a_proposal_past_its_validity_is_neither_sent_nor_accepted(rep, proposal):
    Proposal.objects.filter(pk=proposal.pk).update(
        valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2026, 1, 10)
    )
    for action in ("send", "accept"):
        response = rep.post(detail(proposal, action), {"signed_name": "Carlos"}, format="json")
        assert response.status_code == 400
        assert response.json() == {
            "non_field_errors": ["Proposal PR-000001 expired on 10/01/2026; make a new one."]
        }
    assert expire_proposals() == 1
    proposal.refresh_from_db()
    assert proposal.status == "expired"


def test_sending_needs_a_recipient(rep, proposal):
    Proposal.objects.filter(pk=proposal.pk).update(email_to="")
    response = rep.post(detail(proposal, "send"))
    assert response.status_code == 400
    assert response.json() == {"email_to": ["Give the e-mail address to send the proposal to."]}


def test_accepting_records_name_time_and_ip(rep, proposal):
    response = rep.post(
        detail(proposal, "accept"),
        {"signed_name": "Carlos Lima"},
        format="json",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "accepted" and body["signed_name"] == "Carlos Lima"
    assert body["signed_ip"] == "203.0.113.7" and body["signed_at"]
    again = rep.post(detail(proposal, "accept"), {"signed_name": "Carlos Lima"}, format="json")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["Proposal PR-000001 is accepted."]}


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "signature.png"
    return buffer


def test_accepting_with_a_signature_image(rep, proposal):
    response = rep.post(detail(proposal, "accept"), {"signature_image": png()}, format="multipart")
    assert response.status_code == 200, response.json()
    proposal.refresh_from_db()
    assert proposal.signature_image.name.endswith(".png") and proposal.signed_name == "Carlos Lima"
    bad = rep.post(
        detail(
            create_proposal(
                lead=proposal.lead, user=rep.user, items=[{"plan": proposal.items.first().plan}]
            ),
            "accept",
        ),
        {"signature_image": io.BytesIO(b"not an image")},
        format="multipart",
    )
    assert bad.status_code == 400


def test_a_signature_is_served_only_to_who_sees_the_proposal(rep, other_rep, admin, proposal, client):
    rep.post(detail(proposal, "accept"), {"signature_image": png()}, format="multipart")
    proposal.refresh_from_db()
    url = proposal.signature_image.url
    assert client.get(url).status_code == 403

    def status_for(api_client, address=url):
        client.force_login(api_client.user)
        response = client.get(address)
        if response.status_code == 200:
            assert response["Content-Type"] == "image/png"
            assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        return response.status_code

    assert status_for(rep) == 200
    assert status_for(admin) == 200
    assert status_for(other_rep) == 404
    assert status_for(rep, url.replace(".png", "-other.png")) == 404


def test_accepting_needs_a_name_or_a_signature(rep, proposal):
    response = rep.post(detail(proposal, "accept"), {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"signed_name": ["Give the name of who accepts, or their signature."]}


def test_rejecting_needs_a_reason(rep, proposal):
    assert rep.post(detail(proposal, "reject"), {}, format="json").status_code == 400
    response = rep.post(
        detail(proposal, "reject"), {"reason": "Found a cheaper one"}, format="json"
    )
    assert response.json()["status"] == "rejected"


def test_attachments_go_out_with_the_email(
    rep, proposal, smtp_server, eager_tasks, django_capture_on_commit_callbacks
):
    upload = io.BytesIO(b"%PDF-1.4 Terms and conditions")
    upload.name = "terms.pdf"
    response = rep.post(
        detail(proposal, "attachments"),
        {"file": upload, "description": "Terms"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    with django_capture_on_commit_callbacks(execute=True):
        rep.post(detail(proposal, "send"))
    names = {part.get_filename() for part in received(smtp_server)[0].walk() if part.get_filename()}
    stored = proposal.attachments.get().file.name.rsplit("/", 1)[-1]
    assert names == {"PR-000001.pdf", stored} and stored.endswith(".pdf")


def test_only_drafts_are_edited(rep, proposal, plan):
    rep.post(detail(proposal, "accept"), {"signed_name": "Carlos"}, format="json")
    response = rep.patch(detail(proposal), {"message": "Late change"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Proposal PR-000001 is accepted; only a draft can be edited."]
    }


@pytest.fixture
def worker_mail_env(smtp_server, settings, monkeypatch):
    """The worker process sends to this test's SMTP sink."""
    monkeypatch.setenv("EMAIL_HOST", settings.EMAIL_HOST)
    monkeypatch.setenv("EMAIL_PORT", str(settings.EMAIL_PORT))
    return smtp_server


@pytest.mark.slow
def test_a_real_worker_sends_it_once_even_when_the_task_is_delivered_twice(
    worker_mail_env, celery_worker, rep, proposal
):
    rep.post(detail(proposal, "send"))
    deadline = time.monotonic() + 60
    while Proposal.objects.get(pk=proposal.pk).sending_status != "sent":
        assert time.monotonic() < deadline, "the worker did not send the proposal"
        time.sleep(0.2)
    proposal.refresh_from_db()
    duplicate = send_proposal_task.delay(proposal.pk, str(proposal.send_request))
    assert duplicate.get(timeout=60) is False
    assert len(worker_mail_env.messages) == 1


def test_a_send_request_lost_with_its_worker_may_be_replaced_later(
    rep, proposal, smtp_server, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        rep.post(detail(proposal, "send"))  # queued; its task never runs
    busy = rep.post(detail(proposal, "send"))
    assert busy.status_code == 400
    assert busy.json() == {"non_field_errors": ["Proposal PR-000001 is already being sent."]}
    Proposal.objects.filter(pk=proposal.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert rep.post(detail(proposal, "send")).status_code == 202
    proposal.refresh_from_db()
    assert proposal.sending_status == "sent" and len(smtp_server.messages) == 1


def test_a_lost_leads_proposal_is_neither_sent_nor_accepted(rep, proposal, lead, plan):
    move_lead(lead, stage="lost", lost_reason="competitor")
    for action in ("send", "accept"):
        response = rep.post(detail(proposal, action), {"signed_name": "Carlos"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["Lead is lost; reopen it first."]}
    new = rep.post(URL, {"lead": lead.pk, "items": [{"plan": plan.pk}]}, format="json")
    assert new.status_code == 400 and new.json() == {"lead": ["Lead is lost; reopen it first."]}


def test_a_long_message_is_wrapped_on_the_pdf_not_cut(rep, proposal):
    message = "Instalação grátis e roteador Wi-Fi 6 em comodato. " * 30 + "Fim da mensagem."
    response = rep.patch(detail(proposal), {"message": message}, format="json")
    assert response.status_code == 200
    assert b"Fim da mensagem." in rep.get(detail(proposal, "pdf")).content
    too_long = rep.patch(detail(proposal), {"message": "x" * 2001}, format="json")
    assert too_long.status_code == 400 and "message" in too_long.json()


def test_a_rep_is_the_responsible_of_their_proposals(rep, other_rep, admin, lead, plan):
    named = rep.post(
        URL,
        {"lead": lead.pk, "rep": other_rep.user.pk, "items": [{"plan": plan.pk}]},
        format="json",
    )
    assert named.status_code == 400
    assert named.json() == {"rep": ["Only an administrator names another rep."]}
    by_admin = admin.post(
        URL,
        {"lead": lead.pk, "rep": other_rep.user.pk, "items": [{"plan": plan.pk}]},
        format="json",
    )
    assert by_admin.status_code == 201 and by_admin.json()["rep"] == other_rep.user.pk


def link_path(proposal):
    """The acceptance link without MALHA_PUBLIC_URL's scheme and host."""
    return "/" + acceptance_url(proposal).split("/", 3)[3]


class TestClientAcceptsThroughTheLink:
    def test_the_email_carries_the_link(self, rep, proposal):
        body = rep.get(detail(proposal, "email")).json()
        assert acceptance_url(proposal) in body["text"] and acceptance_url(proposal) in body["html"]

    def test_the_client_reads_and_accepts_with_their_name(self, client, proposal):
        path = link_path(proposal)
        page = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200 and "PR-000001" in page.content.decode()
        proposal.refresh_from_db()
        assert proposal.status == "draft"  # reading accepts nothing
        accepted = client.post(path, {"signed_name": "Carlos Lima"}, REMOTE_ADDR="198.51.100.4")
        assert accepted.status_code == 200
        proposal.refresh_from_db()
        assert (proposal.status, proposal.signed_name, proposal.signed_ip) == (
            "accepted",
            "Carlos Lima",
            "198.51.100.4",
        )
        again = client.post(path, {"signed_name": "Carlos Lima"})
        assert again.status_code == 400

    def test_a_name_is_needed_and_an_expired_proposal_is_refused(self, client, proposal):
        proposal.language = "en"
        proposal.save()
        path = link_path(proposal)
        nameless = client.post(path, {"signed_name": "  "})
        assert nameless.status_code == 400
        assert "Give the name of who accepts" in nameless.content.decode()
        Proposal.objects.filter(pk=proposal.pk).update(
            valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2026, 1, 10)
        )
        expired = client.post(path, {"signed_name": "Carlos"})
        assert expired.status_code == 400
        assert "expired on 10/01/2026" in expired.content.decode()

    def test_a_forged_link_is_refused(self, client, proposal):
        path = link_path(proposal)
        assert client.get(path.replace("/proposal/", "/proposal/x")).status_code == 404
