"""The map's search box: clients by name or CPF/CNPJ, contracts by number, and addresses.

`search(user, text)` returns at most `limit` results, best first, each
{"kind": "client" | "contract" | "address", "id", "label", "detail", "point": [lon, lat]},
and only what the user's role may see: clients need crm.view_person (a technician
only the clients of their own orders), contracts billing.view_contract; addresses
come from geocoding and are open to every user.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, FloatField, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from billing.selectors import contract_list
from crm.people.selectors import address_list, person_list
from crm.people.validators import only_digits
from fieldops.selectors import sees_only_own_work, service_orders_visible_to

from .geocoding import Normalized, geocode, normalize_text

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 10
CONTRACT_NUMBER = re.compile(r"^\s*([a-z]{0,4})-?\s*0*(\d{1,12})\s*$", re.IGNORECASE)


class WordSimilar(Func):
    """`text <% expression`: `text` is close to a word run of `expression` (pg_trgm, GIN-indexed)."""

    template = "%(expressions)s"
    arg_joiner = " <%% "
    output_field = BooleanField()


class WordSimilarity(Func):
    function = "word_similarity"
    output_field = FloatField()


def clean_query(text):
    text = " ".join((text or "").split())
    if len(text) < MIN_QUERY_LENGTH:
        raise ValidationError(
            {"q": [_("Type at least %(min)s characters.") % {"min": MIN_QUERY_LENGTH}]}
        )
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationError(
            {"q": [_("Type at most %(max)s characters.") % {"max": MAX_QUERY_LENGTH}]}
        )
    return text


def _lonlat(point):
    return [round(point.x, 6), round(point.y, 6)] if point else None


def _format_document(digits):
    if len(digits) == 11:
        return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"
    if len(digits) == 14:
        return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"
    return digits


def _visible_people(user):
    if not user.has_perm("crm.view_person"):
        return None
    people = person_list()
    if sees_only_own_work(user):
        people = people.filter(pk__in=service_orders_visible_to(user).values("person_id"))
    located = address_list().filter(person=OuterRef("pk"), point__isnull=False).order_by("id")
    return people.annotate(
        located_at=Subquery(located.values("point")[:1]),
        address_text=Subquery(located.values("street")[:1]),
        address_number=Subquery(located.values("number")[:1]),
    )


def _client_results(user, text, limit):
    people = _visible_people(user)
    if people is None:
        return []
    digits = only_digits(text)
    letters = re.search(r"[^\W\d_]", text)
    if len(digits) >= 6 and not letters:
        matches = people.filter(document__startswith=digits).order_by("document")
    elif letters:
        key = normalize_text(text)
        matches = (
            people.alias(name_key=Normalized("name"), trade_key=Normalized("trade_name"))
            .filter(
                WordSimilar(Value(key), Normalized("name"))
                | Q(name_key__contains=key)
                | Q(trade_key__contains=key)
            )
            .annotate(score=Coalesce(WordSimilarity(Value(key), Normalized("name")), 0.0))
            .order_by("-score", "name", "id")
        )
    else:
        return []
    results = []
    for person in matches[:limit]:
        address = f"{person.address_text}, {person.address_number}" if person.address_text else ""
        detail = " · ".join(part for part in (_format_document(person.document), address) if part)
        results.append({
            "kind": "client", "id": person.pk, "label": str(person), "detail": detail,
            "point": _lonlat(person.located_at),
        })
    return results


def _contract_results(user, text, limit):
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
            "point": _lonlat(contract.point),
        }
        for contract in contract_list().filter(query).order_by("number")[:limit]
    ]


def _address_results(text, limit):
    if not re.search(r"[^\W\d_]", text) and not re.search(r"\d{5}-?\d{3}", text):
        return []
    return [
        {
            "kind": "address", "id": None, "label": result.label,
            "detail": _("%(precision)s · confidence %(confidence)s")
            % {"precision": result.precision, "confidence": f"{result.confidence:.0%}"},
            "point": [round(result.lon, 6), round(result.lat, 6)],
            "precision": result.precision, "confidence": round(result.confidence, 2),
        }
        for result in geocode(text, limit=limit)
    ]


def search(user, text, limit=DEFAULT_LIMIT):
    """Results for the map's search box, best first: contracts (an exact number is the
    strongest signal), then clients, then addresses. ValidationError for a too short query."""
    text = clean_query(text)
    results = _contract_results(user, text, limit)
    results += _client_results(user, text, limit - len(results))
    if len(results) < limit:
        results += _address_results(text, min(3, limit - len(results)))
    return results[:limit]
