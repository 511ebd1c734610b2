"""Benchmark billing on N synthetic active contracts: the monthly run, its rerun, a bank
return file of 10,000 payments, the daily overdue-suspension job, and dunning's scheduling.

Never touches the dev database: the data lives in a throwaway database (bench.db;
`--database`, default `malha_bench_billing`).
The last line printed is the JSON summary.
"""

import datetime
import json
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from bench.db import insert_select, throwaway_database
from billing import dunning, services
from billing.cnab import itau_400_detail, itau_400_file
from billing.models import BillingWallet, Contract, Invoice, Plan
from crm.people.models import Address, Person

# Central Porto Alegre.
BOX = (-51.24, -30.06, -51.18, -30.00)


class Command(BaseCommand):
    help = "Benchmark the monthly invoice run, return-file import and overdue suspension."

    def add_arguments(self, parser):
        parser.add_argument("--contracts", type=int, default=100_000)
        parser.add_argument("--payments", type=int, default=10_000, help="records in the return file")
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument("--keep", action="store_true", help="keep (and reuse) the bench database")
        parser.add_argument("--database", default="malha_bench_billing")

    def log(self, message):
        self.stderr.write(message)

    def handle(self, *args, contracts, payments, as_json, keep, database, **options):
        if contracts < payments or payments < 1:
            raise CommandError("--contracts must be at least --payments, and --payments at least 1")
        with throwaway_database(database, keep=keep, log=self.log):
            results = self.run(contracts, payments)
        if not as_json:
            for key, value in results.items():
                self.stdout.write(f"{key:24} {value}")
        self.stdout.write(json.dumps(results))

    def load(self, contracts):
        self.log(f"Loading {contracts} active contracts...")
        plan = Plan.objects.create(name="Fibra 500", download_mbps=500, upload_mbps=250,
                                   monthly_price=Decimal("99.90"))
        BillingWallet.objects.create(
            name="Itaú 109", bank="341", agency="1565", account="13877", wallet_code="109",
            days_to_suspend=10, pix_key="pix@provedor.example", merchant_name="Provedor",
            merchant_city="Porto Alegre", is_default=True,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_client AS SELECT i, ST_SetSRID(ST_MakePoint("
                "%s + random() * %s, %s + random() * %s), 4326) AS point "
                "FROM generate_series(1, %s) AS i",
                [BOX[0], BOX[2] - BOX[0], BOX[1], BOX[3] - BOX[1], contracts],
            )
            insert_select(cursor, Person, {
                "id": "i", "person_type": "'natural'", "stage": "'client'", "name": "'Cliente ' || i",
                "document": "lpad(i::text, 11, '0')", "created_at": "now()", "updated_at": "now()",
            }, "bench_client")
            insert_select(cursor, Address, {
                "id": "i", "person_id": "i", "cep": "'90010000'", "street": "'Rua da Praia'",
                "number": "i::text", "neighbourhood": "'Centro'", "city": "'Porto Alegre'",
                "state": "'RS'", "point": "point",
            }, "bench_client")
            # A tenth of the clients started mid-month last month: their invoice is pro-rata.
            insert_select(cursor, Contract, {
                "id": "i", "number": "'BB' || lpad(i::text, 9, '0')", "person_id": "i",
                "plan_id": str(plan.pk), "installation_address_id": "i", "point": "point",
                "status": "'active'", "due_day": "1 + i %% 28", "signed_on": "date '2020-01-01'",
                "activated_on": "CASE WHEN i %% 10 = 0 THEN date_trunc('month', current_date)::date"
                                " - 15 ELSE date '2020-01-02' END",
                "created_at": "now()", "updated_at": "now()",
            }, "bench_client")
            for table in ("crm_person", "crm_address", "billing_contract"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [contracts])
            cursor.execute("ANALYZE")

    def timed(self, label, function, *args, **kwargs):
        self.log(f"{label}...")
        start = time.perf_counter()
        result = function(*args, **kwargs)
        return result, round(time.perf_counter() - start, 2)

    def run(self, contracts, payments):
        if Contract.objects.count() != contracts:
            self.load(contracts)
        period = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
        created, monthly_run_s = self.timed("Monthly run", services.run_monthly_invoices, period)
        rerun_created, rerun_s = self.timed("Rerun", services.run_monthly_invoices, period)

        wallet = BillingWallet.objects.get()
        paid = list(Invoice.objects.order_by("nosso_numero").values_list("nosso_numero", "amount", "due_date")[:payments])
        details = [
            itau_400_detail(agency=wallet.agency, account=wallet.account, wallet_code=wallet.wallet_code,
                            nosso_numero=number, occurrence="06", paid_on=due, amount_paid=amount,
                            sequence=index + 2)
            for index, (number, amount, due) in enumerate(paid)
        ]
        content = itau_400_file(details, agency=wallet.agency, account=wallet.account,
                                generated_on=timezone.localdate()).encode("latin-1")
        (_file, _created), return_import_s = self.timed(
            f"Return file of {len(details)} payments", services.import_return_file, content, filename="bench.ret"
        )
        latest_due = Invoice.objects.order_by("-due_date").values_list("due_date", flat=True).first()
        (suspended, _unsuspended), suspension_job_s = self.timed(
            "Daily suspension job", services.run_overdue_suspensions,
            latest_due + datetime.timedelta(days=wallet.days_to_suspend + 1),
        )
        # Dunning: a reminder 3 days after the due date, scheduled the day one due day reaches it
        # (with the catch-up window, the due days just before it too), then again (creates 0).
        dunning.create_rule(wallet=wallet, name="D+3", days=3, channels=["sms"], body="{amount_due}")
        dunning_day = latest_due + datetime.timedelta(days=3)
        dunning_notices, dunning_schedule_s = self.timed("Dunning schedule", dunning.schedule_notices, dunning_day)
        dunning_rerun, _rerun_s = self.timed("Dunning rerun", dunning.schedule_notices, dunning_day)
        return {
            "contracts": contracts,
            "invoices_created": created.created,
            "monthly_run_s": monthly_run_s,
            "rerun_created": rerun_created.created,
            "rerun_s": rerun_s,
            "return_records": len(details),
            "return_import_s": return_import_s,
            "suspended": suspended,
            "suspension_job_s": suspension_job_s,
            "dunning_notices": dunning_notices,
            "dunning_schedule_s": dunning_schedule_s,
            "dunning_rerun_created": dunning_rerun,
        }
