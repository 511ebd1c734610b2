"""`manage.py bench_gis --clients N --json`: how the map's reads scale, on synthetic clients.

Never touches the dev database: the data lives in a throwaway database
(bench.db; `--database`, default `malha_bench`; `--keep` keeps it, and reuses it
when it already holds N clients). Streets come from the
demo OSM extract (settings.MALHA_DEMO_OSM); clients are bulk-loaded in SQL on
residential streets, weighted by the demo population grid
(settings.MALHA_DEMO_POPULATION) like the demo city. Then it times the same
functions the API calls: polygon selection (gis.selection), tiles (gis.tiles),
geocoding (gis.geocoding, when present), and the naive selection (load every
point, test each with shapely) as the baseline.

The last line of the output is one flat JSON object (the figures in milliseconds).
"""
import json
import math
import random
import statistics
import time
from decimal import Decimal

import shapely
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from bench.db import insert_select, throwaway_database
from billing.models import Contract, Plan
from crm.people.models import Address, Person
from demo.catalogue import CONTRACT_STATUS_WEIGHTS, HOME_PLAN_WEIGHTS, PLANS
from demo.city import RESIDENTIAL_CLASSES, read_population
from gis import selection, tiles
from gis.osm_import import import_osm

SELECTION_SHARES = {"1pct": 0.01, "10pct": 0.10, "50pct": 0.50}
# Shares also measured the naive way: the baseline (10%) and the largest selection.
NAIVE_SHARES = ("10pct", "50pct")
TILE_ZOOMS = (10, 13, 14, 16)
CIRCLE_VERTICES = 64
M_PER_DEG_LAT = 111_320.0


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def timed(function, repeat):
    """Milliseconds of `repeat` calls after one warm-up call."""
    function()
    samples = []
    for _run in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples):
    return {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(percentile(samples, 0.95), 2)}


