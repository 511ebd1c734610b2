"""Geocoding from our own data, no external service: the imported OSM streets, OSM
address points and the located addresses of the CRM (registered by the crm app).

    geocode("Av. Borges de Medeiros, 1500 - Centro, 90020-020")  -> [GeocodeResult, ...]
    reverse_geocode(-51.23, -30.03)                                 -> GeocodeResult | None
    locate_address(street=..., number=..., ...)                     -> Point | None

How a house number becomes a point (precision, best first):
  address       a known point with that number on that street (OSM address point or
                a CRM address with a point);
  interpolated  between the nearest known numbers below and above it on the same
                stretch of street, measured along the street; or, with known numbers
                on one side only, from the nearest one at one number per metre;
  street        no known number on the street: Brazilian metric numbering (in Porto
                Alegre and many Brazilian cities the number is about the distance in
                metres from where the street starts, taken as the end nearer
                settings.MALHA_GEOCODING_ORIGIN), or the street's middle without a number;
  cep           only a CEP: the middle of the known addresses with that CEP.
Odd numbers are on the left and even on the right, walking in the numbering
direction; points are moved SIDE_OFFSET_M to that side. Metric work happens in
settings.MALHA_METRIC_SRID (shapely on projected coordinates from PostGIS).

Public for bench_gis and the search box: geocode, reverse_geocode, locate_address,
normalize_text, parse_address.
"""

import re
import unicodedata
from dataclasses import asdict, dataclass

import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import CharField, Func, IntegerField, Value

from core.geometry import in_supported_region
from core.text import only_digits

# Functions returning querysets of located addresses with street, number, neighbourhood, city,
# cep and point, learnt from besides OSM's (crm registers its clients' addresses).
_address_sources = []
MAX_STREETS = 3  # candidate street names looked at in detail per query
MIN_STREET_SCORE = 0.35
SIDE_OFFSET_M = 8.0  # from the street's centre line to the front door
ANCHOR_MAX_DISTANCE_M = 80.0  # a known address further from the street belongs elsewhere
REVERSE_ADDRESS_RADIUS_M = 20.0
REVERSE_STREET_RADIUS_M = 200.0
# Known addresses read per source and side of the number asked for: what placing it needs (the
# number itself, its neighbours below and above), not a busy street's thousands of addresses.
ANCHOR_WINDOW = 24
# Confidence of each way of placing a number, multiplied by how well the street name matched.
CONFIDENCE = {
    "address": 0.95,
    "interpolated": 0.8,
    "extrapolated": 0.6,
    "metric": 0.45,
    "street": 0.4,
    "cep": 0.4,  # the middle of a CEP: below MALHA_GEOCODING_MIN_CONFIDENCE on purpose
}

CEP_PATTERN = re.compile(r"\b(\d{5})-?(\d{3})\b")
NUMBER_SEGMENT = re.compile(r"^(?:n(?:o|umero)?\.?\s*)?(\d{1,6})\s*[a-z]?$")
TRAILING_NUMBER = re.compile(r"^(?P<street>.*[a-z].*?)[\s,]+(?:n(?:o|umero)?\.?\s*)?(?P<number>\d{1,6})\s*[a-z]?$")
# Street types as people abbreviate them, only at the start of the street name.
STREET_TYPES = {
    "r": "rua", "av": "avenida", "ave": "avenida", "trav": "travessa", "tv": "travessa",
    "al": "alameda", "est": "estrada", "estr": "estrada", "rod": "rodovia", "pca": "praca",
    "pc": "praca", "lgo": "largo", "lg": "largo", "bc": "beco", "vl": "vila",
}
# Titles and words abbreviated anywhere in a name.
NAME_WORDS = {
    "dr": "doutor", "dra": "doutora", "prof": "professor", "profa": "professora",
    "gen": "general", "gal": "general", "cel": "coronel", "sen": "senador",
    "des": "desembargador", "eng": "engenheiro", "pres": "presidente", "sta": "santa",
    "sto": "santo", "sr": "senhor", "sra": "senhora", "mal": "marechal", "alm": "almirante",
    "cap": "capitao", "ten": "tenente", "min": "ministro", "dep": "deputado",
    "ver": "vereador", "pe": "padre", "fr": "frei", "n": "nossa", "ns": "nossa", "nsa": "nossa",
}


