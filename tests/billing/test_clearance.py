"""The annual debt-clearance declaration (Lei 12.007/2009): only for a paid-up year that is
over, once per client and year, with a PDF that says so."""

import datetime
import email
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from pypdf import PdfReader

from billing import clearance, links, services
from billing.models import ClearanceDeclaration, Invoice
from billing.tasks import email_clearance_declaration_task, issue_clearance_declarations_task
from crm.people.services import update_person
from tests.integration.conftest import smtp_server  # noqa: F401  (a fixture)
from tests.messaging.conftest import eager_tasks, messaging_settings  # noqa: F401  (fixtures)

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2025(contract, wallet):
    """Ana's contract active since 2025-01-01: invoices due on the 10th from Feb 2025 to Jan 2026."""
    contract.signed_on = D(2025, 1, 1)
    contract.save(update_fields=["signed_on"])
    services.activate_contract(contract, activated_on=D(2025, 1, 1))
    for month in range(1, 13):
        services.run_monthly_invoices(D(2025, month, 1))
    return list(Invoice.objects.filter(due_date__year=2025).order_by("due_date"))


def pay(invoices):
    for invoice in invoices:
        services.settle_invoice(invoice, amount=str(invoice.balance), paid_on=invoice.due_date)


def pdf_text(content):
    """The PDF's words in order, line wrapping folded into single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_a_paid_up_year_gets_one_declaration_with_its_pdf(year_2025, client_person, english_client_for):
    assert len(year_2025) == 11
    pay(year_2025)
    clerk = english_client_for("billing")

    issued = clerk.post("/api/billing/clearance-declarations/", {"person": client_person.pk, "year": 2025}, format="json")
    again = clerk.post("/api/billing/clearance-declarations/", {"person": client_person.pk, "year": 2025}, format="json")

    assert (issued.status_code, again.status_code) == (201, 200), issued.data
    assert issued.data["id"] == again.data["id"] and issued.data["number"] == "QD-2025-000001"
    assert (issued.data["invoices_count"], issued.data["total_paid"]) == (11, "1098.90")
    assert ClearanceDeclaration.objects.count() == 1
    with translation.override("en"):
        pdf = clerk.get(f"/api/billing/clearance-declarations/{issued.data['id']}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for expected in ("QD-2025-000001", "Ana Souza", client_person.document, "Lei 12.007/2009", "31/12/2025",
                     "R$ 1.098,90", "Provedor Malha"):
        assert expected in text, expected


def test_an_open_invoice_refuses_the_year_and_is_listed(year_2025, client_person, english_client_for):
    pay(year_2025[:-1])
    refused = english_client_for("billing").post(
        "/api/billing/clearance-declarations/", {"person": client_person.pk, "year": 2025}, format="json")
    assert refused.status_code == 400
    assert "2025 is not paid up: 1 invoice(s) still owed." in str(refused.data["year"])
    assert refused.data["open_invoices"] == [f"{year_2025[-1]} due 10/12/2025 (open)"]
    assert not ClearanceDeclaration.objects.exists()


def test_a_renegotiated_invoice_counts_once_its_new_invoice_is_paid(year_2025, client_person):
    pay(year_2025[:-1])
    new = services.renegotiate_invoices([year_2025[-1]], due_date=timezone.localdate(), reason="Agreement")
    with pytest.raises(ValidationError):
        clearance.issue_declaration(client_person, 2025)
    assert clearance.eligible_people(2025) == []

    services.settle_invoice(new, amount=str(new.amount))

    assert clearance.eligible_people(2025) == [client_person.pk]
    declaration, created = clearance.issue_declaration(client_person, 2025)
    assert created and declaration.invoices_count == 11


def test_only_a_year_that_is_over_and_billed(year_2025, client_person):
    with translation.override("en"), pytest.raises(ValidationError) as current:
        clearance.issue_declaration(client_person, timezone.localdate().year)
    assert "Choose a year that is over" in str(current.value)
    with translation.override("en"), pytest.raises(ValidationError) as empty:
        clearance.issue_declaration(client_person, 2024)
    assert "no invoice due in 2024" in str(empty.value)


def test_the_yearly_job_issues_and_emails_once(year_2025, client_person, smtp_server, client, eager_tasks):
    update_person(client_person, email="ana@example.com", consent_email=True)
    pay(year_2025)

    assert issue_clearance_declarations_task.delay(2025).get() == 1
    assert issue_clearance_declarations_task.delay(2025).get() == 0
    assert email_clearance_declaration_task.delay(ClearanceDeclaration.objects.get().pk).get()["status"] == "sent"

    [mail] = [email.message_from_bytes(m.original_content) for m in smtp_server.messages]
    assert mail["To"] == "ana@example.com"
    declaration = ClearanceDeclaration.objects.get()
    assert declaration.message.destination == "ana@example.com"
    [path] = re.findall(r"/documents/\S+/", mail.get_payload())
    assert links.document_from_token(path.split("/")[2]) == (links.DECLARATION, declaration.pk)
    # The link opens the PDF without a login; a forged one does not.
    page = client.get(path)
    assert page.status_code == 200 and "QD-2025-000001" in pdf_text(page.content)
    assert client.get("/documents/forged-token/").status_code == 404


def test_a_clerk_emails_a_declaration_once(year_2025, client_person, smtp_server, english_client_for):
    update_person(client_person, email="ana@example.com", consent_email=True)
    pay(year_2025)
    declaration, _created = clearance.issue_declaration(client_person, 2025)
    clerk = english_client_for("billing")

    first = clerk.post(f"/api/billing/clearance-declarations/{declaration.pk}/send/")
    again = clerk.post(f"/api/billing/clearance-declarations/{declaration.pk}/send/")

    assert first.status_code == again.status_code == 200
    assert first.data["sending"]["status"] == again.data["sending"]["status"] == "sent"
    assert first.data["message"] == again.data["message"] is not None
    assert len(smtp_server.messages) == 1