class Command(BaseCommand):
    help = "Benchmark polygon selection, vector tiles and geocoding on N synthetic clients."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=200_000)
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="print the full results as JSON")
        parser.add_argument("--keep", action="store_true", help="keep (and reuse) the bench database")
        parser.add_argument("--database", default="malha_bench", help="name of the throwaway database")
        parser.add_argument("--repeat", type=int, default=20, help="timed runs per figure")
        parser.add_argument("--seed", type=int, default=7)

    def log(self, message):
        self.stderr.write(message)

    def handle(self, *args, clients, as_json, keep, database, repeat, seed, **options):
        if clients < 1000:
            raise CommandError("--clients must be at least 1000")
        with throwaway_database(database, keep=keep, log=self.log):
            results = self.run(clients, repeat, random.Random(seed))
        if as_json:
            self.stdout.write(json.dumps(results["details"], indent=2))
        else:
            for key, value in results["flat"].items():
                self.stdout.write(f"{key:40} {value}")
        self.stdout.write(json.dumps(results["flat"]))

    # --- data ---------------------------------------------------------------------------

    def run(self, clients, repeat, rng):
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [rng.random()])
            cursor.execute("SELECT count(*) FROM crm_person")
            loaded = cursor.fetchone()[0]
        load_s = None
        if loaded != clients:
            start = time.perf_counter()
            self.load(clients)
            load_s = round(time.perf_counter() - start, 1)
        # What autovacuum does to a settled table: statistics, and the visibility map that
        # lets selection count from the covering index alone.
        self.log("VACUUM ANALYZE...")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        start = time.perf_counter()
        tiles.refresh_tile_cells()
        cells_ms = round((time.perf_counter() - start) * 1000, 1)
        details = {"clients": clients, "load_s": load_s, "tile_cells_refresh_ms": cells_ms}
        details["tiles"] = self.bench_tiles(repeat, rng)
        details["selection"], polygons = self.bench_selection(clients, repeat, rng)
        for name in NAIVE_SHARES:
            details[f"naive_selection_{name}"] = self.bench_naive(
                name, polygons[name], details["selection"][name]["contracts"])
        details["geocode"] = self.bench_geocoding(rng)
        return {"details": details, "flat": self.flatten(details)}

    def load(self, clients):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM geo_roadedge")
            if not cursor.fetchone()[0]:
                self.log(f"Importing streets from {settings.MALHA_DEMO_OSM}...")
                import_osm(settings.MALHA_DEMO_OSM)
            self.log(f"Loading {clients:,} clients...")
            for table in ("fieldops_serviceorder", "billing_contract", "crm_address", "crm_person"):
                cursor.execute(f"TRUNCATE {table} CASCADE")
            Plan.objects.all().delete()
            plans = Plan.objects.bulk_create(
                Plan(name=name, download_mbps=down, upload_mbps=up, monthly_price=Decimal(price))
                for name, down, up, price in PLANS
            )
            self.weighted_streets(cursor)
            self.synthetic_clients(cursor, clients, plans)
            self.log("Writing people, addresses and contracts...")
            insert_select(cursor, Person, {
                "id": "i", "person_type": "'natural'", "stage": "'client'", "name": "'Cliente ' || i",
                "document": "lpad(i::text, 11, '0')", "created_at": "now()", "updated_at": "now()",
            }, "bench_client")
            insert_select(cursor, Address, {
                "id": "i", "person_id": "i", "cep": "'90010000'", "street": "street",
                "number": "(1 + i %% 3000)::text", "neighbourhood": "'Centro'",
                "city": "'Porto Alegre'", "state": "'RS'", "point": "point",
            }, "bench_client")
            insert_select(cursor, Contract, {
                "id": "i", "number": "'BN' || lpad(i::text, 9, '0')", "person_id": "i", "plan_id": "plan_id",
                "installation_address_id": "i", "point": "point", "status": "status", "due_day": "10",
                "signed_on": "current_date - 400",
                "activated_on": "CASE WHEN status <> 'awaiting_installation' THEN current_date - 390 END",
                "suspended_on": "CASE WHEN status = 'suspended' THEN current_date - 5 END",
                "cancelled_on": "CASE WHEN status = 'cancelled' THEN current_date - 10 END",
                "created_at": "now()", "updated_at": "now()",
            }, "bench_client")
            for table in ("crm_person", "crm_address", "billing_contract"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [clients])

    def weighted_streets(self, cursor):
        """Residential street segments weighted by length x population of the nearest grid cell."""
        cursor.execute("CREATE TEMP TABLE bench_cell (point geometry(Point, 4326), population float8)")
        cursor.executemany(
            "INSERT INTO bench_cell VALUES (ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s)",
            [(lon, lat, population) for (lon, lat), population in read_population(settings.MALHA_DEMO_POPULATION)],
        )
        cursor.execute("CREATE INDEX ON bench_cell USING gist (point)")
        cursor.execute(
            """
            CREATE TEMP TABLE bench_street AS
            SELECT e.id, e.name, e.geom, sum(w.weight) OVER (ORDER BY e.id) AS upto
            FROM geo_roadedge e
            CROSS JOIN LATERAL (
                SELECT c.population * e.length_m AS weight FROM bench_cell c
                ORDER BY c.point <-> ST_Centroid(e.geom) LIMIT 1) w
            WHERE e.highway = ANY(%s) AND e.name <> '' AND (e.oneway OR e.source_id < e.target_id)
              AND w.weight > 0
            """,
            [sorted(RESIDENTIAL_CLASSES)],
        )
        cursor.execute("CREATE INDEX ON bench_street (upto)")

    def synthetic_clients(self, cursor, clients, plans):
        """bench_client(i, street, point, status, plan_id): N homes on weighted streets."""
        statuses = [str(status) for status in CONTRACT_STATUS_WEIGHTS]
        status_upto = list(_cumulative(CONTRACT_STATUS_WEIGHTS.values()))
        plan_upto = list(_cumulative(HOME_PLAN_WEIGHTS))
        cursor.execute(
            """
            CREATE TEMP TABLE bench_client AS
            SELECT q.i, s.name AS street, ST_LineInterpolatePoint(s.geom, q.along) AS point,
                   (%(statuses)s::text[])[(SELECT count(*) FROM unnest(%(status_upto)s::float8[]) u
                                           WHERE u < q.status_r) + 1] AS status,
                   (%(plans)s::bigint[])[(SELECT count(*) FROM unnest(%(plan_upto)s::float8[]) u
                                          WHERE u < q.plan_r) + 1] AS plan_id
            FROM (SELECT i, random() * (SELECT max(upto) FROM bench_street) AS r, random() AS along,
                         random() AS status_r, random() AS plan_r
                  FROM generate_series(1, %(clients)s) i) q
            CROSS JOIN LATERAL (SELECT name, geom FROM bench_street WHERE upto >= q.r
                                ORDER BY upto LIMIT 1) s
            """,
            {"statuses": statuses, "status_upto": status_upto, "clients": clients,
             "plans": [plan.pk for plan in plans], "plan_upto": plan_upto},
        )

    # --- measurements -------------------------------------------------------------------

    def sample_points(self, rng, count):
        with connection.cursor() as cursor:
            cursor.execute("SELECT ST_X(point), ST_Y(point) FROM billing_contract ORDER BY random() LIMIT 2000")
            points = cursor.fetchall()
        return [points[rng.randrange(len(points))] for _index in range(count)]

    def bench_tiles(self, repeat, rng):
        """The clients layer as the tile view serves it (ETag, then the tile), at tiles holding clients."""
        user = get_user_model()(is_superuser=True, is_active=True)
        layer = tiles.LAYERS["clients"]
        results = {}
        for z in TILE_ZOOMS:
            sample = [tiles.Tile(z, *_tile_xy(lon, lat, z)) for lon, lat in self.sample_points(rng, repeat)]
            sizes = []

            def serve(tile):
                etag = tiles.tile_etag(layer, tile, {}, user)
                body = tiles.render_tile(layer, tile, {}, user, etag)
                sizes.append(len(body))

            serve(sample[0])
            samples = []
            for tile in sample:
                start = time.perf_counter()
                serve(tile)
                samples.append((time.perf_counter() - start) * 1000)
            results[f"z{z}"] = {**summary(samples), "bytes_p50": int(statistics.median(sizes))}
            self.log(f"tile z{z}: {results[f'z{z}']}")
        return results

    def circle(self, lon, lat, radius_m):
        lat_scale = M_PER_DEG_LAT * math.cos(math.radians(lat))
        ring = [
            (lon + radius_m * math.cos(angle) / lat_scale, lat + radius_m * math.sin(angle) / M_PER_DEG_LAT)
            for angle in (2 * math.pi * step / CIRCLE_VERTICES for step in range(CIRCLE_VERTICES))
        ]
        return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}

    def count_inside(self, geojson):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM billing_contract WHERE ST_Intersects(point, ST_GeomFromGeoJSON(%s))",
                [json.dumps(geojson)],
            )
            return cursor.fetchone()[0]

    def polygon_holding(self, share, clients, centre):
        """A circle around `centre` holding about `share` of the clients (bisection on the radius)."""
        low, high = 10.0, 40_000.0
        for _step in range(14):
            radius = math.sqrt(low * high)
            inside = self.count_inside(self.circle(*centre, radius)) / clients
            if abs(inside - share) <= share * 0.1:
                break
            low, high = (radius, high) if inside < share else (low, radius)
        return self.circle(*centre, radius), inside

    def bench_selection(self, clients, repeat, rng):
        """clean_selection_area + select_contracts (counts + first page): what the API does."""
        centre = _weighted_centre()
        results, polygons = {}, {}
        for name, share in SELECTION_SHARES.items():
            geojson, inside = self.polygon_holding(share, clients, centre)

            def select(geojson=geojson):
                area = selection.clean_selection_area(geojson)
                return selection.select_contracts(area)

            found = select().counts["contracts"]
            results[name] = {**summary(timed(select, repeat)), "share": round(inside, 4),
                             "contracts": found}
            self.log(f"selection {name}: {results[name]}")
            polygons[name] = geojson
        return results, polygons

    def bench_naive(self, name, geojson, expected, repeat=3):
        """Load every installation point and test each with shapely: the baseline, which
        must find the same number of contracts as the selection (`expected`)."""
        polygon = shapely.geometry.shape(geojson)

        def naive():
            with connection.cursor() as cursor:
                cursor.execute("SELECT id, status, plan_id, ST_X(point), ST_Y(point) FROM billing_contract")
                rows = cursor.fetchall()
            inside = [row for row in rows if polygon.contains(shapely.Point(row[3], row[4]))]
            inside.sort()
            return len(inside), inside[: selection.DEFAULT_PAGE_SIZE]

        found, _page = naive()
        if found != expected:
            raise CommandError(f"selection found {expected:,} contracts, the naive way {found:,}")
        result = summary(timed(naive, repeat))
        self.log(f"naive selection {name}: {result}")
        return result

    def bench_geocoding(self, rng, count=1000):
        try:
            from gis import geocoding
        except ImportError:
            self.log("gis.geocoding is not there yet: geocoding not measured")
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT street, housenumber, suburb, city FROM geo_addresspoint ORDER BY id")
            addresses = cursor.fetchall()
        texts = [", ".join(part for part in rng.choice(addresses) if part) for _index in range(count)]
        samples = []
        try:
            geocoding.geocode(texts[0])
            for text in texts:
                start = time.perf_counter()
                geocoding.geocode(text)
                samples.append((time.perf_counter() - start) * 1000)
        except DatabaseError as error:  # e.g. a bench database kept from before geocoding's tables
            self.log(f"geocoding failed, not measured (rebuild the bench database?): {error}")
            return None
        result = summary(samples)
        self.log(f"geocoding: {result}")
        return result

    def flatten(self, details):
        flat = {"clients": details["clients"]}
        for name in SELECTION_SHARES:
            flat[f"selection_{name}_p50_ms"] = details["selection"][name]["p50_ms"]
            flat[f"selection_{name}_p95_ms"] = details["selection"][name]["p95_ms"]
        for z in TILE_ZOOMS:
            flat[f"tile_z{z}_p50_ms"] = details["tiles"][f"z{z}"]["p50_ms"]
            flat[f"tile_z{z}_p95_ms"] = details["tiles"][f"z{z}"]["p95_ms"]
        geocode = details["geocode"] or {}
        flat["geocode_p50_ms"] = geocode.get("p50_ms")
        flat["geocode_p95_ms"] = geocode.get("p95_ms")
        for name in NAIVE_SHARES:
            naive = details[f"naive_selection_{name}"]["p50_ms"]
            flat[f"naive_selection_{name}_p50_ms"] = naive
            flat[f"speedup_vs_naive_{name}"] = round(naive / flat[f"selection_{name}_p50_ms"], 1)
        flat["tile_cells_refresh_ms"] = details["tile_cells_refresh_ms"]
        return flat


def _cumulative(weights):
    total, running = sum(weights), 0
    for weight in weights:
        running += weight
        yield running / total


def _tile_xy(lon, lat, z):
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def _weighted_centre():
    with connection.cursor() as cursor:
        cursor.execute("SELECT avg(ST_X(point)), avg(ST_Y(point)) FROM billing_contract")
        return cursor.fetchone()

