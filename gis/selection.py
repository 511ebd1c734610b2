"""Polygon selection: the contracts (and their clients) inside an area a dispatcher drew.

One code path for the map's selection API, its CSV export, the `bench_gis` command
and the bulk-notification campaigns. gis checks the area; what lies in it comes from
the source billing registers (billing.selection, in BillingConfig.ready), which the
public functions below dispatch to, so the campaigns need not import billing:

    area = clean_selection_area(geojson)          # validate, maybe repair -> SelectionArea
    contracts = contracts_in_area(area, statuses, plan_ids)   # ordered QuerySet
    summary = selection_counts(area, statuses, plan_ids)   # exact counts from count cells
    selection = select_contracts(area, ...)       # counts + first page, what the map shows

Validation happens in shapely (GEOS) before anything reaches the database, so a
malformed polygon is a ValidationError with a code, never a database error:
`malformed_geojson`, `wrong_type`, `unclosed_ring`, `too_few_points`,
`too_many_vertices`, `out_of_range`, `outside_region`, `area_too_wide`,
`invalid_geometry`, `empty_geometry`, `area_too_large`.

The safe-repair rule: a polygon that is not OGC-valid (it crosses itself, has a
spike, touches itself) is repaired with GEOS MakeValid (the algorithm behind
PostGIS' ST_MakeValid) only when all of these hold:
  1. the repaired geometry still has polygonal parts (collapsed spikes and
     zero-area slivers are dropped),
  2. it is not empty,
  3. its area differs from the area the person drew (the shoelace area of each
     ring, holes subtracted, i.e. what a "fill" of the outline encloses) by at most
     REPAIR_AREA_TOLERANCE (1%).
A tiny loop where the last click crossed the first edge passes; a bow tie, whose
two lobes wind in opposite directions, does not: its drawn area and its repaired
area disagree, and guessing what was meant would select the wrong clients. That
case is a 400 naming the problem and where it is (GEOS' validity reason).
"""

import math
from dataclasses import dataclass, field

import numpy
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Func, Q
from django.utils.translation import gettext as _

from core.geometry import MAX_VERTICES, validate_supported_region

WGS84 = 4326
# Relative area change a repair may cause and still be called safe (see the module docstring).
REPAIR_AREA_TOLERANCE = 0.01
# Polygons with more vertices than this are split (ST_Subdivide) so that each GiST
# lookup scans the box of a small piece instead of the box of the whole shape.
SUBDIVIDE_MAX_VERTICES = 256
# ... and so are polygons filling less than this share of their bounding box.
SUBDIVIDE_MIN_FILL = 0.5
DEFAULT_PAGE_SIZE = 50
# The exact point-in-polygon test (ST_Intersects) costs ~2 µs a point, most of a 10%
# selection's time at a million clients. A grid of CELL_GRID x CELL_GRID cells over the
# polygon's box, each marked inside, outside or on the boundary, settles the points of
# inside and outside cells with arithmetic; only boundary cells' points get the exact test.
CELL_GRID = 64
CELL_OUTSIDE, CELL_INSIDE, CELL_BOUNDARY = 0, 1, 2
# Cells are classified grown by this margin (degrees, ~0.1 mm), so floating-point rounding
# in the SQL cell arithmetic can never put a point in a cell classified for another place.
CELL_MARGIN_DEG = 1e-9


# The count grid of billing migration 0005 (geo_selection_cell): cells of 4**level / CELLS_PER_DEGREE degrees a side.
CELLS_PER_DEGREE = 1024
COUNT_LEVELS = 4
CELL_KEY_BITS = 18
# The 16 children of a cell one level down, as column and row offsets.
CHILD_COLUMNS, CHILD_ROWS = (offsets.ravel() for offsets in numpy.meshgrid(numpy.arange(4), numpy.arange(4), indexing="ij"))