def register_address_source(source):
    _address_sources.append(source)


class Normalized(Func):
    """malha_normalize(text): lower(unaccent(text)), IMMUTABLE so indexes use it
    (see gis/migrations/0003_search_indexes.py)."""

    function = "malha_normalize"
    output_field = CharField()


class HouseNumber(Func):
    """malha_house_number(text): the leading number of a house number (as _leading_number),
    indexed with the normalised street (gis/migrations/0007_house_number_indexes.py)."""

    function = "malha_house_number"
    output_field = IntegerField()


def normalize_text(text):
    """Lower case, no accents, no punctuation; what malha_normalize() gives in SQL."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^\w/]+", " ", text).split())


def normalize_street(text):
    """A street name as typed -> normalized with abbreviations spelled out ("R." -> "rua")."""
    words = normalize_text(text).split()
    if words and words[0] in STREET_TYPES:
        words[0] = STREET_TYPES[words[0]]
    return " ".join(NAME_WORDS.get(word, word) for word in words)


@dataclass(frozen=True)
class ParsedAddress:
    street: str = ""  # normalized, abbreviations spelled out
    number: int | None = None
    cep: str = ""  # 8 digits
    hints: tuple = ()  # other parts (neighbourhood, city, complement), normalized


def parse_address(text):
    """'R. dos Andradas, 1137 - Centro, Porto Alegre, 90010-000' -> ParsedAddress."""
    text = text or ""
    cep = ""
    if match := CEP_PATTERN.search(text):
        cep = match.group(1) + match.group(2)
        text = text[: match.start()] + " " + text[match.end():]
    text = re.sub(r"\bcep\b[:\s]*", " ", text, flags=re.IGNORECASE)
    segments = [normalize_text(part) for part in re.split(r",|;|\s-\s|\n", text)]
    segments = [part for part in segments if part]
    street, number, hints = "", None, []
    for part in segments:
        if not street and re.search(r"[a-z]", part):
            if match := TRAILING_NUMBER.match(part):
                street, number = match["street"], int(match["number"])
            else:
                street = part
        elif street and number is None and (match := NUMBER_SEGMENT.match(part)):
            number = int(match[1])
        elif not street and number is None and (match := NUMBER_SEGMENT.match(part)):
            number = int(match[1])
        else:
            hints.append(part)
    return ParsedAddress(normalize_street(street), number, cep, tuple(hints))


@dataclass
class GeocodeResult:
    lon: float
    lat: float
    confidence: float
    precision: str  # address | interpolated | street | cep
    street: str = ""
    number: str = ""
    neighbourhood: str = ""
    city: str = ""
    cep: str = ""

    @property
    def label(self):
        """'Rua dos Andradas, 1137 - Centro Histórico, Porto Alegre - CEP 90010-000'."""
        label = self.street or (f"CEP {self.cep_display}" if self.cep else "")
        if self.street and self.number:
            label += f", {self.number}"
        place = ", ".join(part for part in (self.neighbourhood, self.city) if part)
        if place:
            label += f" - {place}"
        if self.cep and self.street:
            label += f" - CEP {self.cep_display}"
        return label

    @property
    def cep_display(self):
        return f"{self.cep[:5]}-{self.cep[5:]}" if len(self.cep) == 8 else self.cep

    def as_dict(self):
        data = asdict(self)
        lon, lat = data.pop("lon"), data.pop("lat")
        data["cep"] = self.cep_display
        return {"label": self.label, "point": [round(lon, 6), round(lat, 6)], **data,
                "confidence": round(self.confidence, 2)}


@dataclass
class Anchor:
    """A known numbered address on a street, in metric coordinates."""

    number: int
    point: shapely.Point
    neighbourhood: str
    city: str
    cep: str


def _leading_number(text):
    match = re.match(r"\s*(\d{1,6})", text or "")
    return int(match[1]) if match else None


def _metric_points(points):
    """(lon, lat) pairs -> shapely points in the metric SRID, in one query."""
    if not points:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(x, y), 4326), %s) AS p"
            " FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS t(x, y, i) ORDER BY i) AS q",
            [settings.MALHA_METRIC_SRID, [p[0] for p in points], [p[1] for p in points]],
        )
        return [shapely.Point(x, y) for x, y in cursor.fetchall()]


def _lonlat_points(points):
    """Metric shapely points -> (lon, lat) pairs, in one query."""
    if not points:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(x, y), %s), 4326) AS p"
            " FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS t(x, y, i) ORDER BY i) AS q",
            [settings.MALHA_METRIC_SRID, [p.x for p in points], [p.y for p in points]],
        )
        return cursor.fetchall()


class Street:
    """One street name: its stretches (merged edges, metric) and its known numbers (those
    nearest `number` when one is asked for, see ANCHOR_WINDOW; else all)."""

    def __init__(self, name, score, number=None):
        self.name, self.score = name, score
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ST_AsBinary(ST_Transform(geom, %s)) FROM geo_roadedge"
                " WHERE name = %s AND (oneway OR source_id < target_id)",
                [settings.MALHA_METRIC_SRID, name],
            )
            lines = [shapely.from_wkb(bytes(row[0])) for row in cursor.fetchall()]
        merged = shapely.line_merge(shapely.MultiLineString(lines)) if lines else shapely.MultiLineString()
        self.stretches = list(shapely.get_parts(merged))
        self.origin = _metric_points([settings.MALHA_GEOCODING_ORIGIN])[0]
        self.known = self._load_anchors(number)
        # Only addresses beside a stretch we know can place other numbers along it.
        self.anchors = [
            anchor for anchor in self.known
            if self.stretches and self._distance(anchor.point) <= ANCHOR_MAX_DISTANCE_M
        ]

    def _load_anchors(self, number):
        srid = settings.MALHA_METRIC_SRID
        osm = ("SELECT housenumber, ST_X(p), ST_Y(p), suburb, city, postcode FROM"
               " (SELECT *, ST_Transform(point, %(srid)s) AS p FROM geo_addresspoint"
               "  WHERE malha_normalize(street) = malha_normalize(%(name)s) {window}) AS a")
        params = {"srid": srid, "name": self.name, "number": number, "limit": ANCHOR_WINDOW}
        if number is None:
            query = osm.format(window="")
        else:
            query = " UNION ALL ".join(
                "(" + osm.format(window=f"AND malha_house_number(housenumber) {side}"
                                        f" ORDER BY malha_house_number(housenumber) {order} LIMIT %(limit)s") + ")"
                for side, order in ((">= %(number)s", "ASC"), ("< %(number)s", "DESC"))
            )
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            rows = cursor.fetchall()
        for source in _address_sources:
            known = (
                source()
                .filter(point__isnull=False)
                .alias(street_key=Normalized("street"), house=HouseNumber("number"))
                .filter(street_key=Normalized(Value(self.name, output_field=CharField())))
                .annotate(metric=Transform("point", srid))
                .values_list("number", "metric", "neighbourhood", "city", "cep")
            )
            if number is not None:
                known = [*known.filter(house__gte=number).order_by("house")[:ANCHOR_WINDOW],
                         *known.filter(house__lt=number).order_by("-house")[:ANCHOR_WINDOW]]
            rows.extend((number, metric.x, metric.y, hood, city, cep)
                        for number, metric, hood, city, cep in known)
        anchors = []
        for number, x, y, neighbourhood, city, cep in rows:
            number = _leading_number(number)
            point = shapely.Point(x, y)
            if number:
                anchors.append(Anchor(number, point, neighbourhood or "", city or "", only_digits(cep)))
        return anchors

    def _distance(self, point):
        return min(stretch.distance(point) for stretch in self.stretches)

    def _stretch_of(self, point):
        return min(self.stretches, key=lambda stretch: stretch.distance(point))

    def _direction(self, stretch, anchors):
        """+1 if numbers grow along the stretch's drawing direction, else -1."""
        located = sorted((anchor.number, stretch.project(anchor.point)) for anchor in anchors)
        if len({number for number, _s in located}) >= 2:
            (n1, s1), (n2, s2) = located[0], located[-1]
            if s1 != s2:
                return 1 if (s2 - s1) * (n2 - n1) > 0 else -1
        start, end = shapely.get_point(stretch, 0), shapely.get_point(stretch, -1)
        return 1 if start.distance(self.origin) <= end.distance(self.origin) else -1

    def _at(self, stretch, along, direction, number):
        """The point `along` metres into the stretch, moved to the side of `number`'s parity."""
        along = min(max(along, 0.0), stretch.length)
        foot = stretch.interpolate(along)
        ahead = stretch.interpolate(min(along + 1.0, stretch.length))
        behind = stretch.interpolate(max(along - 1.0, 0.0))
        dx, dy = ahead.x - behind.x, ahead.y - behind.y
        size = (dx * dx + dy * dy) ** 0.5
        if not number or size == 0:
            return foot
        side = direction * (1 if number % 2 else -1)  # odd: left of the numbering direction
        return shapely.Point(foot.x - side * dy / size * SIDE_OFFSET_M, foot.y + side * dx / size * SIDE_OFFSET_M)

    def locate(self, number):
        """(metric point, way, nearest anchor or None) for `number` on this street."""
        if not self.stretches:
            return None
        if number is None:
            longest = max(self.stretches, key=lambda stretch: stretch.length)
            return longest.interpolate(0.5, normalized=True), "street", None
        for anchor in self.known:
            if anchor.number == number:
                return anchor.point, "address", anchor
        if self.anchors:
            nearest = min(self.anchors, key=lambda anchor: abs(anchor.number - number))
            stretch = self._stretch_of(nearest.point)
            on_stretch = [a for a in self.anchors if self._stretch_of(a.point) is stretch]
            below = [a for a in on_stretch if a.number < number]
            above = [a for a in on_stretch if a.number > number]
            direction = self._direction(stretch, on_stretch)
            if below and above:
                low = max(below, key=lambda anchor: anchor.number)
                high = min(above, key=lambda anchor: anchor.number)
                s_low, s_high = stretch.project(low.point), stretch.project(high.point)
                along = s_low + (s_high - s_low) * (number - low.number) / (high.number - low.number)
                return self._at(stretch, along, direction, number), "interpolated", nearest
            along = stretch.project(nearest.point) + direction * (number - nearest.number)
            return self._at(stretch, along, direction, number), "extrapolated", nearest
        longest = max(self.stretches, key=lambda stretch: stretch.length)
        direction = self._direction(longest, [])
        along = number if direction > 0 else longest.length - number
        return self._at(longest, along, direction, number), "metric", None

    def number_at(self, point):
        """(estimated house number, way) at a metric point beside this street."""
        stretch = self._stretch_of(point)
        along = stretch.project(point)
        on_stretch = [a for a in self.anchors if self._stretch_of(a.point) is stretch]
        direction = self._direction(stretch, on_stretch)
        located = sorted(((abs(stretch.project(a.point) - along), stretch.project(a.point), a.number)
                          for a in on_stretch))
        if len(located) >= 2 and located[0][1] != located[1][1]:
            (_d1, s1, n1), (_d2, s2, n2) = located[:2]
            estimate, way = n1 + (along - s1) * (n2 - n1) / (s2 - s1), "interpolated"
        elif located:
            _d, s1, n1 = located[0]
            estimate, way = n1 + direction * (along - s1), "interpolated"
        else:
            estimate, way = (along if direction > 0 else stretch.length - along), "metric"
        foot = stretch.interpolate(along)
        ahead = stretch.interpolate(min(along + 1.0, stretch.length))
        behind = stretch.interpolate(max(along - 1.0, 0.0))
        cross = (ahead.x - behind.x) * (point.y - foot.y) - (ahead.y - behind.y) * (point.x - foot.x)
        odd = (cross > 0) == (direction > 0)  # left of the numbering direction
        number = max(1, int(round(estimate)))
        if number % 2 != int(odd):
            number += 1
        return number, way

    def place_near(self, point):
        """(neighbourhood, city, cep) of the known address nearest `point`, or the street's CEP."""
        if not self.anchors:
            return "", "", ""
        nearest = min(self.anchors, key=lambda anchor: anchor.point.distance(point))
        if nearest.point.distance(point) <= 500:
            return nearest.neighbourhood, nearest.city, nearest.cep
        ceps = {anchor.cep for anchor in self.anchors if anchor.cep}
        return "", nearest.city, ceps.pop() if len(ceps) == 1 else ""


