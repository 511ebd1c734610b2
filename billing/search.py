"""Contracts in the map's search box (gis.search), registered by BillingConfig.ready."""
import re

from django.db.models import Q

from gis.search import lonlat

from .selectors import contract_list

CONTRACT_NUMBER = re.compile(r"^\s*([a-z]{0,4})-?\s*0*(\d{1,12})\s*$", re.IGNORECASE)
# Before clients: an exact contract number is the strongest signal.
POSITION = 10


def contract_results(user, text, limit):
    if not user.has_perm("billing.view_contract"):
        return []
    match = CONTRACT_NUMBER.match(text)
    if not match:
        return []
    prefix, digits = match.groups()
    query = Q(number__iexact=text.strip()) | Q(number__iregex=rf"^{prefix or '[a-z]*'}-?0*{digits}$")
    return [
        {
            "kind": "contract", "id": contract.pk, "label": contract.number,
            "detail": f"{contract.person} · {contract.get_status_display()} · {contract.plan}",
            "point": lonlat(contract.point),
        }
        for contract in contract_list().filter(query).order_by("number")[:limit]
    ]
