"""The billing clerk's pages: the client's financial panel."""
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing.choices import CreditBureau, SuspensionKind
from billing.selectors import client_financial_panel, plan_list
from crm.people.selectors import person_list

REASON = {"name": "reason", "label": _("Reason"), "type": "text", "required": True}

# The contract actions the panel offers, with the fields each API action takes.
CONTRACT_FORMS = {
    "activate": (_("Activate"), [{"name": "activated_on", "label": _("Activated on"), "type": "date"}]),
    "suspend": (_("Suspend"), [
        {"name": "kind", "label": _("Kind"), "type": "select", "choices": SuspensionKind.choices, "required": True},
        REASON,
    ]),
    "reactivate": (_("Reactivate"), [REASON]),
    "trust-unlock": (_("Unlock on trust"), [
        {"name": "days", "label": _("Days"), "type": "number", "required": True, "min": 1}, REASON,
    ]),
    "do-not-block": (_("Do not block until"), [
        {"name": "until", "label": _("Until"), "type": "date", "required": True}, REASON,
    ]),
    "change-due-day": (_("Change due day"), [
        {"name": "due_day", "label": _("Due day"), "type": "number", "required": True, "min": 1, "max": 28},
    ]),
    "change-plan": (_("Change plan"), [{"name": "plan", "label": _("Plan"), "type": "select", "required": True}]),
    "request-cancellation": (_("Request cancellation"), [REASON]),
    "cancel": (_("Cancel contract"), [REASON]),
}


def _contract_forms(contract, plans):
    forms = []
    for action in contract.actions:
        if action not in CONTRACT_FORMS:
            continue
        label, fields = CONTRACT_FORMS[action]
        if action == "change-plan":
            fields = [{**fields[0], "choices": [(plan.pk, plan.name) for plan in plans if plan.pk != contract.plan_id]}]
        forms.append({
            "action": action, "label": label, "fields": fields,
            "url": reverse(f"billing-api:contract-{action}", args=[contract.pk]),
        })
    return forms


@login_required
@permission_required("billing.view_invoice", raise_exception=True)
def client_finance(request, person_id):
    """Contracts, invoices (to receive, with fees to today; paid; other; deleted), unbilled charges,
    fiscal documents and messages of one client, with the actions the clerk's role allows."""
    person = get_object_or_404(person_list(), pk=person_id)
    panel = client_financial_panel(person)
    if request.user.has_perm("billing.add_contractevent"):
        plans = list(plan_list().filter(active=True))
        for contract in panel["contracts"]:
            contract.forms = _contract_forms(contract, plans)
    return render(request, "frontend/billing/client_finance.html", {
        "panel": panel, "person": person, "bureaus": CreditBureau.choices,
    })
