"""Billing reads shared by the API, the admin and other apps."""

from decimal import Decimal

from django.db.models import Count

from . import boleto, pix
from .choices import PORT_HOLDING_STATUSES, RECEIVABLE_STATUSES, InvoiceStatus
from .models import (
    BillingWallet,
    CancellationRequest,
    Charge,
    Contract,
    FiscalDocument,
    FiscalSeries,
    Invoice,
    Payment,
    Plan,
    ReturnFile,
    ReturnRecord,
)
from .money import amount_due


def plan_list():
    return Plan.objects.all()


def contract_list():
    return Contract.objects.select_related("person", "plan", "installation_address", "cto_box")


def port_holder(cto_box, port, exclude_pk=None):
    """The contract holding `port` of `cto_box`, if any (cancelled contracts free their port)."""
    return (
        Contract.objects.filter(cto_box=cto_box, cto_port=port, status__in=PORT_HOLDING_STATUSES)
        .exclude(pk=exclude_pk)
        .first()
    )


def contract_counts_by_status():
    """{status: count} over every contract, for dashboards."""
    rows = Contract.objects.values_list("status").annotate(total=Count("id")).order_by()
    return dict(rows)


# --- Invoices, payments, the client's financial panel ---


def wallet_list():
    return BillingWallet.objects.all()


def invoice_list():
    """Invoices for the lists; deleted ones only in the deleted-invoices list."""
    return (
        Invoice.objects.filter(deleted_at__isnull=True)
        .select_related("contract", "contract__person", "wallet")
        .prefetch_related("lines")
    )


def deleted_invoice_list():
    return Invoice.objects.filter(deleted_at__isnull=False).select_related("contract", "wallet")


def payment_list():
    return Payment.objects.select_related("invoice", "return_record")


def charge_list():
    return Charge.objects.select_related("contract")


def cancellation_request_list():
    return CancellationRequest.objects.select_related("contract", "contract__person")


def return_file_list():
    return ReturnFile.objects.prefetch_related("records")


def return_record_list():
    return ReturnRecord.objects.select_related("file", "invoice")


def invoice_amount_due(invoice, on):
    """What settles the invoice's balance on `on` under its wallet's rules; the early-payment
    discount applies only while nothing has been paid."""
    wallet = invoice.wallet
    return amount_due(
        invoice.balance, invoice.due_date, on,
        fine_percent=wallet.fine_percent,
        monthly_interest_percent=wallet.monthly_interest_percent,
        discount_percent=wallet.discount_percent if invoice.paid_principal == 0 else Decimal("0"),
    )


def payment_slip(invoice, on):
    """What a boleto and a PIX charge show for `invoice`: bar code, typeable line, BR Code,
    and the amount that settles it if paid on `on`."""
    wallet = invoice.wallet
    account = dict(agency=wallet.agency, account=wallet.account, wallet=wallet.wallet_code,
                   nosso_numero=invoice.nosso_numero)
    code = boleto.barcode(wallet.bank, invoice.due_date, invoice.balance, boleto.FREE_FIELD_BUILDERS[wallet.bank](**account))
    due = invoice_amount_due(invoice, on)
    return {
        "bank": wallet.bank,
        "nosso_numero": boleto.NOSSO_NUMERO_FORMATTERS[wallet.bank](**account),
        "due_date": invoice.due_date,
        "amount": invoice.balance,
        "barcode": code,
        "typeable_line": boleto.typeable_line(code),
        "pix_payload": pix.br_code(
            key=wallet.pix_key, merchant_name=wallet.merchant_name, merchant_city=wallet.merchant_city,
            amount=due.total, txid=f"MALHA{invoice.pk:020d}"[-25:],
        ) if wallet.pix_key else "",
        "on": on,
        "discount": due.discount,
        "fine": due.fine,
        "interest": due.interest,
        "total_on": due.total,
    }


def financial_panel(person):
    """Everything the billing clerk sees about one client on one page."""
    invoices = invoice_list().filter(contract__person=person)
    return {
        "contracts": Contract.objects.filter(person=person).select_related("plan"),
        "receivable": invoices.filter(status__in=RECEIVABLE_STATUSES),
        "paid": invoices.filter(status=InvoiceStatus.PAID),
        "other": invoices.exclude(status__in=(*RECEIVABLE_STATUSES, InvoiceStatus.PAID)),
        "deleted": deleted_invoice_list().filter(contract__person=person),
        "unbilled_charges": Charge.objects.filter(contract__person=person, invoice__isnull=True),
        "fiscal_documents": fiscal_document_list().filter(invoice__contract__person=person),
    }


def fiscal_series_list():
    return FiscalSeries.objects.all()


def fiscal_document_list():
    return FiscalDocument.objects.select_related("series", "invoice")
