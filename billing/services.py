"""Billing writes: contracts and their lifecycle, invoices, payments, bank returns."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import next_number
from crm.services import mark_as_client
from gis.selectors import cto_box_for_update

from .choices import ContractStatus
from .choices import ContractAction, ContractStatus, RetentionStatus, SuspensionKind
from .models import BillingWallet, CancellationRequest, Charge, Contract, ContractEvent
from .money import month_bounds, parse_money, to_cents
from .selectors import port_holder
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
    )
    clean_contract(contract)
    contract.save()
    mark_as_client(person)
    return contract


@transaction.atomic
def update_contract(contract, **fields):
    """Change plan, due day, address, point or box port; the client of a contract is fixed."""
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
    for name, value in fields.items():
        setattr(contract, name, value)
    clean_contract(contract)
    contract.save()
    return contract


@transaction.atomic
def activate_contract(contract, *, cto_box, cto_port, activated_on=None):
    """Bring an installed contract into service on the box port the technician connected.

    The port is checked against the row-locked box, so two installations racing
    for one port cannot both win; a contract not awaiting installation is refused.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != ContractStatus.AWAITING_INSTALLATION:
        raise ValidationError(
            {
                "contract": [
                    _("Contract %(contract)s is “%(status)s”, not awaiting installation.")
                    % {"contract": contract, "status": contract.get_status_display()}
                ]
            }
        )
    errors = box_port_errors(cto_box, cto_port, contract.pk)
    if cto_box is None or cto_port is None:
        errors.setdefault("cto_port", [_("Give the box and port the client was connected to.")])
    if errors:
        raise ValidationError(errors)
    contract.cto_box, contract.cto_port = cto_box, cto_port
    contract.status = ContractStatus.ACTIVE
    contract.activated_on = activated_on or timezone.localdate()
    clean_contract(contract)
    contract.save()
    return contract


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
    if isinstance(amount, (str, int, Decimal)) and str(amount).strip().startswith("-"):
        amount = -parse_money(str(amount).strip()[1:])
    else:
        amount = parse_money(amount)
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
