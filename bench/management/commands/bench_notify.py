"""Benchmark campaigns end to end: N recipients by e-mail (SMTP sink) and SMS (fake gateway),
two Celery workers, one of them SIGKILLed mid-run and started again.

Never touches the dev database: the data lives in a throwaway database (bench.db;
`--database`, default `malha_bench_notify`).
Messages are counted where they arrive, not in our database:
  lost        expected idempotency keys that never arrived;
  duplicated  people who received a campaign's message under two different keys, plus
              keys a deduplicating gateway accepted twice.
An e-mail repeated under the same Message-ID (SMTP does not deduplicate) is reported
apart as `email_same_message_id_repeats`.
"""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from decimal import Decimal
from email.parser import BytesHeaderParser
from pathlib import Path

import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.db import insert_select, throwaway_database
from billing.models import Contract, Plan
from config.celery import app as celery_app
from crm.messaging import services
from crm.messaging.fake_gateway import FakeGateway
from crm.messaging.models import Campaign
from crm.people.models import Address, Person

ROOT = Path(__file__).resolve().parents[3]
# Central Porto Alegre: recipients are spread over this box, the campaign area covers it.
BOX = (-51.24, -30.06, -51.18, -30.00)
AREA = {"type": "Polygon", "coordinates": [[
    [BOX[0] - 0.01, BOX[1] - 0.01], [BOX[2] + 0.01, BOX[1] - 0.01], [BOX[2] + 0.01, BOX[3] + 0.01],
    [BOX[0] - 0.01, BOX[3] + 0.01], [BOX[0] - 0.01, BOX[1] - 0.01]]]}


