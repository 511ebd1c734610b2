"""`manage.py bench_viability --json`: a viability check's time with N clients and B boxes.

Runs in a throwaway database (bench.db; `--keep` keeps and reuses it). The streets,
plans and clients are bench_gis's synthetic city (its loader, on the demo OSM extract);
then B boxes of 16 ports are put where clients live, each client holding a port takes a
port of its nearest box while there is one (boxes are filled to different levels, some
full), and one coverage area spans the clients. Then it times crm.sales.viability's
check_viability, the function the API calls, from points where clients live (geocoding
excluded; a first pass meeting most boxes for the first time, then again once the process
has snapped them) and from OSM addresses (geocoding included). Every check is recorded.

The last line of the output is one flat JSON object (times in milliseconds).
"""
import json
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.db import throwaway_database
from bench.management.commands.bench_gis import Command as GisBench
from bench.management.commands.bench_gis import summary
from billing.choices import PORT_HOLDING_STATUSES
from crm.sales.viability import AddressNotFound, check_viability

PORTS_PER_BOX = 16


class Command(BaseCommand):
    help = "Benchmark viability checks (with and without geocoding) on N clients and B boxes."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=1_000_000)
        parser.add_argument("--boxes", type=int, default=20_000)
        parser.add_argument("--checks", type=int, default=300, help="timed checks per figure")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the details as JSON")
        parser.add_argument("--keep", action="store_true", help="keep (and reuse) the bench database")
        parser.add_argument("--database", default="malha_bench_viability", help="name of the throwaway database")
        parser.add_argument("--seed", type=int, default=11)

    def log(self, message):
        self.stderr.write(message)

    def handle(self, *args, clients, boxes, checks, as_json, keep, database, seed, **options):
        if clients < 1000 or boxes < 10:
            raise CommandError("--clients must be at least 1000 and --boxes at least 10")
        rng = random.Random(seed)
        with throwaway_database(database, keep=keep, log=self.log):
            details = self.run(clients, boxes, checks, rng)
        if as_json:
            self.stdout.write(json.dumps(details, indent=2))
        self.stdout.write(json.dumps(self.flatten(details)))

    def run(self, clients, boxes, checks, rng):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [rng.random()])
            cursor.execute("SELECT count(*) FROM billing_contract")
            if cursor.fetchone()[0] != clients:
                GisBench(stdout=self.stdout, stderr=self.stderr).load(clients)
            cursor.execute("SELECT count(*) FROM geo_ctobox")
            if cursor.fetchone()[0] != boxes:
                self.load_plant(cursor, boxes)
            self.log("VACUUM ANALYZE...")
            cursor.execute("VACUUM ANALYZE")
        load_s = round(time.perf_counter() - start, 1)
        points, addresses = self.samples(rng, checks)
        self.log("Warming up (street graph)...")
        check_viability(lon=points[0][0], lat=points[0][1])
        at_points = [{"lon": lon, "lat": lat} for lon, lat in points]
        # First pass: most boxes met for the first time (snapped to the streets on the way);
        # second pass: the same checks once this process has seen those boxes, as a server does.
        plain, viable = self.time_checks(at_points)
        warm, _viable = self.time_checks(at_points)
        geocoded, geocoded_viable = self.time_checks([{"address": text} for text in addresses])
        return {
            "clients": clients, "boxes": boxes, "load_s": load_s,
            "viability": {**summary(plain), "checks": len(plain), "viable_share": viable},
            "viability_boxes_seen": summary(warm),
            "viability_geocoded": {
                **(summary(geocoded) if geocoded else {"p50_ms": None, "p95_ms": None}),
                "checks": len(addresses), "found": len(geocoded), "viable_share": geocoded_viable,
            },
        }

    def load_plant(self, cursor, boxes):
        """Boxes where clients live, ports taken by the nearest holding contracts, one coverage area."""
        self.log(f"Placing {boxes:,} boxes and taking their ports...")
        cursor.execute("UPDATE billing_contract SET cto_box_id = NULL, cto_port = NULL WHERE cto_box_id IS NOT NULL")
        cursor.execute("DELETE FROM crm_viabilitycheck")  # earlier runs' checks point at the old boxes
        cursor.execute("DELETE FROM geo_ctobox")
        cursor.execute("DELETE FROM geo_coveragearea")
        cursor.execute(
            """
            INSERT INTO geo_ctobox (code, kind, ports_total, point, street, notes)
            SELECT 'CTO-' || lpad(row_number() OVER ()::text, 6, '0'), 'cto', %s,
                   ST_Translate(point, (random() - 0.5) * 0.0002, (random() - 0.5) * 0.0002), '', ''
            FROM (SELECT point FROM billing_contract ORDER BY random() LIMIT %s) sample
            """,
            [PORTS_PER_BOX, boxes],
        )
        # Box i is filled up to (i * 7) mod 20 ports, at most 16: about a fifth are full.
        cursor.execute(
            """
            WITH nearest AS (
                SELECT c.id, b.id AS box_id, row_number() OVER (PARTITION BY b.id ORDER BY c.id) AS port
                FROM billing_contract c
                CROSS JOIN LATERAL (SELECT id FROM geo_ctobox ORDER BY point <-> c.point LIMIT 1) b
                WHERE c.status = ANY(%s)
            )
            UPDATE billing_contract c SET cto_box_id = n.box_id, cto_port = n.port
            FROM nearest n WHERE c.id = n.id AND n.port <= least(%s, (n.box_id * 7) %% 20)
            """,
            [list(PORT_HOLDING_STATUSES), PORTS_PER_BOX],
        )
        cursor.execute(
            """
            INSERT INTO geo_coveragearea (name, area, active, notes)
            SELECT 'Bench', ST_Multi(ST_Buffer(ST_ConvexHull(ST_Collect(point)), 0.002)), true, ''
            FROM billing_contract
            """
        )

    def samples(self, rng, count):
        """Points where clients live and OSM address texts, `count` of each."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT ST_X(point), ST_Y(point) FROM billing_contract ORDER BY random() LIMIT %s", [count])
            points = cursor.fetchall()
            cursor.execute("SELECT street, housenumber, suburb, city FROM geo_addresspoint ORDER BY id")
            rows = cursor.fetchall()
        addresses = [", ".join(part for part in rng.choice(rows) if part) for _index in range(count)]
        return points, addresses

    def time_checks(self, queries):
        """(milliseconds of the checks that got an answer, share of them viable)."""
        samples, viable = [], 0
        for query in queries:
            start = time.perf_counter()
            try:
                answer = check_viability(**query)
            except AddressNotFound:
                continue
            samples.append((time.perf_counter() - start) * 1000)
            viable += answer.viable
        self.log(f"{len(samples)} checks: {summary(samples) if samples else '-'}")
        return samples, round(viable / len(samples), 3) if samples else None

    def flatten(self, details):
        return {
            "clients": details["clients"],
            "boxes": details["boxes"],
            "viability_p50_ms": details["viability"]["p50_ms"],
            "viability_p95_ms": details["viability"]["p95_ms"],
            "viability_geocoded_p50_ms": details["viability_geocoded"]["p50_ms"],
            "viability_geocoded_p95_ms": details["viability_geocoded"]["p95_ms"],
            "viability_boxes_seen_p50_ms": details["viability_boxes_seen"]["p50_ms"],
            "viability_boxes_seen_p95_ms": details["viability_boxes_seen"]["p95_ms"],
            "viable_share": details["viability"]["viable_share"],
            "geocoded_found": details["viability_geocoded"]["found"],
            "geocoded_checks": details["viability_geocoded"]["checks"],
        }