@dataclass(frozen=True)
class CellCover:
    """The count grid's cells a polygon needs: `interior` (level, ix, iy) lying wholly inside,
    the largest possible, whose counts are summed; `edge`, finest cells the outline crosses
    (keys as geo_selection_cell), whose contracts are tested one by one."""

    interior: tuple
    edge: tuple

    @classmethod
    def of(cls, shape):
        """Quadtree from the coarsest level down: inside cells are kept, crossed ones split
        in 16, and the crossed finest cells are the edge. Cells are grown by CELL_MARGIN_DEG
        when classified (see CellGrid), so rounding cannot misplace a point."""
        shapely.prepare(shape)
        west, south, east, north = shape.bounds
        level = COUNT_LEVELS - 1
        scale = CELLS_PER_DEGREE / 4**level
        columns, rows = numpy.meshgrid(
            numpy.arange(math.floor((west + 180) * scale), math.floor((east + 180) * scale) + 1),
            numpy.arange(math.floor((south + 90) * scale), math.floor((north + 90) * scale) + 1),
            indexing="ij",
        )
        columns, rows, interior = columns.ravel(), rows.ravel(), []
        while True:
            size = 1 / scale
            cells = shapely.box(columns * size - 180 - CELL_MARGIN_DEG, rows * size - 90 - CELL_MARGIN_DEG,
                                (columns + 1) * size - 180 + CELL_MARGIN_DEG,
                                (rows + 1) * size - 90 + CELL_MARGIN_DEG)
            inside = shapely.contains_properly(shape, cells)
            crossed = ~inside & shapely.intersects(shape, cells)
            interior.extend(zip([level] * int(inside.sum()), columns[inside].tolist(), rows[inside].tolist()))
            columns, rows = columns[crossed], rows[crossed]
            if level == 0:
                edge = (columns.astype(numpy.int64) << CELL_KEY_BITS) + rows
                return cls(tuple(interior), tuple(edge.tolist()))
            level, scale = level - 1, scale * 4
            columns = (columns[:, None] * 4 + CHILD_COLUMNS).ravel()
            rows = (rows[:, None] * 4 + CHILD_ROWS).ravel()


@dataclass(frozen=True)
class CellGrid:
    """Cell classes of a polygon's box: `classes[column * size + row]`, columns west to
    east, rows south to north, one byte each (CELL_OUTSIDE, CELL_INSIDE, CELL_BOUNDARY)."""

    west: float
    south: float
    cell_width: float
    cell_height: float
    size: int
    classes: bytes = field(repr=False)

    @classmethod
    def of(cls, shape, size=CELL_GRID):
        west, south, east, north = shape.bounds
        width, height = (east - west) / size, (north - south) / size
        columns, rows = numpy.meshgrid(numpy.arange(size), numpy.arange(size), indexing="ij")
        cells = shapely.box(west + columns * width - CELL_MARGIN_DEG, south + rows * height - CELL_MARGIN_DEG,
                            west + (columns + 1) * width + CELL_MARGIN_DEG,
                            south + (rows + 1) * height + CELL_MARGIN_DEG)
        shapely.prepare(shape)
        classes = numpy.where(shapely.contains_properly(shape, cells), CELL_INSIDE,
                              numpy.where(shapely.intersects(shape, cells), CELL_BOUNDARY, CELL_OUTSIDE))
        return cls(west, south, width, height, size, classes.astype(numpy.uint8).ravel().tobytes())


class InsideArea(Func):
    """SQL: the point expression lies inside the area (boundary included, like ST_Intersects).

    The point's cell class decides; only points in boundary cells (and points outside the
    grid, clamped to edge cells, which are never inside) reach ST_Intersects.
    """

    output_field = BooleanField()

    def __init__(self, point, area):
        super().__init__(point)
        self.area = area

    def as_sql(self, compiler, connection, **extra_context):
        point, point_params = compiler.compile(self.source_expressions[0])
        grid = self.area.grid
        cell = ("LEAST(GREATEST(floor((ST_X({p}) - %s) / %s)::int, 0), %s) * %s"
                " + LEAST(GREATEST(floor((ST_Y({p}) - %s) / %s)::int, 0), %s)").format(p=point)
        sql = (f"CASE get_byte(%s::bytea, {cell}) WHEN {CELL_INSIDE} THEN true WHEN {CELL_OUTSIDE} THEN false"
               f" ELSE ST_Intersects({point}, ST_GeomFromWKB(%s, {WGS84})) END")
        params = [
            grid.classes,
            *point_params, grid.west, grid.cell_width, grid.size - 1, grid.size,
            *point_params, grid.south, grid.cell_height, grid.size - 1,
            *point_params, bytes(self.area.geometry.wkb),
        ]
        return sql, params