def _candidate_streets(parsed):
    """[(street name, score 0..1)] best first: trigram match on the name, CEP as a boost."""
    scores = {}
    if parsed.street:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT name, (similarity(key, %(q)s) + word_similarity(%(q)s, key)) / 2 AS score
                FROM geo_streetname WHERE key %% %(q)s OR %(q)s <%% key
                ORDER BY score DESC, name LIMIT 10
                """,
                {"q": parsed.street},
            )
            scores = {name: score for name, score in cursor.fetchall()}
    if parsed.cep:
        for name in _streets_with_cep(parsed.cep):
            scores[name] = min(1.0, scores.get(name, 0.6 if not parsed.street else 0) + 0.2)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [(name, score) for name, score in ranked if score >= MIN_STREET_SCORE][:MAX_STREETS]


def _streets_with_cep(cep):
    """Names of streets that known addresses with this CEP lie on (Porto Alegre: one per street)."""
    formatted = f"{cep[:5]}-{cep[5:]}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM geo_streetname WHERE key IN"
            " (SELECT malha_normalize(street) FROM geo_addresspoint WHERE postcode IN (%s, %s)) LIMIT 5",
            [cep, formatted],
        )
        names = [row[0] for row in cursor.fetchall()]
    known_streets = [
        street for source in _address_sources
        for street in source().filter(cep=cep).values_list("street", flat=True).distinct()[:5]
    ]
    known = {normalize_text(name): name for name in _named_streets(known_streets)}
    return names + [name for name in known.values() if name not in names]


def _named_streets(candidates):
    """The road names among `candidates` (compared normalized)."""
    if not candidates:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM geo_streetname"
            " WHERE key = ANY(ARRAY(SELECT malha_normalize(c) FROM unnest(%s::text[]) AS c))",
            [candidates],
        )
        return [row[0] for row in cursor.fetchall()]


def _cep_result(cep):
    """The middle of the known addresses with this CEP (precision `cep`), or None."""
    located = [
        row for source in _address_sources
        for row in source().filter(cep=cep, point__isnull=False).values_list("point", "city")[:500]
    ]
    points = [(point.x, point.y) for point, _city in located]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(point), ST_Y(point) FROM geo_addresspoint WHERE postcode IN (%s, %s) LIMIT 500",
            [cep, f"{cep[:5]}-{cep[5:]}"],
        )
        points.extend(cursor.fetchall())
    if not points:
        return None
    lon = sum(p[0] for p in points) / len(points)
    lat = sum(p[1] for p in points) / len(points)
    city = next((city for _point, city in located if city), "")
    return GeocodeResult(lon, lat, CONFIDENCE["cep"], "cep", city=city, cep=cep)


def _hint_bonus(result, hints):
    """A little more confidence when the neighbourhood or city typed matches the result's."""
    known = {normalize_text(result.neighbourhood), normalize_text(result.city)} - {""}
    return 0.05 if any(hint in known for hint in hints) else 0.0


