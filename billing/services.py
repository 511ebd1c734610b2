"""Billing writes: contracts and their lifecycle, invoices, payments, bank returns."""

import datetime
import hashlib
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import DateField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.services import next_number
from crm.people.services import mark_as_client
from gis.selectors import cto_box_for_update

from . import bureau
from .boleto import NOSSO_NUMERO_MAX
from .cnab import parse_itau_400
from .fiscal import fiscal_xml
from .choices import (
    RECEIVABLE_STATUSES,
    ContractAction,
    ContractStatus,
    FiscalStatus,
    InvoiceLineKind,
    InvoiceStatus,
    PaymentMethod,
    RetentionStatus,
    ReturnRecordStatus,
    SuspensionKind,
)
from .models import (
    BillingWallet,
    CancellationRequest,
    Charge,
    Contract,
    ContractEvent,
    FiscalDocument,
    FiscalSeries,
    Invoice,
    InvoiceLine,
    Payment,
    ReturnFile,
    ReturnRecord,
)
from .money import month_bounds, parse_money, prorated, to_cents
from .selectors import invoice_amount_due, port_holder
from .signals import notify_access_changed

CONTRACT_NUMBER_PREFIX = "CT-"


def box_port_errors(cto_box, cto_port, contract_pk=None):
    """Errors for a box and port pair, checked against a row-locked box.

    Call inside a transaction: the lock on the box makes a second contract
    for the same port wait, then see the first one and get a clear 400.
    """
    if cto_box is None and cto_port is None:
        return {}
    if cto_box is None:
        return {"cto_box": [_("Choose the box of this port.")]}
    if cto_port is None:
        return {"cto_port": [_("Choose a port of box %(box)s.") % {"box": cto_box}]}
    box = cto_box_for_update(cto_box.pk)
    if not 1 <= cto_port <= box.ports_total:
        return {
            "cto_port": [
                _("Box %(box)s has ports 1 to %(total)s.") % {"box": box, "total": box.ports_total}
            ]
        }
    holder = port_holder(box, cto_port, exclude_pk=contract_pk)
    if holder:
        return {
            "cto_port": [
                _("Port %(port)s of box %(box)s is already taken by contract %(contract)s.")
                % {"port": cto_port, "box": box, "contract": holder}
            ]
        }
    return {}


def clean_contract(contract):
    """Every rule of a contract; also used by the admin form. Call inside a transaction."""
    errors = {}
    address = contract.installation_address
    if address.person_id != contract.person_id:
        errors["installation_address"] = [_("This address belongs to another person.")]
    if contract.point is None:
        contract.point = address.point
    if contract.point is None:
        errors["point"] = [
            _("Give the installation point, or an installation address located on the map.")
        ]
    errors.update(box_port_errors(contract.cto_box, contract.cto_port, contract.pk))
    if errors:
        raise ValidationError(errors)
    contract.full_clean()


@transaction.atomic
def create_contract(
    *,
    person,
    plan,
    installation_address,
    number="",
    point=None,
    cto_box=None,
    cto_port=None,
    due_day=10,
    signed_on=None,
    wallet=None,
    monthly_discount=Decimal("0.00"),
):
    """Sign a contract: the number and point are filled in when absent, a lead becomes a client."""
    errors = {}
    if not plan.active:
        errors["plan"] = [_("Plan “%(plan)s” is no longer on sale.") % {"plan": plan}]
    if not person.document:
        errors["person"] = [_("Register the client's CPF or CNPJ before signing a contract.")]
    if errors:
        raise ValidationError(errors)
    contract = Contract(
        number=number or next_number(Contract, CONTRACT_NUMBER_PREFIX),
        person=person,
        plan=plan,
        installation_address=installation_address,
        point=point,
        cto_box=cto_box,
        cto_port=cto_port,
        due_day=due_day,
        signed_on=signed_on or timezone.localdate(),
        wallet=wallet,
        monthly_discount=monthly_discount,
    )
    clean_contract(contract)
    contract.save()
    mark_as_client(person)
    return contract


@transaction.atomic
def update_contract(contract, *, user=None, **fields):
    """Change plan, due day, address, point or box port; the client of a contract is fixed.

    Once installed, a new plan or due day goes through change_plan / change_due_day, so it
    is audited and the plan's pro-rata adjustment is charged."""
    person = fields.pop("person", contract.person)
    if person.pk != contract.person_id:
        raise ValidationError(
            {"person": [_("A contract's client cannot change; sign a new contract.")]}
        )
    plan = fields.get("plan", contract.plan)
    if plan.pk != contract.plan_id and not plan.active:
        raise ValidationError(
            {"plan": [_("Plan “%(plan)s” is no longer on sale.") % {"plan": plan}]}
        )
    if contract.status != ContractStatus.AWAITING_INSTALLATION:
        if plan.pk != contract.plan_id:
            change_plan(contract, plan=plan, user=user)
        if "due_day" in fields and fields["due_day"] != contract.due_day:
            change_due_day(contract, due_day=fields["due_day"], user=user)
    for name, value in fields.items():
        setattr(contract, name, value)
    clean_contract(contract)
    contract.save()
    return contract


