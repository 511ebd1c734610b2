"""Billing reads shared by the API, the admin and other apps."""

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch
from django.utils import timezone

from . import boleto, pix
from .bureau import record_list as bureau_record_list
from .choices import (
    PORT_HOLDING_STATUSES,
    RECEIVABLE_STATUSES,
    ContractStatus,
    InvoiceStatus,
    RetentionStatus,
    SuspensionKind,
)
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

# The newest messages the financial panel lists; the messages API pages through the rest.
PANEL_MESSAGES = 50


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


def contract_actions(contract, has_open_cancellation_request=False):
    """The lifecycle actions (as the API names them) the services accept for the contract now."""
    if contract.status == ContractStatus.CANCELLED:
        return []
    actions = {
        ContractStatus.AWAITING_INSTALLATION: ["activate"],
        ContractStatus.ACTIVE: ["suspend"],
        ContractStatus.SUSPENDED: ["reactivate"]
        + (["trust-unlock"] if contract.suspension_kind == SuspensionKind.DEBT else []),
    }[contract.status]
    actions += ["do-not-block", "change-due-day", "change-plan", "change-wallet"]
    if not has_open_cancellation_request:
        actions.append("request-cancellation")
    return [*actions, "cancel"]


def invoice_actions(invoice, today):
    """What can be done to an invoice as it is: pay, print, cancel, delete, renegotiate, and list
    it at a credit bureau once it is overdue as long as its wallet asks."""
    if invoice.deleted_at or invoice.status not in RECEIVABLE_STATUSES:
        return []
    untouched = not invoice.live_payments
    listable = (
        invoice.status == InvoiceStatus.OVERDUE
        and (today - invoice.due_date).days >= max(invoice.wallet.bureau_min_days_overdue, 1)
    )
    return [
        "settle", "pdf", "renegotiate", *(["cancel", "delete"] if untouched else []),
        *(["send-to-bureau"] if listable else []),
    ]


def client_financial_panel(person, today=None):
    """Everything the billing clerk sees about one client on one page, as of `today`: invoices
    to receive with what settles them today (fine, interest, discount, boleto line, PIX code),
    and what may be done to each contract and invoice."""
    # crm.messaging (and clearance, which sends through it) reads billing through gis.
    from crm.messaging.selectors import message_log

    from .clearance import declaration_list

    today = today or timezone.localdate()
    live_payments = Prefetch(
        "payments", Payment.objects.filter(reversed_at__isnull=True).order_by("paid_on", "id"),
        to_attr="live_payments",
    )
    invoices = list(invoice_list().filter(contract__person=person).prefetch_related(live_payments))
    for invoice in invoices:
        invoice.actions = invoice_actions(invoice, today)
    # Oldest first: the order a client is asked to pay in.
    receivable = sorted(
        (invoice for invoice in invoices if invoice.status in RECEIVABLE_STATUSES), key=lambda i: (i.due_date, i.pk)
    )
    for invoice in receivable:
        invoice.slip = payment_slip(invoice, today)
        invoice.days_late = max(0, (today - invoice.due_date).days)
        invoice.is_overdue = invoice.days_late > 0
    contracts = list(
        Contract.objects.filter(person=person).select_related("plan").annotate(
            open_request=Exists(CancellationRequest.objects.filter(contract=OuterRef("pk"), status=RetentionStatus.OPEN))
        )
    )
    for contract in contracts:
        contract.actions = contract_actions(contract, contract.open_request)
    return {
        "person": person,
        "today": today,
        "totals": {
            "balance": sum((invoice.balance for invoice in receivable), Decimal("0.00")),
            "due_today": sum((invoice.slip["total_on"] for invoice in receivable), Decimal("0.00")),
            "overdue": sum(invoice.is_overdue for invoice in receivable),
        },
        "contracts": contracts,
        "receivable": receivable,
        "paid": [invoice for invoice in invoices if invoice.status == InvoiceStatus.PAID],
        "other": [invoice for invoice in invoices if invoice.status not in (*RECEIVABLE_STATUSES, InvoiceStatus.PAID)],
        "deleted": deleted_invoice_list().filter(contract__person=person),
        "unbilled_charges": Charge.objects.filter(contract__person=person, invoice__isnull=True).select_related("contract"),
        "fiscal_documents": fiscal_document_list().filter(invoice__contract__person=person),
        "messages": message_log(person)[:PANEL_MESSAGES],
        "bureau_records": bureau_record_list().filter(person=person),
        "clearance_declarations": declaration_list().filter(person=person),
    }


def fiscal_series_list():
    return FiscalSeries.objects.order_by("kind", "series", "pk")


def fiscal_document_list():
    return FiscalDocument.objects.select_related("series", "invoice")
