from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractStatus(models.TextChoices):
    AWAITING_INSTALLATION = "awaiting_installation", _("Awaiting installation")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


# Contracts that hold a box port: everything but a cancelled contract.
PORT_HOLDING_STATUSES = (
    ContractStatus.AWAITING_INSTALLATION,
    ContractStatus.ACTIVE,
    ContractStatus.SUSPENDED,
)


class SuspensionKind(models.TextChoices):
    REQUEST = "request", _("At the client's request")
    DEBT = "debt", _("For overdue debt")


class ContractAction(models.TextChoices):
    ACTIVATED = "activated", _("Activated")
    SUSPENDED = "suspended", _("Suspended")
    REACTIVATED = "reactivated", _("Reactivated")
    TRUST_UNLOCK = "trust_unlock", _("Unlocked on trust")
    DO_NOT_BLOCK = "do_not_block", _("Blocking postponed")
    CANCELLATION_REQUESTED = "cancellation_requested", _("Cancellation requested")
    WON_BACK = "won_back", _("Client won back")
    CANCELLED = "cancelled", _("Cancelled")
    DUE_DAY_CHANGED = "due_day_changed", _("Due day changed")
    PLAN_CHANGED = "plan_changed", _("Plan changed")
    WALLET_CHANGED = "wallet_changed", _("Payment profile changed")


class RetentionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting retention")
    WON_BACK = "won_back", _("Won back")
    CONFIRMED = "confirmed", _("Cancellation confirmed")


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled")
    RENEGOTIATED = "renegotiated", _("Renegotiated")
    REVERSED = "reversed", _("Payment reversed")


# Invoices the client still owes money on.
RECEIVABLE_STATUSES = (
    InvoiceStatus.OPEN,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.OVERDUE,
    InvoiceStatus.REVERSED,
)


class InvoiceLineKind(models.TextChoices):
    PLAN = "plan", _("Plan")
    DISCOUNT = "discount", _("Discount")
    CHARGE = "charge", _("One-off charge")
    RENEGOTIATED = "renegotiated", _("Renegotiated invoice")


class PaymentMethod(models.TextChoices):
    MANUAL = "manual", _("Manual settlement")
    BANK_RETURN = "bank_return", _("Bank return file")


class ReturnRecordStatus(models.TextChoices):
    SETTLED = "settled", _("Settled an invoice")
    DUPLICATE = "duplicate", _("Invoice was already settled")
    UNMATCHED = "unmatched", _("No invoice with this nosso número")
    REFUSED = "refused", _("Invoice cannot take payments")
    INFORMATIONAL = "informational", _("Not a payment")
    RESOLVED = "resolved", _("Resolved by a person")


class Bank(models.TextChoices):
    ITAU = "341", _("Itaú Unibanco (341)")


class FiscalKind(models.TextChoices):
    NFCOM = "nfcom", _("NFCom (model 62)")
    NFSE = "nfse", _("NFS-e")


class FiscalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting transmission")
    AUTHORIZED = "authorized", _("Authorized")
    CANCELLED = "cancelled", _("Cancelled")


class DunningNoticeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    EXCLUDED = "excluded", _("Not sent: the client cannot receive this channel")
    SKIPPED = "skipped", _("Not sent: no longer applies")


class CreditBureau(models.TextChoices):
    SPC = "spc", _("SPC Brasil")
    SERASA = "serasa", _("Serasa Experian")
    BOA_VISTA = "boa_vista", _("Boa Vista SCPC")


class BureauRecordStatus(models.TextChoices):
    SENT = "sent", _("Listed at the bureau")
    CLEARED = "cleared", _("Cleared")