@dataclass(frozen=True)
class SelectionArea:
    """A validated (possibly repaired) selection polygon in WGS 84.

    `pieces` are the boxes the GiST index looks up: the polygon itself, or its
    ST_Subdivide pieces when it is large or concave. `grid` classifies the polygon's
    box for the exact test (see CellGrid); `cover` is its cover by count cells (CellCover).
    """

    geometry: GEOSGeometry  # a valid MultiPolygon, SRID 4326
    area_km2: float
    repaired: bool = False
    messages: tuple = ()
    pieces: tuple = field(default=(), repr=False)
    grid: CellGrid = field(default=None, repr=False)
    cover: CellCover = field(default=None, repr=False)

    def contains_q(self, prefix="point"):
        """Q keeping rows whose `prefix` point lies inside the area: GiST-indexed box
        overlaps, then the cell grid's exact test. One box keeps index-only scans possible."""
        boxes = Q(pk__in=[])
        for piece in self.pieces or (self.geometry,):
            boxes |= Q(**{f"{prefix}__bboverlaps": piece})
        return boxes & Q(InsideArea(prefix, self))


@dataclass(frozen=True)
class Selection:
    """What the map shows for a selection: the counts and the first page of contracts."""

    area: SelectionArea
    counts: dict
    page: list


def _error(message, code, **params):
    return ValidationError(message, code=code, params=params or None)


def _malformed(detail):
    return _error(_("Malformed GeoJSON: %(detail)s"), "malformed_geojson", detail=detail)


def _position(value):
    """A GeoJSON position -> (lon, lat); altitude is dropped, the map is two-dimensional."""
    if not isinstance(value, (list, tuple)) or len(value) not in (2, 3):
        raise _malformed(_("every position must be [longitude, latitude]."))
    if not all(isinstance(number, (int, float)) and not isinstance(number, bool) for number in value):
        raise _malformed(_("coordinates must be numbers."))
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise _malformed(_("coordinates must be finite numbers."))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _error(
            _("Coordinates out of range at %(lon)s, %(lat)s: longitude must be between -180 and "
              "180 and latitude between -90 and 90 (WGS 84)."),
            "out_of_range", lon=value[0], lat=value[1],
        )
    return lon, lat


def _ring(value, polygon_number, ring_number):
    if not isinstance(value, (list, tuple)):
        raise _malformed(_("a polygon is a list of rings, each a list of positions."))
    points = [_position(position) for position in value]
    where = {"polygon": polygon_number, "ring": ring_number}
    if len(points) < 4:
        raise _error(
            _("Ring %(ring)s of polygon %(polygon)s has %(count)s positions: a closed ring needs "
              "at least 4 (the first repeated at the end)."),
            "too_few_points", count=len(points), **where,
        )
    if points[0] != points[-1]:
        raise _error(
            _("Ring %(ring)s of polygon %(polygon)s is not closed: its last position must repeat "
              "the first one."),
            "unclosed_ring", **where,
        )
    return points


