"""Manual settlement, partial payments, reversal, and the Itaú CNAB 400 return file."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.choices import InvoiceStatus, ReturnRecordStatus
from billing.models import Charge, Invoice, Payment, ReturnFile, ReturnRecord

D = datetime.date
pytestmark = pytest.mark.django_db
RETURN_FILE = Path(__file__).parent / "data" / "itau_retorno_400.ret"


@pytest.fixture
def three_invoices(active_contract, contract_factory):
    """Nosso números 1, 2, 3 for March 2026 (R$ 99,90 each, due 2026-04-10)."""
    contract_factory(4), contract_factory(5)
    services.run_monthly_invoices(D(2026, 3, 1))
    return {invoice.nosso_numero: invoice for invoice in Invoice.objects.all()}


def test_manual_settlement_late_charges_fine_and_interest(three_invoices):
    invoice = three_invoices[1]  # due Friday 2026-04-10, paid Monday 04-13: 3 days late
    with pytest.raises(ValidationError, match="102.00"):
        services.settle_invoice(invoice, amount="102.01", paid_on=D(2026, 4, 13))
    payment, _created = services.settle_invoice(invoice, amount="102.00", paid_on=D(2026, 4, 13))
    assert (payment.principal, payment.fine, payment.interest) == (Decimal("99.90"), Decimal("2.00"), Decimal("0.10"))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_late_payment_without_the_fees_settles_and_bills_them_next_month(three_invoices):
    invoice = three_invoices[2]  # 3 days late: 99.90 + 2.00 fine + 0.10 interest
    payment, _created = services.settle_invoice(invoice, amount="101.00", paid_on=D(2026, 4, 13))
    assert (payment.principal, payment.fine, payment.interest) == (Decimal("99.90"), Decimal("1.10"), Decimal("0.00"))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == (InvoiceStatus.PAID, Decimal("0.00"))
    missing = Charge.objects.get(contract=invoice.contract, invoice__isnull=True)
    assert missing.amount == Decimal("1.00")  # 102.00 due - 101.00 paid


def test_partial_then_full(three_invoices):
    invoice = three_invoices[1]
    services.settle_invoice(invoice, amount="40.00", paid_on=D(2026, 4, 5))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == (InvoiceStatus.PARTIALLY_PAID, Decimal("59.90"))
    services.settle_invoice(invoice, amount="59.90", paid_on=D(2026, 4, 10))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == (InvoiceStatus.PAID, Decimal("0.00"))
    with pytest.raises(ValidationError, match="paid"):
        services.settle_invoice(invoice, amount="1.00", paid_on=D(2026, 4, 10))


def test_reversal_needs_a_reason_and_reopens_the_invoice(three_invoices):
    invoice = three_invoices[2]
    payment, _created = services.settle_invoice(invoice, amount="99.90", paid_on=D(2026, 4, 1))
    with pytest.raises(ValidationError):
        services.reverse_payment(payment, reason="")
    services.reverse_payment(payment, reason="Transfer bounced")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_principal) == (InvoiceStatus.REVERSED, Decimal("0.00"))
    with pytest.raises(ValidationError):
        services.reverse_payment(payment, reason="again")
    services.settle_invoice(invoice, amount="99.90", paid_on=D(2026, 4, 2))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


@pytest.mark.parametrize("bad", [-1, 1.5, "abc", "0.001", "0"])
def test_bad_amounts_write_nothing(three_invoices, bad):
    with pytest.raises(ValidationError):
        services.settle_invoice(three_invoices[1], amount=bad, paid_on=D(2026, 4, 1))
    assert not Payment.objects.exists()


def test_return_file_settles_matches_and_lists_unmatched(three_invoices):
    content = RETURN_FILE.read_bytes()
    return_file, created = services.import_return_file(content, filename="CN110426.RET")
    assert created
    statuses = dict(return_file.records.values_list("nosso_numero", "status"))
    assert statuses == {
        1: ReturnRecordStatus.SETTLED, 2: ReturnRecordStatus.SETTLED,
        999: ReturnRecordStatus.UNMATCHED, 3: ReturnRecordStatus.INFORMATIONAL,
    }
    first, second = (Invoice.objects.get(nosso_numero=n) for n in (1, 2))
    assert first.status == InvoiceStatus.PAID
    assert (second.status, second.paid_principal) == (InvoiceStatus.PARTIALLY_PAID, Decimal("50.00"))
    # Re-importing the same file changes nothing.
    again, created = services.import_return_file(content, filename="copy.RET")
    assert (again, created) == (return_file, False)
    assert Payment.objects.count() == 2
    unmatched = ReturnRecord.objects.get(status=ReturnRecordStatus.UNMATCHED)
    services.resolve_return_record(unmatched, note="Refunded to the payer")
    unmatched.refresh_from_db()
    assert unmatched.status == ReturnRecordStatus.RESOLVED


def test_same_payment_in_another_file_is_a_duplicate_not_a_second_settlement(three_invoices):
    services.import_return_file(RETURN_FILE.read_bytes(), filename="a.RET")
    altered = RETURN_FILE.read_bytes().replace(b"BANCO ITAU SA  110426", b"BANCO ITAU SA  120426")
    return_file, created = services.import_return_file(altered, filename="b.RET")
    assert created
    assert return_file.records.get(nosso_numero=1).status == ReturnRecordStatus.DUPLICATE
    assert Payment.objects.filter(invoice__nosso_numero=1).count() == 1


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda text: text.replace("341BANCO", "237BANCO"), "not an Itaú"),
        (lambda text: text.rsplit("\r\n9", 1)[0] + "\r\n", "trailer"),
        (lambda text: text.replace("\r\n1", "\r\n7", 1), "unknown record type"),
        (lambda text: text.replace("0000000009990", "00000000099X0"), "malformed"),
        (lambda text: text.replace("\r\n1   ", "\r\n1  ", 1), "400"),
        (lambda text: "", "empty"),
    ],
)
def test_malformed_files_are_refused_whole(three_invoices, mutate, message):
    text = mutate(RETURN_FILE.read_bytes().decode("latin-1"))
    with pytest.raises(ValidationError, match=message):
        services.import_return_file(text.encode("latin-1"), filename="bad.RET")
    assert not ReturnFile.objects.exists() and not Payment.objects.exists()
