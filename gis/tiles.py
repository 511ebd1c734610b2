"""Mapbox Vector Tiles built in PostGIS, one SQL statement per tile.

Each layer turns a source query (raw SQL, or a queryset from the owning app's
selectors so visibility rules are reused) into `ST_AsMVT(ST_AsMVTGeom(...))`.
gis draws its own layers (streets, boxes, cables, coverage); the apps above it
register theirs, their cell sources and their data topics in AppConfig.ready
(billing: clients and contracts, in billing.tiles; fieldops: orders and
technicians, in fieldops.tiles).

Low zooms ship aggregates instead of points: a grid of CLUSTER_GRID x CLUSTER_GRID
cells per tile, aligned with the tile pyramid so cells of zoom z are exactly four
cells of zoom z+1. An aggregate feature sits at the centre of mass of its points
and carries `cluster: true`, `count` and one count per status. Clients and
contracts (up to millions of points) are aggregated from `geo_tilecell`, a small
table of per-cell sums at the finest aggregate zoom, rebuilt by
`refresh_tile_cells()` when contracts changed (lazily by the tile view once the
cells are MALHA_TILE_CELLS_MAX_STALE seconds out of date, and by a Celery beat
task); service orders are few and are aggregated live.

At or above the detail zoom, a client or contract tile holding more than
MALHA_TILE_MAX_POINTS points also comes as aggregates (of the cells themselves):
a million clients in one city would otherwise make multi-megabyte z14 tiles.
Map styles should tell aggregates by their `cluster` property, not by zoom.

ETags come from per-topic data versions kept in the cache and bumped on commit
by model signals (see `register_topics`), the cell build for aggregates, and
the highest street id for the base map (the OSM import writes with COPY).
"""
import datetime
import hashlib
import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
HALF_WORLD_M = 20037508.342789244  # half the EPSG:3857 world width
ATTRIBUTION = "© OpenStreetMap contributors"

# Road classes drawn from a zoom on: (min zoom, classes). Low zooms get only the arteries.
STREET_CLASSES_BY_ZOOM = (
    (0, ("motorway", "trunk", "primary")),
    (10, ("secondary", "tertiary")),
    (12, ("motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link",
          "residential", "unclassified", "living_street", "road")),
    (14, ("service",)),
)

# Data topics whose changes make tiles stale, bumped by the signals of these models
# (app label.Model); filled by register_topics.
TOPIC_MODELS = {}
# The pre-aggregated cells: the topic whose changes rebuild them (it names the build too)
# and, per layer, the SQL of its points (point, status, plan_id); filled by register_cells.
_cells = {"topic": None, "sources": {}}


class TileError(Exception):
    """A request the tile endpoint answers with a 4xx: `status` and per-field `detail`."""

    def __init__(self, status, detail):
        super().__init__(detail)
        self.status = status
        self.detail = detail


# --- filters -----------------------------------------------------------------------------


def values_of(query, name):
    """A parameter given repeated (?status=a&status=b) or as a comma list (?status=a,b)."""
    return [part.strip() for raw in query.getlist(name) for part in raw.split(",") if part.strip()]


@dataclass(frozen=True)
class ChoiceFilter:
    """Any of the given choices; an unknown value is an error naming the valid ones."""

    choices: type
    kind: str = "multi"

    def parse(self, name, query):
        values = values_of(query, name)
        by_text = {str(value): value for value in self.choices.values}
        unknown = [value for value in values if value not in by_text]
        if unknown or not values:
            raise TileError(400, {name: [
                _("Not a valid value: “%(value)s”. Valid values: %(valid)s.")
                % {"value": ", ".join(unknown), "valid": ", ".join(by_text)}
            ]})
        return tuple(sorted({by_text[value] for value in values}))

    def describe(self):
        return [{"value": value, "label": str(label)} for value, label in self.choices.choices]


@dataclass(frozen=True)
class DateFilter:
    kind: str = "date"

    def parse(self, name, query):
        values = query.getlist(name)
        try:
            (value,) = values
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise TileError(400, {name: [_("Give one date as YYYY-MM-DD.")]}) from None

    def describe(self):
        return None


@dataclass(frozen=True)
class BooleanFilter:
    kind: str = "boolean"

    def parse(self, name, query):
        values = query.getlist(name)
        if len(values) != 1 or values[0].lower() not in ("true", "false", "1", "0"):
            raise TileError(400, {name: [_("Use true or false.")]})
        return values[0].lower() in ("true", "1")

    def describe(self):
        return None


