"""Clients in the map's search box (gis.search), registered by PeopleConfig.ready; who may be
found is narrowed by the "client" scopes other apps register (fieldops: a technician's)."""
import re

from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from core.text import only_digits
from gis.geocoding import Normalized, normalize_text
from gis.search import WordSimilar, WordSimilarity, lonlat

from .selectors import address_list, people_visible_to

# After contracts (billing's), before addresses.
POSITION = 20


def _format_document(digits):
    if len(digits) == 11:
        return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"
    if len(digits) == 14:
        return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"
    return digits


def _visible_people(user):
    if not user.has_perm("crm.view_person"):
        return None
    people = people_visible_to(user)
    located = address_list().filter(person=OuterRef("pk"), point__isnull=False).order_by("id")
    return people.annotate(
        located_at=Subquery(located.values("point")[:1]),
        address_text=Subquery(located.values("street")[:1]),
        address_number=Subquery(located.values("number")[:1]),
    )


def client_results(user, text, limit):
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
            "point": lonlat(person.located_at),
        })
    return results
