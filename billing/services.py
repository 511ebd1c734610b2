"""Billing writes: contracts and the box port they occupy."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import next_number
from crm.services import mark_as_client
from gis.selectors import cto_box_for_update

from .models import Contract
from .selectors import port_holder

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
