"""Geocoding on a hand-made street network (tests/gis/data/geocoding.osm)."""

from pathlib import Path

import pytest
from django.contrib.gis.geos import Point

from crm.people.services import create_address, create_person
from gis.geocoding import geocode, locate_address, parse_address, reverse_geocode
from gis.osm_import import import_osm

GEOCODING_OSM = Path(__file__).parent / "data" / "geocoding.osm"
STREET_LAT = -30.0300
METRES_PER_DEGREE_LAT = 110_850


@pytest.fixture
def streets(db, settings):
    settings.MALHA_GEOCODING_ORIGIN = (-51.2250, -30.0280)  # north of both streets
    import_osm(GEOCODING_OSM)


@pytest.mark.parametrize(
    ("text", "street", "number", "cep", "hints"),
    [
        ("R. dos Andradas, nº 1137 - Centro, Porto Alegre, 90010-000",
         "rua dos andradas", 1137, "90010000", ("centro", "porto alegre")),
        ("Av Borges de Medeiros 500", "avenida borges de medeiros", 500, "", ()),
        ("TRAV. AÇORIANA, 12", "travessa acoriana", 12, "", ()),
        ("Rua 7 de Setembro", "rua 7 de setembro", None, "", ()),
        ("Rua Gen. Câmara, 10 CEP 90010-230", "rua general camara", 10, "90010230", ()),
        ("90010-000", "", None, "90010000", ()),
    ],
)
def test_parse_address(text, street, number, cep, hints):
    parsed = parse_address(text)
    assert (parsed.street, parsed.number, parsed.cep, parsed.hints) == (street, number, cep, hints)


def test_a_known_number_is_its_own_point(streets):
    best = geocode("R. dos Andradas, 100")[0]
    assert best.precision == "address" and best.confidence > 0.9
    assert (best.lon, best.lat) == pytest.approx((-51.2290, -30.02993), abs=1e-6)
    assert best.label == "Rua dos Andradas, 100 - Centro Histórico, Porto Alegre - CEP 90020-000"


def test_numbers_between_known_ones_are_interpolated_on_their_side(streets):
    best = geocode("rua dos andradas 500")[0]
    assert best.precision == "interpolated"
    assert best.lon == pytest.approx(-51.2250, abs=0.0002)  # halfway between 100 and 900
    # Numbers grow eastwards; even numbers are on the right: the south side.
    assert best.lat == pytest.approx(STREET_LAT - 8 / METRES_PER_DEGREE_LAT, abs=2e-5)
    odd = geocode("rua dos andradas 501")[0]
    assert odd.lat == pytest.approx(STREET_LAT + 8 / METRES_PER_DEGREE_LAT, abs=2e-5)


def test_streets_without_known_numbers_use_metric_numbering(streets):
    best = geocode("Av. Borges de Medeiros, 500")[0]
    assert best.precision == "street"
    # Numbering starts at the north end (nearer the origin): 500 m south of it.
    assert best.lat == pytest.approx(-30.0290 - 500 / METRES_PER_DEGREE_LAT, abs=0.0002)
    assert best.confidence < geocode("rua dos andradas 500")[0].confidence


def test_accents_and_case_are_ignored(streets):
    best = geocode("TRAVESSA ACORIANA")[0]
    assert best.street == "Travessa Açoriana" and best.precision == "street"


def test_a_cep_finds_its_street(streets):
    best = geocode("90020-000, 900")[0]
    assert best.street == "Rua dos Andradas" and best.precision == "address"


def test_a_cep_alone_is_the_middle_of_its_addresses(streets):
    person = create_person(name="Dora Dias", stage="client", document="111.444.777-35")
    for lon in (-51.3000, -51.3010):
        create_address(
            person=person, cep="91999-000", street="Rua Longe", number="1", neighbourhood="Sul",
            city="Porto Alegre", state="RS", point=Point(lon, -30.1, srid=4326),
        )
    best = geocode("CEP 91999-000")[0]
    assert best.precision == "cep" and best.lon == pytest.approx(-51.3005)
    assert best.label == "CEP 91999-000 - Porto Alegre"


def test_no_match_is_an_empty_list(streets):
    assert geocode("Estrada Inexistente Qualquer 10") == []
    assert geocode("") == []


def test_reverse_finds_a_known_address_nearby(streets):
    found = reverse_geocode(-51.22902, -30.02995)
    assert found.precision == "address" and found.number == "100" and found.street == "Rua dos Andradas"


def test_reverse_estimates_the_number_and_its_parity(streets):
    north = reverse_geocode(-51.2270, -30.02994)  # left of the eastward numbering: odd
    south = reverse_geocode(-51.2270, -30.03006)
    assert north.street == south.street == "Rua dos Andradas"
    assert north.precision == "interpolated"
    assert int(north.number) % 2 == 1 and int(south.number) % 2 == 0
    assert abs(int(north.number) - 300) <= 10  # 100 at -51.2290, 900 at -51.2210


def test_reverse_far_from_any_street_is_none(streets):
    assert reverse_geocode(-51.10, -29.90) is None


def test_registration_places_an_address_typed_without_a_point(streets):
    person = create_person(name="Bia Lima", stage="client", document="529.982.247-25")
    placed = create_address(
        person=person, cep="90020-000", street="R. dos Andradas", number="700",
        neighbourhood="Centro", city="Porto Alegre", state="RS",
    )
    assert placed.point is not None
    assert placed.point.x == pytest.approx(-51.2230, abs=0.0003)
    unknown = create_address(
        person=person, cep="90020-000", street="Rua Que Não Existe", number="1",
        neighbourhood="Centro", city="Porto Alegre", state="RS",
    )
    assert unknown.point is None
    pinned = create_address(
        person=person, cep="90020-000", street="Rua dos Andradas", number="700",
        neighbourhood="Centro", city="Porto Alegre", state="RS", point=Point(-51.1, -30.1, srid=4326),
    )
    assert pinned.point.x == -51.1


def test_crm_addresses_are_anchors_too(streets):
    person = create_person(name="Caio Reis", stage="client", document="111.444.777-35")
    create_address(
        person=person, cep="90020-000", street="Avenida Borges de Medeiros", number="1000",
        neighbourhood="Centro", city="Porto Alegre", state="RS", point=Point(-51.2250, -30.0340, srid=4326),
    )
    best = geocode("Av. Borges de Medeiros, 1000")[0]
    assert best.precision == "address" and best.lat == pytest.approx(-30.0340)
    assert locate_address(street="Avenida Borges de Medeiros", number="1000") is not None