def _polygon_rings(geojson):
    """The rings of every polygon of a GeoJSON Polygon/MultiPolygon dict, checked one by one."""
    if not isinstance(geojson, dict) or not isinstance(geojson.get("type"), str):
        raise _malformed(_('send a geometry object such as {"type": "Polygon", "coordinates": [...]}.'))
    kind = geojson["type"]
    if kind not in ("Polygon", "MultiPolygon"):
        raise _error(
            _("Wrong geometry type: expected Polygon or MultiPolygon, got %(got)s."),
            "wrong_type", got=kind,
        )
    coordinates = geojson.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, (list, tuple)) or not polygons:
        raise _malformed(_("the coordinates are missing or empty."))
    vertices = 0
    for polygon in polygons:
        if not isinstance(polygon, (list, tuple)) or not polygon:
            raise _malformed(_("a polygon is a list of rings, each a list of positions."))
        for ring in polygon:
            vertices += len(ring) if isinstance(ring, (list, tuple)) else 0
    if vertices > MAX_VERTICES:
        raise _error(
            _("Too many vertices: %(count)s, at most %(max)s."),
            "too_many_vertices", count=vertices, max=MAX_VERTICES,
        )
    return [
        [_ring(ring, polygon_number, ring_number) for ring_number, ring in enumerate(polygon, 1)]
        for polygon_number, polygon in enumerate(polygons, 1)
    ]


def _drawn_area(rings_per_polygon):
    """Planar area a fill of the outlines encloses: each shell minus its holes (see the rule)."""
    total = 0.0
    for shell, *holes in rings_per_polygon:
        total += abs(_shoelace(shell)) - sum(abs(_shoelace(hole)) for hole in holes)
    return total


def _shoelace(points):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:])) / 2


