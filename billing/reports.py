"""The client location report: where the clients' installations are, by plan, contract
status and neighbourhood (frontend.views.reports draws it on a folium map)."""
from dataclasses import dataclass

from django.db.models import F, FloatField, Func

from crm.people.models import Address

from .choices import ContractStatus
from .selectors import contract_list

# Markers a report carries at most: past this a browser struggles even with clustering, and
# the page says how many were left out.
CLIENT_MAP_LIMIT = 30_000


@dataclass(frozen=True)
class ClientLocations:
    """`points`: [lat, lon, client, contract number, plan, status, status label,
    neighbourhood] of the first `limit` matching contracts by number; `contracts` and
    `clients` count every match."""

    points: list
    contracts: int
    clients: int
    limit: int

    @property
    def truncated(self):
        return self.contracts > len(self.points)


def client_locations(*, plan_ids=(), statuses=(), neighbourhood="", limit=CLIENT_MAP_LIMIT):
    """Contracts (one marker each, at the installation point) matching every filter given;
    an empty filter does not filter."""
    contracts = contract_list()
    if plan_ids:
        contracts = contracts.filter(plan_id__in=plan_ids)
    if statuses:
        contracts = contracts.filter(status__in=statuses)
    if neighbourhood:
        contracts = contracts.filter(installation_address__neighbourhood__iexact=neighbourhood)
    labels = dict(ContractStatus.choices)
    rows = (
        contracts.order_by("number")
        .annotate(lon=Func(F("point"), function="ST_X", output_field=FloatField()),
                  lat=Func(F("point"), function="ST_Y", output_field=FloatField()))
        .values_list("lat", "lon", "person__name", "number", "plan__name", "status",
                     "installation_address__neighbourhood")[:limit]
    )
    points = [[round(lat, 6), round(lon, 6), name, number, plan, status, str(labels[status]), hood]
              for lat, lon, name, number, plan, status, hood in rows]
    return ClientLocations(
        points=points,
        contracts=contracts.count(),
        clients=contracts.values("person_id").distinct().count(),
        limit=limit,
    )


def installation_neighbourhoods():
    """Neighbourhoods of the addresses clients have contracts at, sorted: the report's choices."""
    return list(
        Address.objects.filter(contracts__isnull=False).exclude(neighbourhood="")
        .values_list("neighbourhood", flat=True).distinct().order_by("neighbourhood")
    )
