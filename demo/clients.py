"""Clients where people live, each with an address on a real street and a contract
on a port of a box within drop reach."""
import datetime
import math

from django.utils.translation import gettext as _

from billing.choices import PORT_HOLDING_STATUSES, ContractStatus
from billing.models import Contract
from billing.services import CONTRACT_NUMBER_PREFIX
from crm.people.choices import PersonType
from crm.people.models import Address, Person

from .catalogue import (
    BUSINESS_PLAN_WEIGHTS, CITY, CONTRACT_STATUS_WEIGHTS, DUE_DAYS, HOME_PLAN_WEIGHTS, STATE,
)
from .city import HEX_RADIUS_M
from .identity import PeopleFactory
from .plant import DROP_REACH_M

SECOND_CONTRACT_SHARE = 0.02  # a second home or a shop of the same client
HOME_OFFSET_M = (5.0, 12.0)  # from the street's centre line to the front door
SITE_ATTEMPTS = 30
STREET_NUMBERS_UP_TO = 3000


def create_clients(run, city, plant, plans):
    """People, their addresses and contracts; returns the saved contracts."""
    rng = run.rng("clients")
    people = PeopleFactory(rng)
    addresses = AddressMaker(rng, city)
    statuses, status_weights = list(CONTRACT_STATUS_WEIGHTS), list(CONTRACT_STATUS_WEIGHTS.values())
    persons, places, contracts = [], [], []
    for _index in run.bar(range(run.size.clients), desc=_("Creating clients")):
        person = people.client()
        persons.append(person)
        plan_weights = (
            BUSINESS_PLAN_WEIGHTS if person.person_type == PersonType.COMPANY else HOME_PLAN_WEIGHTS
        )
        for _contract in range(2 if rng.random() < SECOND_CONTRACT_SHARE else 1):
            status = rng.choices(statuses, status_weights)[0]
            holds_port = status in PORT_HOLDING_STATUSES
            site, box = home_site(rng, city, plant, holds_port)
            address = addresses.at(site, person)
            places.append(address)
            contract = Contract(
                number=f"{CONTRACT_NUMBER_PREFIX}{len(contracts) + 1:06d}", person=person,
                plan=rng.choices(plans, plan_weights)[0], installation_address=address,
                point=address.point, status=status, due_day=rng.choice(DUE_DAYS),
                **contract_dates(rng, status, run.today),
            )
            if holds_port and box is not None:
                contract.cto_box, contract.cto_port = box, plant.take_port(box)
            contracts.append(contract)
    run.save(Person, persons, _("Saving clients"))
    run.save(Address, places, _("Saving addresses"))
    return run.save(Contract, contracts, _("Saving contracts"))


def home_site(rng, city, plant, holds_port):
    """Where a client lives, and the nearest box within drop reach that serves them.

    Homes follow the population grid, but only where the plant reaches, with a
    free port when the contract holds one: a sales rep only sells where the
    network can connect. When the places tried are all out of reach or full,
    the client lives beside a box that still has a free port; only when every
    box is full does a port-holding contract go without one.
    """
    for _attempt in range(SITE_ATTEMPTS):
        site = city.site_near(rng, *city.pick_hex(rng), HEX_RADIUS_M, rng.uniform(*HOME_OFFSET_M))
        if site is not None:
            box = plant.nearest_box(site.x, site.y, with_free_port=holds_port)
            if box is not None:
                return site, box
    with_port = plant.spots_with_free_port() if holds_port else []
    spot = rng.choice(with_port or plant.spots)
    while True:
        site = city.site_near(rng, spot.site.x, spot.site.y, DROP_REACH_M / 2, rng.uniform(*HOME_OFFSET_M))
        if site and math.dist((site.x, site.y), (spot.site.x, spot.site.y)) <= DROP_REACH_M:
            return site, spot.box if with_port else None


def contract_dates(rng, status, today):
    """Signed, activated, suspended and cancelled dates in the past, in that order."""
    if status == ContractStatus.AWAITING_INSTALLATION:
        return {"signed_on": today - datetime.timedelta(days=int(rng.random() * 10))}
    signed = today - datetime.timedelta(days=40 + int(rng.random() * 6 * 365))
    activated = signed + datetime.timedelta(days=1 + int(rng.random() * 7))
    dates = {"signed_on": signed, "activated_on": activated}
    days_active = (today - activated).days
    if status == ContractStatus.SUSPENDED:  # for a recent overdue invoice
        dates["suspended_on"] = today - datetime.timedelta(days=int(rng.random() * min(60, days_active)))
    elif status == ContractStatus.CANCELLED:
        dates["cancelled_on"] = activated + datetime.timedelta(days=1 + int(rng.random() * days_active))
    return dates


class AddressMaker:
    """Addresses at street sites, numbered the Porto Alegre way: numbers grow along the
    street, even on one side and odd on the other."""

    def __init__(self, rng, city):
        self.rng = rng
        self.city = city
        self.street_starts = {}

    def number(self, site):
        if site.edge.pk not in self.street_starts:
            self.street_starts[site.edge.pk] = self.rng.randrange(STREET_NUMBERS_UP_TO)
        even = (self.street_starts[site.edge.pk] + int(site.along_m)) // 2 * 2
        return str(even + 1 if site.side > 0 else even + 2)

    def complement(self, person):
        rng = self.rng
        if person.person_type == PersonType.COMPANY:
            return rng.choice(("", "", f"sala {rng.randrange(1, 15)}{rng.randrange(1, 10):02d}",
                               f"loja {rng.randrange(1, 5)}"))
        roll = rng.random()
        if roll < 0.35:
            return f"apto {rng.randrange(1, 13)}{rng.randrange(1, 5):02d}"
        if roll < 0.40:
            return rng.choice(("casa 2", "fundos", "bloco B"))
        return ""

    def at(self, site, person):
        street = site.edge.name
        return Address(
            person=person, cep=self.city.cep(street, self.rng), street=street,
            number=self.number(site), complement=self.complement(person),
            neighbourhood=self.city.neighbourhood(site.x, site.y), city=CITY, state=STATE,
            point=site.point,
        )