@transaction.atomic
def install_contract(contract, *, cto_box, cto_port, user=None):
    """The installation is done on the box port the technician connected: record the port,
    checked against the row-locked box so two installations racing for one port cannot
    both win, and activate the contract."""
    errors = box_port_errors(cto_box, cto_port, contract.pk)
    if cto_box is None or cto_port is None:
        errors.setdefault("cto_port", [_("Give the box and port the client was connected to.")])
    if errors:
        raise ValidationError(errors)
    contract = _locked(contract)
    contract.cto_box, contract.cto_port = cto_box, cto_port
    contract.save(update_fields=["cto_box", "cto_port", "updated_at"])
    return activate_contract(contract, user=user)


# --- Contract lifecycle: every change is one function and leaves a ContractEvent. ---


def _locked(contract):
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _require_reason(reason, field="reason"):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: [_("Give a reason.")]})
    return reason


def _require_status(contract, *allowed):
    if contract.status not in allowed:
        raise ValidationError(
            _("Contract %(contract)s is %(status)s; this needs it to be %(allowed)s.")
            % {
                "contract": contract,
                "status": contract.get_status_display().lower(),
                "allowed": " / ".join(str(ContractStatus(s).label).lower() for s in allowed),
            }
        )


def _record(contract, action, from_status, *, user=None, reason="", **details):
    return ContractEvent.objects.create(
        contract=contract, action=action, from_status=from_status, to_status=contract.status,
        reason=reason, details=details, user=user if user and user.is_authenticated else None,
    )


@transaction.atomic
def activate_contract(contract, *, activated_on=None, user=None):
    """Installation done: the contract starts being billed from `activated_on` (pro-rata)."""
    contract = _locked(contract)
    _require_status(contract, ContractStatus.AWAITING_INSTALLATION)
    activated_on = activated_on or timezone.localdate()
    if activated_on < contract.signed_on:
        raise ValidationError({"activated_on": [_("Activation cannot come before the signature.")]})
    before = contract.status
    contract.status = ContractStatus.ACTIVE
    contract.activated_on = activated_on
    contract.save(update_fields=["status", "activated_on", "updated_at"])
    _record(contract, ContractAction.ACTIVATED, before, user=user, activated_on=str(activated_on))
    notify_access_changed([contract.pk], blocked=False)
    return contract


@transaction.atomic
def suspend_contract(contract, *, kind, reason, user=None, on=None):
    """Cut access, at the client's request or for debt."""
    contract = _locked(contract)
    reason = _require_reason(reason)
    _require_status(contract, ContractStatus.ACTIVE)
    if kind not in SuspensionKind.values:
        raise ValidationError({"kind": [_("Choose request or debt.")]})
    before = contract.status
    contract.status = ContractStatus.SUSPENDED
    contract.suspension_kind = kind
    contract.suspended_on = on or timezone.localdate()
    contract.trust_unlock_until = None
    contract.save(update_fields=["status", "suspension_kind", "suspended_on", "trust_unlock_until", "updated_at"])
    _record(contract, ContractAction.SUSPENDED, before, user=user, reason=reason, kind=kind)
    notify_access_changed([contract.pk], blocked=True)
    return contract


@transaction.atomic
def reactivate_contract(contract, *, reason, user=None):
    contract = _locked(contract)
    reason = _require_reason(reason)
    _require_status(contract, ContractStatus.SUSPENDED)
    before = contract.status
    contract.status = ContractStatus.ACTIVE
    contract.suspension_kind = ""
    contract.suspended_on = None
    contract.save(update_fields=["status", "suspension_kind", "suspended_on", "updated_at"])
    _record(contract, ContractAction.REACTIVATED, before, user=user, reason=reason)
    notify_access_changed([contract.pk], blocked=False)
    return contract


@transaction.atomic
def trust_unlock(contract, *, days, user=None, reason=""):
    """Unblock a contract suspended for debt for `days` days on the client's promise to pay.

    The daily suspension job leaves it alone until then; the wallet caps `days`.
    """
    contract = _locked(contract)
    wallet = wallet_for(contract)
    _require_status(contract, ContractStatus.SUSPENDED)
    if contract.suspension_kind != SuspensionKind.DEBT:
        raise ValidationError(_("Only a suspension for debt can be unlocked on trust."))
    if not isinstance(days, int) or not 1 <= days <= wallet.max_trust_unlock_days:
        raise ValidationError(
            {"days": [_("Unlock for 1 to %(max)s days.") % {"max": wallet.max_trust_unlock_days}]}
        )
    before = contract.status
    contract.status = ContractStatus.ACTIVE
    contract.suspension_kind = ""
    contract.suspended_on = None
    contract.trust_unlock_until = timezone.localdate() + datetime.timedelta(days=days)
    contract.save(
        update_fields=["status", "suspension_kind", "suspended_on", "trust_unlock_until", "updated_at"]
    )
    _record(contract, ContractAction.TRUST_UNLOCK, before, user=user, reason=reason,
            until=str(contract.trust_unlock_until))
    notify_access_changed([contract.pk], blocked=False)
    return contract