def parse_filters(layer, query):
    """Validated filters of `layer` from the query string; unknown parameters are errors."""
    unknown = sorted(set(query) - set(layer.filters))
    if unknown:
        allowed = ", ".join(layer.filters) or _("none")
        raise TileError(400, {name: [
            _("Unknown filter for the %(layer)s layer. Allowed: %(allowed)s.")
            % {"layer": layer.name, "allowed": allowed}
        ] for name in unknown})
    return {name: spec.parse(name, query) for name, spec in layer.filters.items() if name in query}


# --- tile geometry -------------------------------------------------------------------------


def parse_tile(z, x, y):
    """(z, x, y) as ints inside the tile pyramid, or a 400 naming the bad coordinate."""
    errors = {}
    try:
        z = int(z)
        if not 0 <= z <= MAX_ZOOM:
            raise ValueError
    except ValueError:
        raise TileError(400, {"z": [_("The zoom must be a whole number from 0 to %(max)s.")
                                    % {"max": MAX_ZOOM}]}) from None
    limit = 2**z - 1
    coords = {}
    for name, value in (("x", x), ("y", y)):
        try:
            coords[name] = int(value)
            if not 0 <= coords[name] <= limit:
                raise ValueError
        except ValueError:
            errors[name] = [_("At zoom %(z)s, %(name)s must be a whole number from 0 to %(max)s.")
                            % {"z": z, "name": name, "max": limit}]
    if errors:
        raise TileError(400, errors)
    return z, coords["x"], coords["y"]


def tile_bbox(z, x, y, margin=0.0):
    """(west, south, east, north) in degrees of tile z/x/y grown by `margin` tile widths."""
    n = 2.0**z

    def lon(tile_x):
        return tile_x / n * 360.0 - 180.0

    def lat(tile_y):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * tile_y / n))))

    return lon(x - margin), lat(y + 1 + margin), lon(x + 1 + margin), lat(y - margin)


@dataclass(frozen=True)
class Tile:
    z: int
    x: int
    y: int

    @property
    def bbox(self):
        """The tile and its MVT buffer, so symbols crossing the edge are drawn whole."""
        return tile_bbox(self.z, self.x, self.y, BUFFER / EXTENT)

    @property
    def exact_bbox(self):
        return tile_bbox(self.z, self.x, self.y)


def envelope_sql():
    """The tile's WGS 84 box (see `bbox_params`), for GiST-indexed `&&` tests."""
    return "ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)"


def bbox_params(bbox):
    return dict(zip(("west", "south", "east", "north"), bbox))


def cluster_grid_bits():
    bits = int(settings.MALHA_TILE_CLUSTER_GRID).bit_length() - 1
    if 2**bits != settings.MALHA_TILE_CLUSTER_GRID:
        raise ValueError("MALHA_TILE_CLUSTER_GRID must be a power of two")
    return bits


def cell_size_m(level):
    return 2 * HALF_WORLD_M / 2**level


def cells_base_level():
    """Grid level of geo_tilecell: the cells of the finest aggregated zoom."""
    return settings.MALHA_TILE_DETAIL_ZOOM - 1 + cluster_grid_bits()


# --- data versions -------------------------------------------------------------------------


def _version_key(topic):
    return f"tiles:version:{topic}"


def topic_versions(topics):
    """Current version of each topic; a topic never seen (or evicted) starts at the clock."""
    keys = {topic: _version_key(topic) for topic in topics}
    found = cache.get_many(keys.values())
    versions = {}
    for topic, key in keys.items():
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
        versions[topic] = found[key]
    return versions


def data_changed(*topics):
    """Mark topics as changed: tiles built from them get new ETags. Call after bulk writes."""
    for topic in topics:
        key = _version_key(topic)
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, time.time_ns(), timeout=None)


def register_topics(topic_models):
    """Bump a topic's version after any commit that saved or deleted one of its model's rows;
    `topic_models` maps topics to "app_label.Model" (called from AppConfig.ready)."""
    from django.apps import apps

    for topic, model_name in topic_models.items():
        def bump(sender, topic=topic, **kwargs):
            transaction.on_commit(lambda: data_changed(topic))

        model = apps.get_model(model_name)
        post_save.connect(bump, sender=model, weak=False, dispatch_uid=f"tiles-{topic}-save")
        post_delete.connect(bump, sender=model, weak=False, dispatch_uid=f"tiles-{topic}-delete")
        TOPIC_MODELS[topic] = model_name


# --- pre-aggregated cells ------------------------------------------------------------------