def geocode(text, limit=5):
    """Address text -> [GeocodeResult], best first (empty when nothing matches).

    Public: the geocoding API, the search box, client registration and bench_gis use it.
    """
    parsed = parse_address(text)
    results = []
    for name, score in _candidate_streets(parsed):
        street = Street(name, score, parsed.number)
        located = street.locate(parsed.number)
        if located is None:
            continue
        point, way, _anchor = located
        neighbourhood, city, cep = street.place_near(point)
        precision = "interpolated" if way == "extrapolated" else "street" if way == "metric" else way
        (lon, lat), = _lonlat_points([point])
        result = GeocodeResult(
            lon, lat, CONFIDENCE[way] * score, precision, street=name,
            number=str(parsed.number) if parsed.number else "", neighbourhood=neighbourhood,
            city=city, cep=cep,
        )
        result.confidence = min(1.0, result.confidence + _hint_bonus(result, parsed.hints))
        results.append(result)
    if not results and parsed.cep and (by_cep := _cep_result(parsed.cep)):
        results.append(by_cep)
    results.sort(key=lambda result: -result.confidence)
    return results[:limit]


def reverse_geocode(lon, lat):
    """(lon, lat) -> the nearest address as a GeocodeResult, or None when no named street is near.

    A known address within REVERSE_ADDRESS_RADIUS_M is returned as it is (precision
    `address`); otherwise the nearest named street within REVERSE_STREET_RADIUS_M
    and a house number estimated along it (`interpolated`, or `street` from metric
    numbering). None too for a point outside settings.MALHA_SUPPORTED_REGION (one stored
    before that check), which the metric projection cannot take.
    """
    if not in_supported_region((lon, lat, lon, lat)):
        return None
    (point,) = _metric_points([(lon, lat)])
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT name, ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography) AS d
            FROM (SELECT name, geom FROM geo_roadedge WHERE name <> ''
                  ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326) LIMIT 8) AS near
            ORDER BY d LIMIT 1
            """,
            [lon, lat, lon, lat],
        )
        row = cursor.fetchone()
    if row is None or row[1] > REVERSE_STREET_RADIUS_M:
        return None
    name, distance = row
    street = Street(name, 1.0)
    closest = min(street.anchors, key=lambda anchor: anchor.point.distance(point), default=None)
    if closest and closest.point.distance(point) <= REVERSE_ADDRESS_RADIUS_M:
        (alon, alat), = _lonlat_points([closest.point])
        return GeocodeResult(alon, alat, CONFIDENCE["address"], "address", name, str(closest.number),
                             closest.neighbourhood, closest.city, closest.cep)
    number, way = street.number_at(point)
    neighbourhood, city, cep = street.place_near(point)
    confidence = CONFIDENCE["interpolated" if way == "interpolated" else "metric"]
    confidence *= max(0.5, 1 - distance / REVERSE_STREET_RADIUS_M)
    precision = "interpolated" if way == "interpolated" else "street"
    return GeocodeResult(lon, lat, confidence, precision, name, str(number), neighbourhood, city, cep)


def locate_address(*, street, number="", neighbourhood="", city="", cep="", min_confidence=None):
    """A Point for an address typed in a form, or None when geocoding is not sure enough.

    Used by crm.people.services when an address arrives without a point. The threshold
    (settings.MALHA_GEOCODING_MIN_CONFIDENCE) keeps guesses from metric numbering
    alone off the map: a person places that pin.
    """
    text = ", ".join(part for part in (f"{street} {number}".strip(), neighbourhood, city, cep) if part)
    threshold = settings.MALHA_GEOCODING_MIN_CONFIDENCE if min_confidence is None else min_confidence
    for result in geocode(text, limit=1):
        if result.confidence >= threshold:
            return Point(result.lon, result.lat, srid=4326)
    return None