@transaction.atomic
def set_do_not_block_until(contract, *, until, reason, user=None):
    """Keep the overdue-suspension job away from this contract until `until` (None clears it)."""
    contract = _locked(contract)
    reason = _require_reason(reason)
    if until is not None and until < timezone.localdate():
        raise ValidationError({"until": [_("Choose today or a later date.")]})
    contract.do_not_block_until = until
    contract.save(update_fields=["do_not_block_until", "updated_at"])
    _record(contract, ContractAction.DO_NOT_BLOCK, contract.status, user=user, reason=reason,
            until=str(until) if until else None)
    return contract


@transaction.atomic
def request_cancellation(contract, *, reason, user=None):
    """The client asked to cancel: the contract stays as it is and goes to the retention queue."""
    contract = _locked(contract)
    reason = _require_reason(reason)
    _require_status(contract, ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.AWAITING_INSTALLATION)
    if contract.cancellation_requests.filter(status=RetentionStatus.OPEN).exists():
        raise ValidationError(_("This contract already waits in the retention queue."))
    request = CancellationRequest.objects.create(contract=contract, reason=reason)
    _record(contract, ContractAction.CANCELLATION_REQUESTED, contract.status, user=user, reason=reason,
            request=request.pk)
    return request


def _open_request(request):
    request = CancellationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RetentionStatus.OPEN:
        raise ValidationError(_("This cancellation request was already closed."))
    return request


@transaction.atomic
def win_back(request, *, note, user=None):
    request = _open_request(request)
    request.status = RetentionStatus.WON_BACK
    request.outcome_note = _require_reason(note, "note")
    request.closed_at = timezone.now()
    request.save()
    _record(request.contract, ContractAction.WON_BACK, request.contract.status, user=user,
            reason=request.outcome_note, request=request.pk)
    return request


@transaction.atomic
def confirm_cancellation(request, *, note="", user=None):
    request = _open_request(request)
    request.status = RetentionStatus.CONFIRMED
    request.outcome_note = note
    request.closed_at = timezone.now()
    request.save()
    return cancel_contract(request.contract, reason=request.reason, user=user)


@transaction.atomic
def cancel_contract(contract, *, reason, user=None, on=None):
    """End the contract; its box port becomes free. Open invoices stay due."""
    contract = _locked(contract)
    reason = _require_reason(reason)
    _require_status(contract, ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.AWAITING_INSTALLATION)
    before = contract.status
    contract.status = ContractStatus.CANCELLED
    contract.cancelled_on = on or timezone.localdate()
    contract.cancellation_reason = reason
    contract.save(update_fields=["status", "cancelled_on", "cancellation_reason", "updated_at"])
    contract.cancellation_requests.filter(status=RetentionStatus.OPEN).update(
        status=RetentionStatus.CONFIRMED, closed_at=timezone.now()
    )
    _record(contract, ContractAction.CANCELLED, before, user=user, reason=reason)
    if before != ContractStatus.AWAITING_INSTALLATION:
        notify_access_changed([contract.pk], blocked=True)
    return contract


@transaction.atomic
def change_due_day(contract, *, due_day, user=None):
    contract = _locked(contract)
    if not isinstance(due_day, int) or not 1 <= due_day <= 28:
        raise ValidationError({"due_day": [_("The due day is a day from 1 to 28.")]})
    before_day = contract.due_day
    contract.due_day = due_day
    contract.save(update_fields=["due_day", "updated_at"])
    _record(contract, ContractAction.DUE_DAY_CHANGED, contract.status, user=user,
            old=before_day, new=due_day)
    return contract


@transaction.atomic
def change_plan(contract, *, plan, user=None, on=None):
    """Switch plans from `on`. A month is billed at the plan current when it is invoiced, so the
    days of that month before the change get a pro-rata charge (or credit) of the difference."""
    contract = _locked(contract)
    on = on or timezone.localdate()
    if plan.pk == contract.plan_id:
        raise ValidationError({"plan": [_("The contract already has this plan.")]})
    if not plan.active:
        raise ValidationError({"plan": [_("Plan “%(plan)s” is no longer on sale.") % {"plan": plan}]})
    old_plan = contract.plan
    first, last = month_bounds(on)
    start = max(first, contract.activated_on or on)
    days_before = (on - start).days
    difference = to_cents((old_plan.monthly_price - plan.monthly_price) * days_before / last.day)
    if contract.status != ContractStatus.AWAITING_INSTALLATION and difference:
        Charge.objects.create(
            contract=contract, created_on=on, amount=difference,
            description=_("Plan change %(old)s → %(new)s: %(days)s day(s) at the old price")
            % {"old": old_plan, "new": plan, "days": days_before},
        )
    contract.plan = plan
    contract.save(update_fields=["plan", "updated_at"])
    _record(contract, ContractAction.PLAN_CHANGED, contract.status, user=user,
            old=old_plan.pk, new=plan.pk, adjustment=str(difference))
    return contract


@transaction.atomic
def change_wallet(contract, *, wallet, user=None):
    """Change the payment profile: the next invoices are issued by this wallet."""
    contract = _locked(contract)
    old = contract.wallet_id
    contract.wallet = wallet
    contract.save(update_fields=["wallet", "updated_at"])
    _record(contract, ContractAction.WALLET_CHANGED, contract.status, user=user,
            old=old, new=wallet.pk if wallet else None)
    return contract