_CELL_SQL = """
    INSERT INTO geo_tilecell (layer, ix, iy, status, plan_id, n, sx, sy)
    SELECT %(layer)s, floor((x + %(half)s) / %(size)s)::int, floor((%(half)s - y) / %(size)s)::int,
           status, plan_id, count(*), sum(x), sum(y)
    FROM (SELECT ST_X(p) AS x, ST_Y(p) AS y, status, plan_id
          FROM (SELECT ST_Transform(point, 3857) AS p, status, plan_id
                FROM ({points}) src WHERE ST_Y(point) BETWEEN -85 AND 85) projected) xy
    GROUP BY 2, 3, 4, 5
"""


def register_cells(topic, sources):
    """Pre-aggregate layers into `geo_tilecell`: `sources` maps a layer name to the SQL of its
    points (point, status, plan_id), rebuilt when `topic` changed (billing registers these)."""
    _cells["topic"] = topic
    _cells["sources"].update(sources)


def _cells_build():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT source_version, base_level, built_at FROM geo_tilecellbuild WHERE name = %s",
            [_cells["topic"]],
        )
        return cursor.fetchone()


def refresh_tile_cells(wait=False):
    """Rebuild the registered layers' cells (clients and contracts) in one transaction.

    Readers keep the previous cells until it commits. Returns False when another
    process is already rebuilding them, unless `wait`: then it waits for that build
    and rebuilds after it (used when there are no cells at all yet, so no tile is
    drawn from an empty table).
    """
    topic = _cells["topic"]
    if topic is None:
        return True  # nothing is drawn from cells
    version = str(topic_versions([topic])[topic])
    level = cells_base_level()
    params = {"half": HALF_WORLD_M, "size": cell_size_m(level)}
    with transaction.atomic(), connection.cursor() as cursor:
        lock = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        cursor.execute(f"SELECT {lock}(hashtext('geo_tilecell'))")
        if not wait and not cursor.fetchone()[0]:
            return False
        cursor.execute("DELETE FROM geo_tilecell")
        for layer, points in _cells["sources"].items():
            cursor.execute(_CELL_SQL.format(points=points), {**params, "layer": layer})
        cursor.execute(
            """INSERT INTO geo_tilecellbuild (name, source_version, base_level, built_at)
               VALUES (%s, %s, %s, now())
               ON CONFLICT (name) DO UPDATE SET source_version = EXCLUDED.source_version,
                   base_level = EXCLUDED.base_level, built_at = EXCLUDED.built_at""",
            [topic, version, level],
        )
    return True


def refresh_tile_cells_if_stale(max_stale_s=None):
    """Rebuild the cells when contracts changed more than `max_stale_s` seconds after the
    last build (or the grid settings changed); returns the build (version, level, built_at)."""
    max_stale_s = settings.MALHA_TILE_CELLS_MAX_STALE if max_stale_s is None else max_stale_s
    topic = _cells["topic"]
    if topic is None:
        return None
    build = _cells_build()
    current = str(topic_versions([topic])[topic])
    stale = (
        build is None
        or build[1] != cells_base_level()
        or (build[0] != current
            and timezone.now() - build[2] >= datetime.timedelta(seconds=max_stale_s))
    )
    if stale and refresh_tile_cells(wait=build is None):
        build = _cells_build()
    return build


# --- layers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """A tile layer: what it draws, who may see it, its filters and how its tiles are built."""

    name: str
    title: object
    geometry: str  # point, line or polygon
    permission: str | None
    topics: tuple
    properties: tuple
    filters: dict = field(default_factory=dict)
    statuses: type | None = None  # the choices counted per aggregate feature
    detail_zoom_setting: str | None = None  # below it, aggregates
    shared: bool = False  # the same bytes for every user: rendered tiles are kept in the cache
    per_user: bool = False  # holds only the rows the user may see: the ETag names the user
    position: int = 0  # place in the layer index, which the map draws in order

    @property
    def detail_zoom(self):
        return getattr(settings, self.detail_zoom_setting) if self.detail_zoom_setting else None

    def aggregates_at(self, z):
        return self.detail_zoom is not None and z < self.detail_zoom

    @property
    def cache_control(self):
        """Streets change only with an OSM import. Data layers are revalidated on every use (a 304
        against the ETag is cheap), so a saved edit shows as soon as the map reloads the layer."""
        if self.name == "streets":
            return f"private, max-age={settings.MALHA_TILE_STREETS_MAX_AGE}"
        return "private, no-cache"

    def allowed(self, user):
        return user.is_authenticated and (self.permission is None or user.has_perm(self.permission))


