"""Loading and wiping the demo city.

The rows are written with bulk_create instead of each app's per-row services:
twenty thousand clients through full validation would take minutes. They are
valid by construction, and tests/demo checks every rule the services enforce. The
few dozen sales and collection rows (sales.py, collection.py) do go through the services.
"""
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.choices import PORT_HOLDING_STATUSES, ContractStatus
from billing.models import Contract, Plan
from gis.osm_import import import_osm
from gis.tiles import TOPIC_MODELS, data_changed, refresh_tile_cells

from .catalogue import CONTRACT_STATUS_WEIGHTS, DEMO_USERS, PLANS, TECHNICIAN_USERNAME_REGEX
from .city import CityMap
from .clients import SECOND_CONTRACT_SHARE, create_clients
from .collection import create_collection
from .context import DemoRun, DemoSize
from .fieldwork import create_orders, create_skills, create_technicians, create_users
from .plant import boxes_needed, create_plant
from .sales import create_sales
from .selectors import demo_counts, lead_stage_counts

DEFAULT_SEED = 2026
# Emptied by wipe_demo_data; the road network is replaced by the OSM import itself.
DEMO_TABLES = (
    "fieldops_serviceorder_required_skills", "fieldops_serviceorder", "fieldops_technician_skills",
    "fieldops_technician", "fieldops_skill", "billing_contract", "billing_plan", "crm_address",
    "crm_person", "geo_cable", "geo_ctobox", "geo_olt", "geo_pop", "geo_coveragearea",
    "geo_tilecell", "geo_tilecellbuild", "crm_lead", "crm_viabilitycheck", "crm_saleschannel",
    "crm_salesteam", "crm_salesgoal", "crm_commissionrule", "billing_dunningrule", "billing_billingwallet",
)


@dataclass
class DemoReport:
    counts: list = field(default_factory=list)  # (label, rows) per table
    lead_stages: list = field(default_factory=list)  # (stage label, leads) in pipeline order
    contracts_without_port: int = 0
    seconds: dict = field(default_factory=dict)  # per phase


@transaction.atomic
def load_demo_city(osm_path, population_csv, *, seed=DEFAULT_SEED, size=DemoSize(), replace=False,
                   progress=False):
    """Import the streets of `osm_path` and build the demo city on them, all or nothing.

    The same seed gives the same city (dates count back from today).
    """
    run = DemoRun(seed=seed, size=size, today=timezone.localdate(), progress=progress)
    report = DemoReport()

    @contextmanager
    def phase(name):
        started = time.monotonic()
        yield
        report.seconds[name] = time.monotonic() - started

    if replace:
        with phase(_("wiping the previous demo")):
            wipe_demo_data()
    with phase(_("streets")):
        import_osm(osm_path, progress=progress)
        city = CityMap(population_csv)
    with phase(_("users and skills")):
        technician_users = create_users(run)
        skills = create_skills()
    with phase(_("plans")):
        plans = Plan.objects.bulk_create([
            Plan(name=name, download_mbps=down, upload_mbps=up, monthly_price=Decimal(price))
            for name, down, up, price in PLANS
        ])
    with phase(_("fibre plant")):
        plant = create_plant(run, city, size.boxes or boxes_needed(expected_port_holders(size)))
    with phase(_("clients and contracts")):
        contracts = create_clients(run, city, plant, plans)
    with phase(_("technicians and service orders")):
        technicians = create_technicians(run, city, plant, technician_users, skills)
        create_orders(run, contracts, skills, technicians)
    with phase(_("sales and collection")):
        create_sales(run, city, plant)
        create_collection()
    with phase(_("map tiles")):
        refresh_tile_cells()
        _tiles_changed()
    report.counts = demo_counts()
    report.lead_stages = lead_stage_counts()
    report.contracts_without_port = Contract.objects.filter(
        status__in=PORT_HOLDING_STATUSES, cto_box__isnull=True
    ).count()
    return report


def _tiles_changed():
    """Bulk writes and TRUNCATE fire no signals: tell the map's tiles once the data commits."""
    transaction.on_commit(lambda: data_changed(*TOPIC_MODELS))


def expected_port_holders(size):
    holding_share = 1 - CONTRACT_STATUS_WEIGHTS[ContractStatus.CANCELLED] / sum(
        CONTRACT_STATUS_WEIGHTS.values()
    )
    return size.clients * (1 + SECOND_CONTRACT_SHARE) * holding_share


@transaction.atomic
def wipe_demo_data():
    """Empty the demo's tables (and whatever refers to them) and delete the demo users."""
    with connection.cursor() as cursor:
        # Deferred foreign-key checks queued earlier in the transaction would make TRUNCATE fail.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(DEMO_TABLES)} RESTART IDENTITY CASCADE")
    get_user_model().objects.filter(username__in=[username for username, *_rest in DEMO_USERS]).delete()
    get_user_model().objects.filter(username__regex=TECHNICIAN_USERNAME_REGEX).delete()
    _tiles_changed()