@transaction.atomic
def add_charge(contract, *, description, amount, created_on=None):
    """A one-off charge (installation, equipment) or credit, billed on the next invoice."""
    amount = parse_money(amount, allow_negative=True)
    description = _require_reason(description, "description")
    if contract.status == ContractStatus.CANCELLED:
        raise ValidationError(_("A cancelled contract takes no new charges."))
    return Charge.objects.create(
        contract=contract, description=description, amount=amount,
        created_on=created_on or timezone.localdate(),
    )


def wallet_for(contract):
    """The contract's payment profile, or the default wallet."""
    if contract.wallet_id:
        return contract.wallet
    wallet = default_wallet()
    if wallet is None:
        raise ValidationError(_("Configure a default billing wallet first."))
    return wallet


def default_wallet():
    return BillingWallet.objects.filter(is_default=True).first()


# --- Invoices ---

MONTHLY_RUN_BATCH = 2000


def _add_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _allocate_nosso_numeros(wallet_id, count):
    """Reserve `count` consecutive nosso números of a wallet (row-locked until commit)."""
    wallet = BillingWallet.objects.select_for_update().get(pk=wallet_id)
    first = wallet.next_nosso_numero
    if first + count - 1 > NOSSO_NUMERO_MAX[wallet.bank]:
        raise ValidationError(
            _("Wallet %(wallet)s has run out of nosso números; open a new bank wallet.") % {"wallet": wallet}
        )
    wallet.next_nosso_numero = first + count
    wallet.save(update_fields=["next_nosso_numero"])
    return iter(range(first, first + count))


@dataclass(frozen=True)
class _BillableContract:
    pk: int
    wallet_id: int | None
    due_day: int
    activated_on: datetime.date
    monthly_discount: Decimal
    plan_name: str
    price: Decimal


def _monthly_invoice(contract, first, last, charges):
    """Lines and total of one contract's invoice for the month first..last, or None when
    nothing is owed."""
    if contract.activated_on > first:
        lines = [(InvoiceLineKind.PLAN, _("%(plan)s, %(start)s to %(end)s (pro-rata)") % {
            "plan": contract.plan_name, "start": contract.activated_on.strftime("%d/%m"),
            "end": last.strftime("%d/%m/%Y")}, prorated(contract.price, contract.activated_on, last))]
    else:
        lines = [(InvoiceLineKind.PLAN, _("%(plan)s, %(month)s") % {
            "plan": contract.plan_name, "month": first.strftime("%m/%Y")}, contract.price)]
    if contract.monthly_discount:
        discount = min(contract.monthly_discount, lines[0][2])
        lines.append((InvoiceLineKind.DISCOUNT, _("Monthly discount"), -discount))
    lines += [(InvoiceLineKind.CHARGE, charge.description, charge.amount) for charge in charges]
    total = sum(amount for _kind, _text, amount in lines)
    if total <= 0:
        return None
    return lines, total


MONTHLY_RUN_LOCK = zlib.crc32(b"billing.run_monthly_invoices")


@dataclass
class MonthlyRun:
    """What a monthly run did: invoices created and, by contract id, why any billable
    contract has no invoice for the month after it."""

    period: datetime.date
    created: int = 0
    not_invoiced: dict = field(default_factory=dict)

    def as_dict(self):
        return {"period": self.period.isoformat(), "created": self.created,
                "not_invoiced": {str(pk): reason for pk, reason in self.not_invoiced.items()}}


def run_monthly_invoices(period, *, issued_on=None, batch_size=MONTHLY_RUN_BATCH):
    """Invoice every active contract for the month of `period`; returns a MonthlyRun.

    Months are billed in arrears: the invoice for March is due on the contract's
    due day in April. Idempotent and resumable: each batch commits on its own and
    contracts that already have an invoice for the month are skipped (the unique
    (contract, period) constraint backs that up). A session advisory lock per month
    makes a second run of it wait for the first, which the database releases even if
    the worker is killed. The report lists every billable contract still without an
    invoice and why, so a run never claims success over contracts it missed.
    """
    first, last = month_bounds(period)
    issued_on = issued_on or timezone.localdate()
    due_month = _add_month(first)
    fallback = default_wallet()
    run = MonthlyRun(first)
    nothing_owed = set()
    with _month_lock(first):
        last_id = 0
        while True:
            with transaction.atomic():
                batch = [
                    _BillableContract(*row)
                    for row in _billable_without_invoice(first, last)
                    .filter(pk__gt=last_id)
                    .select_for_update(of=("self",))
                    .order_by("pk")
                    .values_list("pk", "wallet_id", "due_day", "activated_on", "monthly_discount",
                                 "plan__name", "plan__monthly_price")[:batch_size]
                ]
                if not batch:
                    break
                last_id = batch[-1].pk
                created, owing_nothing = _invoice_batch(batch, first, last, due_month, issued_on, fallback)
                run.created += created
                nothing_owed |= owing_nothing
        for pk in _billable_without_invoice(first, last).values_list("pk", flat=True):
            run.not_invoiced[pk] = (
                _("Nothing is owed this month: the discount and credits cover it.")
                if pk in nothing_owed else _("Not invoiced by this run; run it again.")
            )
    return run