def queryset_sql(queryset):
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def named_sql(sql, params):
    """Positional %s params -> named ones, so ORM SQL can sit inside our named templates."""
    names = {}
    parts = sql.split("%s")
    out = [parts[0]]
    for index, (part, value) in enumerate(zip(parts[1:], params)):
        names[f"p{index}"] = value
        out.append(f"%(p{index})s{part}")
    return "".join(out), names


def bbox_polygon(bbox):
    from django.contrib.gis.geos import Polygon

    polygon = Polygon.from_bbox(bbox)
    polygon.srid = 4326
    return polygon


def streets_source(tile, filters, user):
    """One line per OSM way (its junction-split, two-way segments merged back), so labels run
    along whole streets; simplified to about a pixel of the tile."""
    classes = [road for min_zoom, roads in STREET_CLASSES_BY_ZOOM if tile.z >= min_zoom for road in roads]
    sql = f"""
        SELECT ST_Simplify(ST_LineMerge(ST_Collect(ST_Transform(e.geom, 3857))), %(tolerance)s)
                   AS geom3857, e.name, e.highway
        FROM geo_roadedge e
        WHERE e.geom && {envelope_sql()} AND (e.oneway OR e.source_id < e.target_id)
          AND e.highway = ANY(%(classes)s)
        GROUP BY e.osm_way_id, e.name, e.highway
    """
    return sql, {**bbox_params(tile.bbox), "tolerance": cell_size_m(tile.z) / EXTENT, "classes": classes}


def status_plan_conditions(filters, alias):
    """SQL conditions (each starting with AND) for the `status` and `plan` filters on rows
    of `alias` with status and plan_id columns: the cells' and their layers' sources."""
    where, params = [], {}
    if "status" in filters:
        where.append(f"{alias}.status = ANY(%(status)s)")
        params["status"] = [str(status) for status in filters["status"]]
    if "plan" in filters:
        where.append(f"{alias}.plan_id = ANY(%(plan)s)")
        params["plan"] = list(filters["plan"])
    return "".join(f" AND {condition}" for condition in where), params


def orm_source(queryset, geometry, columns):
    """A queryset's rows as a layer source: its `geometry` in EPSG:3857 and the SQL `columns`."""
    inner, params = named_sql(*queryset_sql(queryset.order_by()))
    return f"SELECT ST_Transform(q.{geometry}, 3857) AS geom3857, {columns} FROM ({inner}) q", params


def boxes_source(tile, filters, user):
    boxes = selectors.cto_boxes_with_occupancy().filter(point__bboverlaps=bbox_polygon(tile.bbox))
    if "free" in filters:
        boxes = boxes.filter(ports_free__gt=0) if filters["free"] else boxes.filter(ports_free__lte=0)
    boxes = boxes.values("id", "code", "kind", "ports_total", "ports_used", "ports_free", "point")
    return orm_source(boxes, "point", "q.id, q.code, q.kind, q.ports_total::int, "
                                       "q.ports_used::int, q.ports_free::int")


def cables_source(tile, filters, user):
    cables = selectors.cable_list().filter(path__bboverlaps=bbox_polygon(tile.bbox))
    return orm_source(cables.values("id", "code", "kind", "fiber_count", "path"), "path",
                       "q.id, q.code, q.kind, q.fiber_count::int")


def coverage_source(tile, filters, user):
    areas = selectors.coverage_area_list().filter(area__bboverlaps=bbox_polygon(tile.bbox))
    return orm_source(areas.values("id", "name", "active", "area"), "area", "q.id, q.name, q.active")


def _cells_under(layer, tile, filters):
    """SQL conditions and params picking the layer's cells under the tile (z <= base level)."""
    shift = cells_base_level() - tile.z
    where, params = status_plan_conditions(filters, "c")
    sql = f"""c.layer = %(layer)s AND c.ix BETWEEN %(ix0)s AND %(ix1)s
              AND c.iy BETWEEN %(iy0)s AND %(iy1)s{where}"""
    return sql, {
        "layer": layer.name, "ix0": tile.x << shift, "ix1": ((tile.x + 1) << shift) - 1,
        "iy0": tile.y << shift, "iy1": ((tile.y + 1) << shift) - 1, **params,
    }


