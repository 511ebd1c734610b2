"""load_demo and demo_logins on the Porto Alegre extract: the small city of conftest.demo_city
is loaded once for the package; tests that change data run in a rolled-back transaction."""
import datetime
import re
import time
from collections import Counter
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from billing.choices import PORT_HOLDING_STATUSES, ContractStatus
from billing.models import Contract, Plan
from demo.catalogue import LEAD_STAGE_COUNTS, SHIFTS
from demo.services import wipe_demo_data
from core.roles import Role
from crm.people.choices import PersonStage, PersonType
from crm.people.models import Address, Person
from crm.people.validators import is_valid_cnpj, is_valid_cpf, validate_e164_mobile
from crm.sales.choices import LostReason
from crm.sales.models import Lead
from fieldops.choices import OrderStatus, OrderType
from fieldops.models import ServiceOrder, Technician
from gis.choices import CableKind
from gis.models import Cable, CoverageArea, CtoBox, Olt, Pop

from .conftest import SMALL_CITY, client_fingerprint, load_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_city")]

EXTRACT = "(SELECT ST_SetSRID(ST_Extent(point)::geometry, 4326) FROM geo_roadnode)"


def scalar(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def logins_output():
    out = StringIO()
    with translation.override("en"):
        call_command("demo_logins", stdout=out)
    return out.getvalue()


class TestTheSmallCity:
    def test_load_reports_what_it_wrote(self, demo_city):
        assert "Cidade de demonstração carregada" in demo_city.output  # pt-BR by default
        assert Person.objects.filter(stage=PersonStage.CLIENT).count() == 600
        assert f": {Person.objects.count()}\n" in demo_city.output
        assert "no free box port" not in demo_city.output

    def test_every_home_is_inside_the_extract_beside_a_street_and_covered(self):
        assert Address.objects.count() >= 600
        assert scalar(f"SELECT count(*) FROM crm_address WHERE NOT ST_Covers({EXTRACT}, point)") == 0
        assert scalar(
            """
            SELECT count(*) FROM crm_address a WHERE NOT EXISTS (
                SELECT 1 FROM geo_roadedge e
                WHERE e.geom && ST_Expand(a.point, 0.001)
                  AND ST_DWithin(e.geom::geography, a.point::geography, 25))
            """
        ) == 0
        assert scalar(
            """
            SELECT count(*) FROM crm_address a WHERE NOT EXISTS (
                SELECT 1 FROM geo_coveragearea c WHERE ST_Covers(c.area, a.point))
            """
        ) == 0

    def test_addresses_are_porto_alegre_addresses_on_the_street_they_sit_on(self):
        for address in Address.objects.all():
            assert (address.city, address.state) == ("Porto Alegre", "RS")
            assert 90000000 <= int(address.cep) <= 91999999
            assert address.number.isdigit() and address.neighbourhood
        # The street name is the name of a road edge within 25 m of the home.
        assert scalar(
            """
            SELECT count(*) FROM crm_address a WHERE NOT EXISTS (
                SELECT 1 FROM geo_roadedge e
                WHERE e.name = a.street AND e.geom && ST_Expand(a.point, 0.001)
                  AND ST_DWithin(e.geom::geography, a.point::geography, 25))
            """
        ) == 0

    def test_the_map_tile_aggregates_are_built_for_the_loaded_contracts(self):
        assert scalar("SELECT sum(n) FROM geo_tilecell WHERE layer = 'contracts'") == Contract.objects.count()
        assert scalar("SELECT sum(n) FROM geo_tilecell WHERE layer = 'clients'") == Person.objects.filter(
            contracts__isnull=False).distinct().count()

    def test_contract_point_is_the_address_point(self):
        assert Contract.objects.count() == Address.objects.count()
        assert scalar(
            """
            SELECT count(*) FROM billing_contract c
            JOIN crm_address a ON a.id = c.installation_address_id
            WHERE NOT ST_Equals(c.point, a.point) OR a.person_id <> c.person_id
            """
        ) == 0

    def test_ports_held_stay_within_each_box_and_within_drop_reach(self):
        holding = Contract.objects.filter(status__in=PORT_HOLDING_STATUSES)
        assert holding.count() > 500
        assert not holding.filter(cto_box__isnull=True).exists()
        assert not Contract.objects.filter(status=ContractStatus.CANCELLED, cto_box__isnull=False).exists()
        used = Counter(holding.values_list("cto_box_id", flat=True))
        for box in CtoBox.objects.all():
            assert box.ports_total in (8, 16)
            assert used[box.pk] <= box.ports_total
        ports = list(holding.values_list("cto_box_id", "cto_port", "cto_box__ports_total"))
        assert all(1 <= port <= total for _box, port, total in ports)
        assert len({(box, port) for box, port, _total in ports}) == len(ports)
        assert scalar(
            """
            SELECT count(*) FROM billing_contract c JOIN geo_ctobox b ON b.id = c.cto_box_id
            WHERE NOT ST_DWithin(c.point::geography, b.point::geography, 300)
            """
        ) == 0

    def test_people_have_valid_documents_phones_and_a_realistic_mix(self):
        people = list(Person.objects.filter(stage=PersonStage.CLIENT))  # leads: test_sales_demo
        for person in people:
            is_valid = is_valid_cpf if person.person_type == PersonType.NATURAL else is_valid_cnpj
            assert is_valid(person.document), person.document
            validate_e164_mobile(person.mobile_phone)
            assert person.mobile_phone.startswith("+55519")
            assert person.consent_email is False or person.email
        companies = sum(person.person_type == PersonType.COMPANY for person in people)
        assert 0.03 < companies / len(people) < 0.15
        assert len({person.document for person in people}) == len(people)
        assert 0.5 < sum(person.consent_whatsapp for person in people) / len(people) < 0.95

    def test_contract_status_mix_and_dates(self):
        today = timezone.localdate()
        contracts = list(Contract.objects.all())
        shares = Counter(contract.status for contract in contracts)
        total = len(contracts)
        assert 0.78 < shares[ContractStatus.ACTIVE] / total < 0.92
        assert 0.02 < shares[ContractStatus.SUSPENDED] / total < 0.11
        assert 0.01 < shares[ContractStatus.AWAITING_INSTALLATION] / total < 0.09
        assert 0.02 < shares[ContractStatus.CANCELLED] / total < 0.10
        for contract in contracts:
            assert contract.signed_on <= today and contract.due_day in (5, 10, 15, 20, 25)
            if contract.status == ContractStatus.AWAITING_INSTALLATION:
                assert contract.activated_on is None
                continue
            assert contract.signed_on <= contract.activated_on <= today
            if contract.status == ContractStatus.SUSPENDED:
                assert contract.activated_on <= contract.suspended_on <= today
            if contract.status == ContractStatus.CANCELLED:
                assert contract.activated_on <= contract.cancelled_on <= today
        assert Counter(Contract.objects.values_list("person_id", flat=True)).most_common(1)[0][1] <= 2

    def test_plans_are_priced_in_reais(self):
        plans = list(Plan.objects.order_by("monthly_price"))
        assert len(plans) == 5
        assert str(plans[0].monthly_price) == "89.90"
        assert plans[-1].download_mbps >= 1000

    def test_plant_follows_the_streets(self):
        assert Pop.objects.count() == 1
        assert 3 <= Olt.objects.count() <= 4
        assert not CtoBox.objects.filter(olt__isnull=True).exists()
        boxes = CtoBox.objects.count()
        assert Cable.objects.count() == boxes  # one cable from each box towards the POP
        assert Cable.objects.filter(kind=CableKind.FEEDER).exists()
        assert Cable.objects.filter(kind=CableKind.DISTRIBUTION).exists()
        assert not Cable.objects.filter(length_m__lte=0).exists()
        # Every vertex but the first (the box, at the kerb) lies on a street.
        assert scalar(
            """
            SELECT count(*) FROM geo_cable c, ST_DumpPoints(c.path) d
            WHERE d.path[1] > 1 AND NOT EXISTS (
                SELECT 1 FROM geo_roadedge e
                WHERE e.geom && ST_Expand(d.geom, 0.0001)
                  AND ST_DWithin(e.geom::geography, d.geom::geography, 1))
            """
        ) == 0
        assert scalar(
            """
            SELECT count(*) FROM geo_cable c JOIN geo_ctobox b ON ST_Equals(ST_StartPoint(c.path), b.point)
            """
        ) == boxes

    def test_coverage_is_one_valid_area_per_olt_inside_the_extract(self):
        assert CoverageArea.objects.count() == Olt.objects.count()
        assert scalar(
            f"SELECT count(*) FROM geo_coveragearea WHERE NOT ST_IsValid(area) "
            f"OR NOT ST_CoveredBy(area, ST_Buffer({EXTRACT}, 1e-9))"
        ) == 0
        # Every box is well inside its OLT's area (300 m circles).
        assert scalar(
            """
            SELECT count(*) FROM geo_ctobox b JOIN geo_olt o ON o.id = b.olt_id
            JOIN geo_coveragearea c ON c.name = 'Cobertura ' || o.name
            WHERE NOT ST_Covers(c.area, b.point)
            """
        ) == 0

    def test_service_orders_for_today_and_tomorrow(self):
        today = timezone.localdate()
        orders = list(ServiceOrder.objects.select_related("contract").prefetch_related("required_skills"))
        assert len(orders) == 30
        technician_skills = [
            {skill.pk for skill in technician.skills.all()}
            for technician in Technician.objects.prefetch_related("skills")
        ]
        for order in orders:
            start, end = timezone.localtime(order.window_start), timezone.localtime(order.window_end)
            assert start.date() in (today, today + datetime.timedelta(days=1))
            assert end > start and end.date() == start.date()
            assert 8 <= start.hour and end.hour <= 18
            required = {skill.pk for skill in order.required_skills.all()}
            assert required
            assert any(required <= skills for skills in technician_skills)
            assert order.point == order.contract.point and order.person_id == order.contract.person_id
            assert order.estimated_minutes > 0
            if order.order_type == OrderType.INSTALLATION:
                assert order.contract.status == ContractStatus.AWAITING_INSTALLATION
            if order.order_type == OrderType.REMOVAL:
                assert order.contract.status == ContractStatus.CANCELLED
            if order.status == OrderStatus.SCHEDULED:
                assert start.date() == today and order.assignee is not None
                assert order.window_start <= order.scheduled_start < order.window_end
                assert required <= {skill.pk for skill in order.assignee.skills.all()}
            else:
                assert order.status == OrderStatus.OPEN and order.assignee is None
        assert len({order.contract_id for order in orders}) == len(orders)
        assert len({order.order_type for order in orders}) >= 3

    def test_technicians_with_skills_and_shifts(self):
        technicians = list(Technician.objects.select_related("user").prefetch_related("skills"))
        assert sorted(t.user.username for t in technicians) == [f"tecnico{n:02d}" for n in range(1, 6)]
        for technician in technicians:
            assert technician.skills.exists()
            assert (technician.shift_start, technician.shift_end) in SHIFTS
            assert technician.user.groups.filter(name=Role.TECHNICIAN.value).exists()
            assert technician.user.get_full_name()
        assert scalar(
            f"SELECT count(*) FROM fieldops_technician WHERE NOT ST_Covers({EXTRACT}, start_point)"
        ) == 0


class TestDemoUsers:
    def test_one_user_per_role_with_its_group(self):
        expected = {
            "admin": Role.ADMIN, "despachante": Role.DISPATCHER, "tecnico01": Role.TECHNICIAN,
            "vendedor": Role.SALES, "financeiro": Role.BILLING,
        }
        users = get_user_model().objects.filter(username__in=expected).prefetch_related("groups")
        assert {user.username: [g.name for g in user.groups.all()] for user in users} == {
            username: [role.value] for username, role in expected.items()
        }
        assert get_user_model().objects.get(username="admin").is_superuser
        assert not get_user_model().objects.filter(is_superuser=True).exclude(username="admin").exists()

    def test_they_log_in_with_the_demo_password(self, settings):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
        hashes = set(get_user_model().objects.values_list("password", flat=True))
        assert len(hashes) == 1  # one password, hashed once, for every demo user
        client = Client()
        assert client.login(username="despachante", password=settings.MALHA_DEMO_PASSWORD)
        assert not client.login(username="despachante", password="wrong")

    def test_demo_logins_prints_the_table(self):
        output = logins_output()
        assert settings.MALHA_DEMO_PASSWORD in output
        for username, role in (("admin", Role.ADMIN), ("despachante", Role.DISPATCHER),
                               ("tecnico01 … tecnico05", Role.TECHNICIAN), ("vendedor", Role.SALES),
                               ("financeiro", Role.BILLING)):
            with translation.override("en"):
                assert re.search(rf"^ +{username} +{role.label}$", output, re.MULTILINE)
        assert output.index("despachante") < output.index("tecnico01") < output.index("vendedor")

    def test_demo_logins_says_when_the_demo_is_not_loaded(self):
        wipe_demo_data()
        output = logins_output()
        assert "not loaded" in output and "admin" not in output


class TestReloading:
    def test_the_same_seed_builds_the_same_city(self, demo_city):
        assert len({name for name, _doc, _point in demo_city.first_fingerprint}) > 30
        assert client_fingerprint() == demo_city.first_fingerprint

    def test_another_seed_builds_another_city_with_the_boxes_asked_for(self, demo_city):
        load_demo("--clients=200", "--orders=10", "--technicians=2", "--boxes=70", "--seed=8",
                  "--no-progress", "--replace")
        assert client_fingerprint() != demo_city.first_fingerprint
        assert CtoBox.objects.count() == 70
        assert Person.objects.filter(stage=PersonStage.CLIENT).count() == 200
        assert Technician.objects.count() == 2

    def test_if_empty_leaves_a_loaded_database_alone_at_once(self):
        before = (Person.objects.count(), Contract.objects.count(), CtoBox.objects.count())
        started = time.monotonic()
        output = load_demo("--if-empty")
        assert time.monotonic() - started < 2
        assert "already loaded" in output
        assert (Person.objects.count(), Contract.objects.count(), CtoBox.objects.count()) == before

    def test_a_loaded_database_is_not_loaded_over_without_replace(self):
        with pytest.raises(CommandError, match="--replace"):
            load_demo(*SMALL_CITY)

    def test_a_failed_load_changes_nothing(self, tmp_path):
        population = tmp_path / "grid.csv"
        population.write_text("id,lon,lat\n1,-51.2,-30.0\n")
        before = client_fingerprint()
        with pytest.raises(CommandError, match="population"):
            load_demo(*SMALL_CITY, "--replace", f"--population={population}")
        assert client_fingerprint() == before
        assert Pop.objects.count() == 1

    def test_a_missing_osm_file_says_what_to_pass_and_writes_nothing(self, tmp_path):
        wipe_demo_data()
        with pytest.raises(CommandError) as error:
            load_demo("--no-progress", f"--osm={tmp_path / 'missing.osm.pbf'}")
        assert "--osm PATH" in str(error.value) and "MALHA_DEMO_OSM" in str(error.value)
        assert not Person.objects.exists() and not get_user_model().objects.exists()

    @pytest.mark.parametrize("flag", ["--clients=0", "--technicians=0", "--boxes=0", "--orders=-1"])
    def test_sizes_must_make_sense(self, flag):
        wipe_demo_data()
        with pytest.raises(CommandError, match="at least"):
            load_demo("--no-progress", flag)
        assert not Person.objects.exists()


@pytest.mark.slow
def test_the_full_demo_city_loads_in_well_under_three_minutes():
    started = time.monotonic()
    output = load_demo("--no-progress", "--replace")
    seconds = time.monotonic() - started
    assert seconds < 180, output
    assert Person.objects.filter(stage=PersonStage.CLIENT).count() == 20_000
    assert Technician.objects.count() == 25
    assert ServiceOrder.objects.count() == 300
    assert 1_500 < CtoBox.objects.count() < 2_500  # 8- and 16-port boxes for ~19,400 ports held
    assert not Contract.objects.filter(status__in=PORT_HOLDING_STATUSES, cto_box__isnull=True).exists()
    assert CoverageArea.objects.count() == Olt.objects.count() == 4
    assert Counter(Lead.objects.values_list("stage", flat=True)) == LEAD_STAGE_COUNTS
    assert Lead.objects.filter(lost_reason=LostReason.NO_COVERAGE).exists()