def _billable_without_invoice(first, last):
    return Contract.objects.filter(status=ContractStatus.ACTIVE, activated_on__lte=last).exclude(
        Exists(Invoice.objects.filter(contract=OuterRef("pk"), period=first))
    )


@contextmanager
def _month_lock(first):
    """Hold the month's session advisory lock (batches commit inside it), waiting for a run
    of the same month already under way."""
    key = [MONTHLY_RUN_LOCK, first.year * 100 + first.month]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
    try:
        yield
    finally:
        if connection.is_usable():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def _invoice_batch(contracts, first, last, due_month, issued_on, fallback):
    """Insert one batch's invoices and lines with a few set-based statements: building
    model instances for 100,000 invoices would cost more than the database work.
    Returns (invoices created, ids of the contracts that owe nothing this month)."""
    charges_by_contract = {}
    for charge in Charge.objects.filter(
        contract__in=[c.pk for c in contracts], invoice__isnull=True, created_on__lte=last
    ).order_by("id"):
        charges_by_contract.setdefault(charge.contract_id, []).append(charge)
    drafts = []
    for contract in contracts:
        wallet_id = contract.wallet_id or (fallback and fallback.pk)
        if wallet_id is None:
            raise ValidationError(_("Configure a default billing wallet first."))
        built = _monthly_invoice(contract, first, last, charges_by_contract.get(contract.pk, []))
        if built:
            drafts.append((contract, wallet_id, *built))
    owing_nothing = {c.pk for c in contracts} - {c.pk for c, *_ in drafts}
    if not drafts:
        return 0, owing_nothing
    numbers = {}
    for wallet_id in {wallet_id for _c, wallet_id, _l, _t in drafts}:
        numbers[wallet_id] = _allocate_nosso_numeros(
            wallet_id, sum(1 for _c, w, _l, _t in drafts if w == wallet_id)
        )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Invoice._meta.db_table}
                  (contract_id, wallet_id, period, issued_on, due_date, amount, paid_principal,
                   status, nosso_numero, status_reason, deletion_reason, created_at, updated_at)
                SELECT c, w, %s, %s, d, a, 0, %s, n, '', '', %s, %s
                FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::numeric[], %s::bigint[])
                     AS t(c, w, d, a, n)
                RETURNING contract_id, id""",
            [first, issued_on, InvoiceStatus.OPEN, now, now,
             [c.pk for c, *_ in drafts], [w for _c, w, _l, _t in drafts],
             [due_month.replace(day=c.due_day) for c, *_ in drafts],
             [t for *_, t in drafts], [next(numbers[w]) for _c, w, _l, _t in drafts]],
        )
        invoice_of = dict(cursor.fetchall())
        lines = [(invoice_of[c.pk], kind, text[:200], amount)
                 for c, _w, contract_lines, _t in drafts for kind, text, amount in contract_lines]
        cursor.execute(
            f"""INSERT INTO {InvoiceLine._meta.db_table} (invoice_id, kind, description, amount)
                SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::numeric[])""",
            [list(column) for column in zip(*lines)],
        )
    billed = []
    for contract_id, charges in charges_by_contract.items():
        for charge in charges:
            if contract_id in invoice_of:
                charge.invoice_id = invoice_of[contract_id]
                billed.append(charge)
    Charge.objects.bulk_update(billed, ["invoice"])
    return len(drafts), owing_nothing


def _locked_invoice(invoice):
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def _live_payments(invoice):
    return invoice.payments.filter(reversed_at__isnull=True)


@transaction.atomic
def cancel_invoice(invoice, *, reason):
    invoice = _locked_invoice(invoice)
    reason = _require_reason(reason)
    if invoice.deleted_at or invoice.status not in RECEIVABLE_STATUSES:
        raise ValidationError(_("Only an invoice still owed can be cancelled."))
    if _live_payments(invoice).exists():
        raise ValidationError(_("This invoice has payments; reverse them before cancelling it."))
    invoice.status = InvoiceStatus.CANCELLED
    invoice.status_reason = reason
    invoice.save(update_fields=["status", "status_reason", "updated_at"])
    invoice.charges.update(invoice=None)
    bureau.clear_settled([invoice.pk])
    return invoice


@transaction.atomic
def delete_invoice(invoice, *, reason):
    """Hide an invoice issued by mistake; it stays in the deleted-invoices list with the reason.

    Its one-off charges go back to the unbilled list, and its month is not invoiced again.
    """
    invoice = _locked_invoice(invoice)
    reason = _require_reason(reason)
    if invoice.deleted_at:
        raise ValidationError(_("This invoice was already deleted."))
    if _live_payments(invoice).exists():
        raise ValidationError(_("This invoice has payments; reverse them before deleting it."))
    invoice.deleted_at = timezone.now()
    invoice.deletion_reason = reason
    invoice.save(update_fields=["deleted_at", "deletion_reason", "updated_at"])
    invoice.charges.update(invoice=None)
    bureau.clear_settled([invoice.pk])
    return invoice


@transaction.atomic
def renegotiate_invoices(invoices, *, due_date, reason, issued_on=None):
    """Replace owed invoices of one contract by one new invoice of their balances plus the fees
    due today; the old ones count as settled by the new one."""
    reason = _require_reason(reason)
    today = issued_on or timezone.localdate()
    locked = list(Invoice.objects.select_for_update().filter(pk__in=[i.pk for i in invoices]).order_by("pk"))
    if not locked:
        raise ValidationError({"invoices": [_("Choose the invoices to renegotiate.")]})
    if len({invoice.contract_id for invoice in locked}) != 1:
        raise ValidationError({"invoices": [_("Renegotiate the invoices of one contract at a time.")]})
    if any(invoice.deleted_at or invoice.status not in RECEIVABLE_STATUSES for invoice in locked):
        raise ValidationError({"invoices": [_("Only invoices still owed can be renegotiated.")]})
    if due_date < today:
        raise ValidationError({"due_date": [_("Choose today or a later date.")]})
    lines = []
    for invoice in locked:
        due = invoice_amount_due(invoice, today)
        lines.append(
            (_("Invoice %(invoice)s (balance %(balance)s + fees %(fees)s)")
             % {"invoice": invoice, "balance": invoice.balance, "fees": due.fine + due.interest},
             invoice.balance + due.fine + due.interest)
        )
    contract = locked[0].contract
    wallet = wallet_for(contract)
    new = Invoice.objects.create(
        contract=contract, wallet=wallet, period=None, issued_on=today, due_date=due_date,
        amount=sum(amount for _text, amount in lines), status_reason=reason,
        nosso_numero=next(_allocate_nosso_numeros(wallet.pk, 1)),
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=new, kind=InvoiceLineKind.RENEGOTIATED, description=text, amount=amount)
        for text, amount in lines
    )
    Invoice.objects.filter(pk__in=[i.pk for i in locked]).update(
        status=InvoiceStatus.RENEGOTIATED, renegotiated_into=new, status_reason=reason,
        updated_at=timezone.now(),
    )
    bureau.clear_settled([invoice.pk for invoice in locked])
    return new


# --- Payments ---


def _settlement(invoice, *, amount, paid_on, method, user=None, allow_excess=False):
    """The unsaved Payment of `amount` for `invoice`, updating the invoice in memory.

    A payment that covers the balance plus the fees due on `paid_on` settles it
    (the discount applies up to the due date). One that covers the balance but
    not all the fees settles it too, and the missing fees become a one-off charge
    on the next invoice, so a client is never blocked for centavos of interest.
    A smaller one is partial and goes to principal; fees are computed on the
    remaining balance when that is paid.
    """
    if invoice.deleted_at or invoice.status not in RECEIVABLE_STATUSES:
        raise ValidationError(
            _("Invoice %(invoice)s is %(status)s and takes no payment.")
            % {"invoice": invoice, "status": invoice.get_status_display().lower()}
        )
    due = invoice_amount_due(invoice, paid_on)
    if amount > due.total and not allow_excess:
        raise ValidationError(
            {"amount": [_("The amount due on %(date)s is %(total)s; %(amount)s is more than that.")
                        % {"date": paid_on.strftime("%d/%m/%Y"), "total": due.total, "amount": amount}]}
        )
    payment = Payment(invoice=invoice, amount=amount, paid_on=paid_on, method=method,
                      user=user if user and user.is_authenticated else None)
    if amount >= due.total:
        payment.principal, payment.discount = invoice.balance, due.discount
        payment.fine, payment.interest = due.fine, due.interest
    elif amount >= invoice.balance:
        fees_paid = amount - invoice.balance
        payment.principal = invoice.balance
        payment.fine = min(fees_paid, due.fine)
        payment.interest = fees_paid - payment.fine
        Charge.objects.create(
            contract_id=invoice.contract_id, created_on=paid_on, amount=due.total - amount,
            description=_("Late fees of invoice %(invoice)s not paid with it") % {"invoice": invoice},
        )
    else:
        payment.principal = amount
    invoice.paid_principal += payment.principal
    invoice.status = InvoiceStatus.PAID if invoice.paid_principal == invoice.amount else InvoiceStatus.PARTIALLY_PAID
    return payment


@transaction.atomic
def settle_invoice(invoice, *, amount, paid_on=None, user=None, client_action_id=None):
    """A manual settlement at the counter or from a transfer: full or partial.

    Returns (payment, created). A request retried with the same `client_action_id` returns
    the payment the first one booked instead of booking it twice; the id reused for another
    invoice, amount or date is a Conflict.
    """
    amount = parse_money(amount)
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": [_("A payment cannot be in the future.")]})
    invoice = _locked_invoice(invoice)
    if client_action_id is not None:
        earlier = Payment.objects.filter(client_action_id=client_action_id).first()
        if earlier is not None:
            if (earlier.invoice_id, earlier.amount, earlier.paid_on) != (invoice.pk, amount, paid_on):
                raise Conflict(
                    _("This client_action_id was already used for another payment."), code="reused"
                )
            return earlier, False
    payment = _settlement(invoice, amount=amount, paid_on=paid_on, method=PaymentMethod.MANUAL, user=user)
    payment.client_action_id = client_action_id
    payment.save()
    invoice.save(update_fields=["paid_principal", "status", "updated_at"])
    _lift_debt_suspensions(timezone.localdate(), contract_ids=[invoice.contract_id])
    bureau.clear_settled([invoice.pk])
    return payment, True


@transaction.atomic
def reverse_payment(payment, *, reason, user=None):
    """Undo a payment (bounced transfer, wrong invoice); the invoice is owed again."""
    reason = _require_reason(reason)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.reversed_at:
        raise ValidationError(_("This payment was already reversed."))
    invoice = _locked_invoice(payment.invoice)
    payment.reversed_at = timezone.now()
    payment.reversal_reason = reason
    payment.save(update_fields=["reversed_at", "reversal_reason"])
    invoice.paid_principal -= payment.principal
    invoice.status = InvoiceStatus.REVERSED if invoice.paid_principal == 0 else InvoiceStatus.PARTIALLY_PAID
    invoice.status_reason = reason
    invoice.save(update_fields=["paid_principal", "status", "status_reason", "updated_at"])
    return payment


@transaction.atomic
def import_return_file(content, *, filename, user=None):
    """Settle invoices from an Itaú CNAB 400 return file, in one transaction.

    Returns (file, created): the same file imported again is recognised by its
    hash and changes nothing. A payment for an invoice already paid (by another
    file, or twice in this one) is listed as a duplicate, one for an unknown
    nosso número as unmatched; a person resolves those.
    """
    raw = content if isinstance(content, bytes) else content.encode("latin-1")
    digest = hashlib.sha256(raw).hexdigest()
    existing = ReturnFile.objects.filter(sha256=digest).first()
    if existing:
        return existing, False
    details = parse_itau_400(raw)
    return_file = ReturnFile.objects.create(bank="341", filename=filename[:200], sha256=digest,
                                            user=user if user and user.is_authenticated else None)
    invoices = {
        invoice.nosso_numero: invoice
        for invoice in Invoice.objects.select_for_update(of=("self",))
        .filter(wallet__bank="341", nosso_numero__in=[d.nosso_numero for d in details if d.is_payment])
        .select_related("wallet")
    }
    records, payments = [], []
    for detail in details:
        invoice = invoices.get(detail.nosso_numero) if detail.is_payment else None
        record = ReturnRecord(
            file=return_file, line_number=detail.line_number, nosso_numero=detail.nosso_numero,
            occurrence=detail.occurrence, amount_paid=detail.amount_paid, paid_on=detail.paid_on,
            invoice=invoice,
        )
        if not detail.is_payment:
            record.status = ReturnRecordStatus.INFORMATIONAL
        elif invoice is None or detail.paid_on is None or detail.amount_paid <= 0:
            record.status = ReturnRecordStatus.UNMATCHED
        elif invoice.status == InvoiceStatus.PAID:
            record.status = ReturnRecordStatus.DUPLICATE
        elif invoice.deleted_at or invoice.status not in RECEIVABLE_STATUSES:
            record.status = ReturnRecordStatus.REFUSED
        else:
            record.status = ReturnRecordStatus.SETTLED
            payments.append((record, _settlement(
                invoice, amount=detail.amount_paid, paid_on=detail.paid_on,
                method=PaymentMethod.BANK_RETURN, user=user, allow_excess=True,
            )))
        records.append(record)
    ReturnRecord.objects.bulk_create(records, batch_size=2000)
    for record, payment in payments:
        payment.return_record = record
    Payment.objects.bulk_create([payment for _record, payment in payments], batch_size=2000)
    settled = {payment.invoice.pk: payment.invoice for _record, payment in payments}.values()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {Invoice._meta.db_table} AS i SET paid_principal = t.p, status = t.s, updated_at = now()
                FROM unnest(%s::bigint[], %s::numeric[], %s::text[]) AS t(id, p, s) WHERE i.id = t.id""",
            [[i.pk for i in settled], [i.paid_principal for i in settled], [i.status for i in settled]],
        )
    _lift_debt_suspensions(timezone.localdate(), contract_ids={i.contract_id for i in settled})
    bureau.clear_settled([i.pk for i in settled])
    return return_file, True