def cells_point_count(layer, tile, filters):
    """How many points of the layer the tile holds, from the cells (cheap at any density)."""
    if tile.z > cells_base_level():
        return 0  # smaller than one cell: never dense
    where, params = _cells_under(layer, tile, filters)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(sum(c.n), 0) FROM geo_tilecell c WHERE {where}", params)
        return cursor.fetchone()[0]


def cells_cluster_source(layer, tile, filters, user):
    """Aggregates of clients or contracts from the pre-built cells under the tile, at the
    display grid's level or, for a dense tile at or above the detail zoom, the cells' own."""
    level = min(tile.z + cluster_grid_bits(), cells_base_level())
    where, params = _cells_under(layer, tile, filters)
    sql = f"""
        SELECT c.ix >> %(to_level)s AS cx, c.iy >> %(to_level)s AS cy, c.n, c.sx, c.sy, c.status
        FROM geo_tilecell c WHERE {where}
    """
    return sql, {**params, "to_level": cells_base_level() - level}, level


def live_cluster_source(layer, tile, filters, user):
    """Aggregates computed on the fly from the layer's own points (small layers)."""
    points, params = layer.source(Tile(tile.z, tile.x, tile.y), filters, user)
    level = tile.z + cluster_grid_bits()
    sql = f"""
        SELECT floor((ST_X(q.geom3857) + %(half)s) / %(cell)s)::bigint AS cx,
               floor((%(half)s - ST_Y(q.geom3857)) / %(cell)s)::bigint AS cy,
               1 AS n, ST_X(q.geom3857) AS sx, ST_Y(q.geom3857) AS sy, q.status
        FROM ({points}) q
    """
    return sql, {**params, "half": HALF_WORLD_M, "cell": cell_size_m(level)}, level


@dataclass(frozen=True)
class DataLayer(Layer):
    source: object = None
    cluster_source: object = None

    @property
    def cells_backed(self):
        return self.cluster_source is cells_cluster_source

    def clusters_at(self, tile, filters):
        """Aggregates below the detail zoom, and in tiles too dense to ship point by point."""
        if self.aggregates_at(tile.z):
            return True
        return self.cells_backed and cells_point_count(self, tile, filters) > settings.MALHA_TILE_MAX_POINTS

    def tile_sql(self, tile, filters, user):
        if self.clusters_at(tile, filters):
            return _cluster_tile_sql(self, tile, filters, user)
        source, params = self.source(tile, filters, user)
        columns = ", ".join(f'q."{name}"' for name in self.properties)
        sql = f"""
            SELECT ST_AsMVT(t, %(layer_name)s, {EXTENT}, 'mvt_geom') FROM (
                SELECT ST_AsMVTGeom(q.geom3857, ST_TileEnvelope(%(z)s, %(x)s, %(y)s),
                                    {EXTENT}, {BUFFER}, true) AS mvt_geom, {columns}
                FROM ({source}) q
            ) t WHERE t.mvt_geom IS NOT NULL
        """
        return sql, {**params, "layer_name": self.name, "z": tile.z, "x": tile.x, "y": tile.y}


def _cluster_tile_sql(layer, tile, filters, user):
    source, params, level = layer.cluster_source(layer, tile, filters, user)
    shift = level - tile.z
    statuses = [str(status) for status in layer.statuses.values]
    for status in statuses:
        assert status.isidentifier(), status  # our own choice values, used as column names
    counts = ", ".join(f"coalesce(sum(s.n) FILTER (WHERE s.status = '{status}'), 0)::int AS \"{status}\""
                       for status in statuses)
    sql = f"""
        SELECT ST_AsMVT(t, %(layer_name)s, {EXTENT}, 'mvt_geom') FROM (
            SELECT ST_AsMVTGeom(ST_Point(sum(s.sx) / sum(s.n), sum(s.sy) / sum(s.n), 3857),
                                ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true) AS mvt_geom,
                   sum(s.n)::int AS count, true AS cluster, {counts}
            FROM ({source}) s
            WHERE s.cx BETWEEN %(cx0)s AND %(cx1)s AND s.cy BETWEEN %(cy0)s AND %(cy1)s
            GROUP BY s.cx, s.cy
        ) t
    """
    return sql, {**params, "layer_name": layer.name, "z": tile.z, "x": tile.x, "y": tile.y,
                 "cx0": tile.x << shift, "cx1": ((tile.x + 1) << shift) - 1,
                 "cy0": tile.y << shift, "cy1": ((tile.y + 1) << shift) - 1}


LAYERS = {}