def _polygonal_part(geometry):
    """The Polygon/MultiPolygon part of a MakeValid result (lines and points are collapsed spikes)."""
    parts = [part for part in shapely.get_parts(geometry) if part.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.MultiPolygon()


def _repaired(shape, rings_per_polygon):
    """(repaired shape, message) when the safe-repair rule allows it, else ValidationError."""
    reason = shapely.is_valid_reason(shape)
    refusal = _error(
        _("The polygon is not valid and cannot be repaired safely: %(reason)s. Draw it again "
          "without crossing or overlapping lines."),
        "invalid_geometry", reason=reason,
    )
    repaired = _polygonal_part(shapely.make_valid(shape))
    drawn = _drawn_area(rings_per_polygon)
    if repaired.is_empty or drawn <= 0:
        raise refusal
    if abs(repaired.area - drawn) > REPAIR_AREA_TOLERANCE * drawn:
        raise refusal
    message = _("The polygon was repaired (%(reason)s); the area you drew is unchanged.") % {
        "reason": reason
    }
    return repaired, message


def _as_multipolygon(shape):
    if shape.geom_type == "Polygon":
        shape = shapely.MultiPolygon([shape])
    return GEOSGeometry(memoryview(shapely.to_wkb(shape)), srid=WGS84)


def _area_and_pieces(geometry):
    """Geodesic area (km²) and, for large or concave polygons, the ST_Subdivide pieces.

    A big polygon is cut to at most SUBDIVIDE_MAX_VERTICES vertices a piece; a
    concave one (filling less than SUBDIVIDE_MIN_FILL of its box) into a few
    pieces that hug its shape, so the index returns few points outside it.
    """
    xmin, ymin, xmax, ymax = geometry.extent
    bbox_area = (xmax - xmin) * (ymax - ymin)
    if geometry.num_coords > SUBDIVIDE_MAX_VERTICES:
        piece_vertices = SUBDIVIDE_MAX_VERTICES
    elif bbox_area > 0 and geometry.area / bbox_area < SUBDIVIDE_MIN_FILL:
        piece_vertices = max(5, geometry.num_coords // 4)  # ST_Subdivide's smallest is 5
    else:
        piece_vertices = None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Area(ST_GeomFromWKB(%s, 4326)::geography) / 1e6", [bytes(geometry.wkb)]
        )
        area_km2 = cursor.fetchone()[0]
        pieces = ()
        if piece_vertices:
            cursor.execute(
                "SELECT ST_AsBinary(ST_Subdivide(ST_GeomFromWKB(%s, 4326), %s))",
                [bytes(geometry.wkb), piece_vertices],
            )
            pieces = tuple(GEOSGeometry(memoryview(row[0]), srid=WGS84) for row in cursor.fetchall())
    return area_km2, pieces


def _check_extent(rings_per_polygon):
    """Refuse, before any geometry work, areas outside the served region or wider or taller
    than settings.MALHA_SELECTION_MAX_SPAN_DEG: a sliver across the antimeridian or a
    whole-world ring has a small or undefined geodesic area but costs seconds of CPU."""
    lons = [lon for polygon in rings_per_polygon for ring in polygon for lon, _lat in ring]
    lats = [lat for polygon in rings_per_polygon for ring in polygon for _lon, lat in ring]
    validate_supported_region((min(lons), min(lats), max(lons), max(lats)))
    span = max(max(lons) - min(lons), max(lats) - min(lats))
    limit = settings.MALHA_SELECTION_MAX_SPAN_DEG
    if span > limit:
        raise _error(
            _("The area is too wide: %(span)s degrees across, at most %(max)s. Draw a smaller polygon."),
            "area_too_wide", span=f"{span:.2f}", max=limit,
        )


def clean_selection_area(geojson):
    """GeoJSON Polygon/MultiPolygon (a dict) -> SelectionArea, or ValidationError with a code.

    Checks structure, closed rings, at most MAX_VERTICES vertices, coordinate
    range, the served region and the span limit, OGC validity (repairing only what the safe-repair rule of this module
    allows) and the area limit settings.MALHA_SELECTION_MAX_AREA_KM2 (geodesic).
    Public: used by the selection API, `bench_gis` and the campaigns.
    """
    rings_per_polygon = _polygon_rings(geojson)
    _check_extent(rings_per_polygon)
    shape = shapely.MultiPolygon([(shell, holes) for shell, *holes in rings_per_polygon])
    repaired, messages = False, ()
    if not shape.is_valid:
        shape, message = _repaired(shape, rings_per_polygon)
        repaired, messages = True, (message,)
    if shape.is_empty or shape.area == 0:
        raise _error(_("The polygon encloses no area."), "empty_geometry")
    geometry = _as_multipolygon(shape)
    area_km2, pieces = _area_and_pieces(geometry)
    limit = settings.MALHA_SELECTION_MAX_AREA_KM2
    if area_km2 > limit:
        raise _error(
            _("The area is too large: %(area)s km², at most %(max)s km². Draw a smaller polygon."),
            "area_too_large", area=f"{area_km2:,.1f}", max=limit,
        )
    return SelectionArea(geometry, area_km2, repaired, messages, pieces, CellGrid.of(shape),
                         CellCover.of(shape))


@dataclass(frozen=True)
class SelectionSource:
    """What a selection finds, registered by the app that owns it (billing: contracts).

    `clean_filters(statuses, plan_ids)`, `in_area(area, statuses, plan_ids)` (ordered
    QuerySet), `counts(area, statuses, plan_ids)` and `select(area, statuses, plan_ids,
    page, page_size)` are the domain; `permissions` to see a selection, `serializer` of a
    page row and `exporter()` -> (CSV header, row(item) -> CSV row) are the API's.
    """

    clean_filters: object
    in_area: object
    counts: object
    select: object
    permissions: tuple
    serializer: object
    exporter: object


_registered = {}


def register_source(source):
    _registered["source"] = source


def source():
    """The registered SelectionSource (billing's)."""
    return _registered["source"]


def clean_contract_filters(statuses=None, plan_ids=None):
    """Checked (statuses, plan_ids); unknown values are a ValidationError naming the field."""
    return source().clean_filters(statuses, plan_ids)


def contracts_in_area(area, statuses=None, plan_ids=None):
    """Contracts whose installation point lies inside `area`, optionally filtered, ordered by id.

    Public: the selection page, its CSV export and the campaigns iterate this.
    """
    return source().in_area(area, statuses, plan_ids)


def selection_counts(area, statuses=None, plan_ids=None):
    """{"clients", "contracts", "by_status", "by_plan"} of contracts_in_area(area, statuses, plan_ids)."""
    return source().counts(area, statuses, plan_ids)


def select_contracts(area, statuses=None, plan_ids=None, page=1, page_size=DEFAULT_PAGE_SIZE):
    """Counts and one page (1-based) of the contracts inside `area`: what the map shows.

    Public: the selection API and the bench (`bench_gis`, counts + first page) call this.
    """
    return source().select(area, statuses, plan_ids, page, page_size)
