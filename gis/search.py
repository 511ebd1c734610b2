"""The map's search box: clients by name or CPF/CNPJ, contracts by number, and addresses.

`search(user, text)` returns at most `limit` results, best first, each
{"kind": "client" | "contract" | "address", "id", "label", "detail", "point": [lon, lat] or null for a client whose address was never located},
and only what the user's role may see: clients need crm.view_person (a technician
only the clients of their own orders), contracts billing.view_contract; addresses
come from geocoding and are open to every user.

Addresses are gis' own; the apps above register their sources (billing: contracts,
crm: clients) and the narrowings of what a user may find (fieldops: a technician's
clients) in AppConfig.ready.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, FloatField, Func
from django.utils.translation import gettext as _

from .geocoding import geocode

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 10
# (position, source(user, text, limit) -> results), best first; addresses come after them all.
_sources = []
# kind -> functions (user, queryset) -> the part of it the user may find.
_scopes = {}


def register_source(position, source):
    _sources.append((position, source))
    _sources.sort(key=lambda entry: entry[0])


def register_scope(kind, scope):
    _scopes.setdefault(kind, []).append(scope)


def scoped(kind, user, queryset):
    """`queryset` narrowed by every scope registered for `kind`."""
    for scope in _scopes.get(kind, ()):
        queryset = scope(user, queryset)
    return queryset


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


def lonlat(point):
    return [round(point.x, 6), round(point.y, 6)] if point else None


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
    results = []
    for _position, source in _sources:
        results += source(user, text, limit - len(results))
    if len(results) < limit:
        results += _address_results(text, min(3, limit - len(results)))
    return results[:limit]