@transaction.atomic
def resolve_return_record(record, *, note):
    """A person dealt with an unmatched, duplicate or refused record (refund, manual settlement)."""
    record = ReturnRecord.objects.select_for_update().get(pk=record.pk)
    note = _require_reason(note, "note")
    if record.status not in (ReturnRecordStatus.UNMATCHED, ReturnRecordStatus.DUPLICATE, ReturnRecordStatus.REFUSED):
        raise ValidationError(_("Only unmatched, duplicate or refused records need resolving."))
    record.status = ReturnRecordStatus.RESOLVED
    record.resolution_note = note
    record.save(update_fields=["status", "resolution_note"])
    return record


# --- Fiscal documents ---


@transaction.atomic
def issue_fiscal_document(invoice, *, series=None):
    """Number and build the fiscal document of an invoice in the default (or given) series;
    it then awaits transmission. One live document per invoice."""
    invoice = _locked_invoice(invoice)
    if invoice.deleted_at or invoice.status in (InvoiceStatus.CANCELLED, InvoiceStatus.RENEGOTIATED):
        raise ValidationError(_("A deleted, cancelled or renegotiated invoice gets no fiscal document."))
    if invoice.fiscal_documents.exclude(status=FiscalStatus.CANCELLED).exists():
        raise ValidationError(_("This invoice already has a fiscal document; cancel it first."))
    series = FiscalSeries.objects.select_for_update().filter(
        **({"pk": series.pk} if series else {"is_default": True})
    ).first()
    if series is None:
        raise ValidationError(_("Configure a default fiscal series first."))
    number = series.next_number
    series.next_number = number + 1
    series.save(update_fields=["next_number"])
    person = invoice.contract.person
    return FiscalDocument.objects.create(
        invoice=invoice, series=series, number=number,
        xml=fiscal_xml(
            kind=series.kind, series=series.series, number=number, issued_at=timezone.now(),
            issuer_cnpj=series.issuer_cnpj, issuer_name=series.issuer_name,
            client_name=person.name, client_document=person.document,
            lines=[(line.description, line.amount) for line in invoice.lines.all()],
            total=invoice.amount,
        ),
    )