def register_layer(layer):
    """Add a layer to the map (apps above gis call this from AppConfig.ready)."""
    layers = sorted({**LAYERS, layer.name: layer}.values(), key=lambda each: each.position)
    LAYERS.clear()
    LAYERS.update((each.name, each) for each in layers)


# gis' own layers and topics, registered by GisConfig.ready like every app's.
GIS_LAYERS = (
    DataLayer("streets", gettext_lazy("Streets"), "line", None, (), ("name", "highway"),
              shared=True, position=0, source=streets_source),
    DataLayer("boxes", gettext_lazy("CTO boxes"), "point", "geo.view_ctobox", ("boxes", "contracts"),
              ("id", "code", "kind", "ports_total", "ports_used", "ports_free"),
              {"free": BooleanFilter()}, position=40, source=boxes_source),
    DataLayer("cables", gettext_lazy("Cables"), "line", "geo.view_cable", ("cables",),
              ("id", "code", "kind", "fiber_count"), position=50, source=cables_source),
    DataLayer("coverage", gettext_lazy("Coverage areas"), "polygon", "geo.view_coveragearea",
              ("coverage",), ("id", "name", "active"), position=60, source=coverage_source),
)
GIS_TOPICS = {"boxes": "geo.CtoBox", "cables": "geo.Cable", "coverage": "geo.CoverageArea"}


def layer_named(name, user):
    """The layer `user` asked for: 404 when there is no such layer, 403 when not theirs."""
    layer = LAYERS.get(name)
    if layer is None:
        raise TileError(404, {"detail": _("Unknown tile layer “%(name)s”. Layers: %(layers)s.")
                              % {"name": name, "layers": ", ".join(LAYERS)}})
    if not layer.allowed(user):
        raise TileError(403, {"detail": _("You do not have permission to see the %(layer)s layer.")
                              % {"layer": layer.name}})
    return layer


# --- rendering -----------------------------------------------------------------------------


def _streets_version():
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM geo_roadedge")
        return cursor.fetchone()[0]


def tile_etag(layer, tile, filters, user):
    """A strong ETag from everything the tile's bytes depend on; refreshes stale cells first."""
    if layer.name == "streets":
        version = _streets_version()
    elif layer.cells_backed:  # aggregates, or points when the tile is not dense
        version = (refresh_tile_cells_if_stale(), topic_versions(layer.topics))
    else:
        version = topic_versions(layer.topics)
    scope = user.pk if layer.per_user else ""
    text = repr((layer.name, tile, sorted(filters.items()), version, scope, cells_base_level(),
                 settings.MALHA_TILE_CLUSTER_GRID, settings.MALHA_TILE_MAX_POINTS))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def render_tile(layer, tile, filters, user, etag):
    """The tile's MVT bytes (empty when no feature falls in it)."""
    key = f"tiles:bytes:{etag}"
    if layer.shared and (cached := cache.get(key)) is not None:
        return cached
    sql, params = layer.tile_sql(tile, filters, user)
    # PostgreSQL's JIT compiles for 0.2-0.6 s on dense tiles that run in 0.03-0.2 s without it;
    # parallel workers double a dense tile's time: ST_AsMVT's partial tiles are merged serially.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(sql, params)
        row = cursor.fetchone()
    body = bytes(row[0]) if row and row[0] is not None else b""
    if layer.shared:  # the street base map
        cache.set(key, body, timeout=settings.MALHA_TILE_STREETS_MAX_AGE)
    return body


def tile_index(user):
    """What the map page needs to know about the layers `user` may see."""
    layers = []
    for layer in LAYERS.values():
        if not layer.allowed(user):
            continue
        layers.append({
            "name": layer.name,
            "title": str(layer.title),
            "geometry": layer.geometry,
            "minzoom": 0,
            "maxzoom": MAX_ZOOM,
            "aggregate_below_zoom": layer.detail_zoom,
            "properties": list(layer.properties),
            "cluster_properties": (["cluster", "count", *map(str, layer.statuses.values)]
                                   if layer.detail_zoom is not None else []),
            "filters": [{"name": name, "kind": spec.kind, "values": spec.describe()}
                        for name, spec in layer.filters.items()],
            "url": f"/tiles/{layer.name}/{{z}}/{{x}}/{{y}}.mvt",
        })
    return {
        "layers": layers,
        "basemap_style_url": settings.MALHA_BASEMAP_STYLE_URL,
        "attribution": ATTRIBUTION,
        "cluster_grid": settings.MALHA_TILE_CLUSTER_GRID,
        "dense_tile_max_points": settings.MALHA_TILE_MAX_POINTS,
    }