class CountingSink:
    """SMTP handler keeping (To, Message-ID, arrival time) of every accepted message."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.original_content)
        with self.lock:
            self.received.append((headers["To"], headers["Message-ID"], time.monotonic()))
        return "250 Message accepted for delivery"


class Command(BaseCommand):
    help = "Benchmark campaign sending (e-mail + SMS) with a worker killed mid-run."

    def add_arguments(self, parser):
        parser.add_argument("--recipients", type=int, default=100_000)
        parser.add_argument("--channels", default="email,sms", help="comma list: email, sms")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--concurrency", type=int, default=1,
                            help="processes per worker (1: the solo pool)")
        parser.add_argument("--no-kill", action="store_true", help="do not kill a worker")
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
        parser.add_argument("--database", default="malha_bench_notify")
        parser.add_argument("--redis-db", type=int, default=13, help="Redis database of the broker")
        parser.add_argument("--timeout", type=int, default=1800, help="give up after (s)")

    def log(self, message):
        self.stderr.write(message)

    def handle(self, *args, recipients, channels, workers, concurrency, no_kill, as_json, keep, database,
               redis_db, timeout, **options):
        channels = [c.strip() for c in channels.split(",") if c.strip()]
        if recipients < 1 or not channels or set(channels) - {"email", "sms"}:
            raise CommandError("--recipients must be positive and --channels email and/or sms")
        # A stopped bench still stops its workers and drops its database (the finally blocks).
        with throwaway_database(database, keep=keep, log=self.log):
            self.concurrency = concurrency
            result = self.run(recipients, channels, workers, not no_kill, redis_db, timeout)
        if as_json:
            self.stdout.write(json.dumps(result["details"], indent=2))
        self.stdout.write(json.dumps(result["summary"]))

    def load(self, recipients):
        self.log(f"Loading {recipients:,} clients...")
        with connection.cursor() as cursor:
            for table in ("crm_delivery", "crm_messagelog", "crm_campaign", "billing_contract",
                          "crm_address", "crm_person"):
                cursor.execute(f"TRUNCATE {table} CASCADE")
            Plan.objects.all().delete()
            plan = Plan.objects.create(name="Bench 500", download_mbps=500, upload_mbps=250,
                                       monthly_price=Decimal("99.90"))
            cursor.execute(
                "CREATE TEMP TABLE bench_client AS SELECT i, ST_SetSRID(ST_MakePoint("
                "%s + random() * %s, %s + random() * %s), 4326) AS point "
                "FROM generate_series(1, %s) AS i",
                [BOX[0], BOX[2] - BOX[0], BOX[1], BOX[3] - BOX[1], recipients],
            )
            insert_select(cursor, Person, {
                "id": "i", "person_type": "'natural'", "stage": "'client'", "name": "'Cliente ' || i",
                "document": "lpad(i::text, 11, '0')", "email": "'c' || i || '@bench.local'",
                "mobile_phone": "'+55519' || lpad(i::text, 8, '0')", "consent_sms": "true",
                "consent_email": "true", "consent_whatsapp": "true",
                "created_at": "now()", "updated_at": "now()",
            }, "bench_client")
            insert_select(cursor, Address, {
                "id": "i", "person_id": "i", "cep": "'90010000'", "street": "'Rua da Praia'",
                "number": "i::text", "neighbourhood": "'Centro'", "city": "'Porto Alegre'",
                "state": "'RS'", "point": "point",
            }, "bench_client")
            insert_select(cursor, Contract, {
                "id": "i", "number": "'BN' || lpad(i::text, 9, '0')", "person_id": "i",
                "plan_id": str(plan.pk), "installation_address_id": "i", "point": "point",
                "status": "'active'", "due_day": "10", "signed_on": "current_date - 400",
                "activated_on": "current_date - 390", "created_at": "now()", "updated_at": "now()",
            }, "bench_client")
            for table in ("crm_person", "crm_address", "billing_contract"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [recipients])
            cursor.execute("ANALYZE")

    def run(self, recipients, channels, workers, kill, redis_db, timeout):
        if Person.objects.count() != recipients:
            self.load(recipients)
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
        sink, gateway = CountingSink(), FakeGateway().start()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            smtp_port = probe.getsockname()[1]
        smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        broker = f"{settings.REDIS_URL.rsplit('/', 1)[0]}/{redis_db}"
        redis.Redis.from_url(broker).flushdb()
        celery_app.conf.broker_url = celery_app.conf.result_backend = broker
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": broker,
            "CELERY_VISIBILITY_TIMEOUT": "20", "MESSAGING_CLAIM_LEASE_SECONDS": "15",
            "MESSAGING_BATCH_BUDGET_SECONDS": "5", "MESSAGING_BATCH_SIZE": "500",
            "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port),
            "MESSAGING_SMS_BACKEND": "generic_sms", "MESSAGING_SMS_BASE_URL": gateway.url,
            "MESSAGING_SMS_TOKEN": gateway.TOKEN, "LOG_LEVEL": "WARNING",
        }
        settings.MESSAGING_PROVIDERS = {
            **settings.MESSAGING_PROVIDERS,
            "sms": {**settings.MESSAGING_PROVIDERS["sms"], "backend": "generic_sms",
                    "base_url": gateway.url, "token": gateway.TOKEN},
        }
        processes = [self.start_worker(env, n) for n in range(workers)]
        try:
            return self.measure(recipients, channels, sink, gateway, processes, env, kill, timeout)
        finally:
            for process in processes:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=30)
            smtp.stop()
            gateway.stop()
            redis.Redis.from_url(broker).flushdb()

    def start_worker(self, env, number):
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker",
             *(["--pool", "solo"] if self.concurrency == 1 else
               ["--pool", "prefork", "--concurrency", str(self.concurrency)]),
             "--hostname", f"bench{number}-{time.monotonic_ns()}@%h", "--loglevel", "warning",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
        )
        return process

    def measure(self, recipients, channels, sink, gateway, processes, env, kill, timeout):
        arrived = {"email": lambda: len(sink.received), "sms": lambda: len(gateway.accepted)}
        self.log(f"Confirming {len(channels)} campaign(s) of {recipients:,} recipients...")
        start = time.monotonic()
        campaigns = {}
        for channel in channels:
            campaign, _preview = services.create_campaign(
                name=f"Bench {channel}", channel=channel, subject="Manutenção programada",
                body="Olá {first_name}, manutenção na rede do contrato {contract} amanhã.", area=AREA)
            services.confirm_campaign(campaign)
            campaigns[channel] = campaign
        expected_total = recipients * len(channels)
        killed_at = None
        deadline = start + timeout
        while True:
            total = sum(arrived[c]() for c in channels)
            if kill and killed_at is None and total >= expected_total * 0.3:
                os.killpg(processes[0].pid, signal.SIGKILL)
                processes[0].wait()
                killed_at = time.monotonic() - start
                self.log(f"SIGKILLed worker 0 after {total:,} messages ({killed_at:.1f} s); restarting")
                processes[0] = self.start_worker(env, len(processes))
            done = Campaign.objects.filter(pk__in=[c.pk for c in campaigns.values()],
                                           status="finished").count() == len(campaigns)
            if done or time.monotonic() > deadline:
                break
            self.log(f"  {time.monotonic() - start:6.1f} s  {total:,}/{expected_total:,}")
            time.sleep(2)
        return self.count(recipients, campaigns, sink, gateway, start, killed_at)

    def count(self, recipients, campaigns, sink, gateway, start, killed_at):
        details = {"recipients": recipients, "channels": {}}
        lost = duplicated = received_total = 0
        last_arrival = start
        for channel, campaign in campaigns.items():
            expected = dict(campaign.deliveries.values_list("idempotency_key", "person_id"))
            if channel == "email":
                keys = [message_id.strip("<>").split("@")[0] for _to, message_id, _t in sink.received]
                people = [to for to, _id, _t in sink.received]
                times = [t for *_rest, t in sink.received]
                same_key_repeats = sum(n - 1 for n in Counter(keys).values())
                accepted_twice = 0  # SMTP does not claim to deduplicate
            else:
                keys, people = gateway.keys(), [m["to"] for m in gateway.accepted]
                times = [m["at"] for m in gateway.accepted]
                same_key_repeats = accepted_twice = sum(n - 1 for n in Counter(keys).values())
            keys_by_person = defaultdict(set)
            for person, key in zip(people, keys):
                keys_by_person[person].add(key)
            channel_lost = len(set(expected) - set(keys))
            channel_duplicated = sum(len(k) - 1 for k in keys_by_person.values()) + accepted_twice
            lost += channel_lost
            duplicated += channel_duplicated
            received_total += len(set(keys))
            last_arrival = max([last_arrival, *times])
            details["channels"][channel] = {
                "expected": len(expected), "received_distinct_keys": len(set(keys)),
                "lost": channel_lost, "duplicated": channel_duplicated,
                "same_key_repeats": same_key_repeats,
                "gateway_dedup_hits": len(gateway.duplicates) if channel == "sms" else None,
            }
        seconds = round(last_arrival - start, 1)
        summary = {
            "recipients": recipients,
            "messages": received_total,
            "seconds": seconds,
            "throughput_per_s": round(received_total / seconds, 1) if seconds else None,
            "lost": lost,
            "duplicated": duplicated,
            "worker_killed": killed_at is not None,
            "killed_at_s": round(killed_at, 1) if killed_at is not None else None,
            "email_same_message_id_repeats": details["channels"].get("email", {}).get("same_key_repeats"),
        }
        details["summary"] = summary
        return {"details": details, "summary": summary}