@transaction.atomic
def cancel_fiscal_document(document, *, reason):
    document = FiscalDocument.objects.select_for_update().get(pk=document.pk)
    reason = _require_reason(reason)
    if document.status == FiscalStatus.CANCELLED:
        raise ValidationError(_("This fiscal document was already cancelled."))
    document.status = FiscalStatus.CANCELLED
    document.cancellation_reason = reason
    document.save(update_fields=["status", "cancellation_reason"])
    return document


# --- Overdue suspension ---


def _blocking_invoices(today):
    """Owed invoices past their wallet's tolerance on `today`."""
    tolerance_ends = ExpressionWrapper(
        F("due_date") + F("wallet__days_to_suspend") * Value(datetime.timedelta(days=1)),
        output_field=DateField(),
    )
    return Invoice.objects.alias(tolerance_ends=tolerance_ends).filter(
        status__in=RECEIVABLE_STATUSES, deleted_at__isnull=True, tolerance_ends__lt=today
    )


def _change_access(contract_ids, *, suspend, today, reason):
    """Suspend (for debt) or reactivate contracts in one UPDATE, with their audit events and
    the network notified after commit."""
    now = timezone.now()
    contracts = Contract.objects.filter(pk__in=contract_ids)
    if suspend:
        contracts.update(status=ContractStatus.SUSPENDED, suspension_kind=SuspensionKind.DEBT,
                         suspended_on=today, trust_unlock_until=None, updated_at=now)
    else:
        contracts.update(status=ContractStatus.ACTIVE, suspension_kind="", suspended_on=None, updated_at=now)
    before, after = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED)[:: 1 if suspend else -1]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {ContractEvent._meta.db_table}
                  (contract_id, action, from_status, to_status, reason, details, created_at)
                SELECT c, %s, %s, %s, %s, %s::jsonb, %s FROM unnest(%s::bigint[]) AS t(c)""",
            [ContractAction.SUSPENDED if suspend else ContractAction.REACTIVATED, before, after,
             str(reason), '{"kind": "debt"}' if suspend else "{}", now, list(contract_ids)],
        )
    notify_access_changed(contract_ids, blocked=suspend)


def _lift_debt_suspensions(today, contract_ids=None):
    """Reactivate contracts suspended for debt that no longer owe anything past tolerance."""
    paid_up = (
        Contract.objects.filter(status=ContractStatus.SUSPENDED, suspension_kind=SuspensionKind.DEBT)
        .exclude(pk__in=_blocking_invoices(today).values("contract_id"))
        .select_for_update(of=("self",))
    )
    if contract_ids is not None:
        paid_up = paid_up.filter(pk__in=list(contract_ids))
    ids = list(paid_up.values_list("pk", flat=True))
    if ids:
        _change_access(ids, suspend=False, today=today, reason=_("Debt paid"))
    return len(ids)


@transaction.atomic
def run_overdue_suspensions(today=None):
    """The daily job: mark invoices overdue, suspend contracts whose debt passed the wallet's
    tolerance (unless "do not block until" or a trust unlock still holds), lift suspensions for
    debt that is paid. Returns (suspended, unsuspended) counts; a rerun the same day does nothing."""
    today = today or timezone.localdate()
    Invoice.objects.filter(
        status__in=(InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.REVERSED),
        due_date__lt=today, deleted_at__isnull=True,
    ).update(status=InvoiceStatus.OVERDUE, updated_at=timezone.now())
    to_suspend = list(
        Contract.objects.filter(status=ContractStatus.ACTIVE)
        .filter(Q(do_not_block_until__isnull=True) | Q(do_not_block_until__lt=today))
        .filter(Q(trust_unlock_until__isnull=True) | Q(trust_unlock_until__lt=today))
        .filter(pk__in=_blocking_invoices(today).values("contract_id"))
        .select_for_update(of=("self",))
        .values_list("pk", flat=True)
    )
    unsuspended = _lift_debt_suspensions(today)
    if to_suspend:
        _change_access(to_suspend, suspend=True, today=today, reason=_("Overdue debt"))
    return len(to_suspend), unsuspended
