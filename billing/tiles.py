"""The map's client and contract layers (see gis.tiles), registered by BillingConfig.ready.

Clients: one point per person with contracts, at their *main* contract, the first by
CLIENT_STATUS_PRECEDENCE (then the oldest). The client's `status` and plan are that
contract's, and the `status` / `plan` filters apply to them. Database triggers keep each
client's point in `geo_clientpoint` (billing migration 0005), which the client tiles and
cells read. Both layers are aggregated at low zooms from the pre-built cells.
"""
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.people.selectors import narrowed, people_visible_to
from gis.tiles import (
    ChoiceFilter, DataLayer, TileError, bbox_params, cells_cluster_source, envelope_sql,
    named_sql, queryset_sql, status_plan_conditions, values_of,
)

from .choices import ContractStatus
from .selectors import plan_list

# A client's map status is that of their most relevant contract, first in this list:
# a suspension or a pending installation needs attention before a working line.
# The SQL function geo_client_status_rank() (billing migration 0005) repeats this order.
CLIENT_STATUS_PRECEDENCE = (
    ContractStatus.SUSPENDED,
    ContractStatus.AWAITING_INSTALLATION,
    ContractStatus.ACTIVE,
    ContractStatus.CANCELLED,
)
# The cells are rebuilt when contracts change; each layer's points with status and plan.
CELLS_TOPIC = "contracts"
CELL_SOURCES = {
    "clients": "SELECT point, status, plan_id FROM geo_clientpoint",
    "contracts": "SELECT point, status, plan_id FROM billing_contract",
}
TOPICS = {"contracts": "billing.Contract", "plans": "billing.Plan", "people": "crm.Person"}


PLAN_ID = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class PlanFilter:
    kind: str = "multi"

    def parse(self, name, query):
        values = values_of(query, name)
        # ASCII digits only, few enough for a bigint: str.isdigit() also takes "²", which int() refuses.
        if not values or not all(PLAN_ID.fullmatch(value) for value in values):
            raise TileError(400, {name: [_("Give plan ids as whole numbers, e.g. 1,2.")]})
        ids = {int(value) for value in values}
        unknown = ids - set(plan_list().filter(pk__in=ids).values_list("pk", flat=True))
        if unknown:
            raise TileError(400, {name: [
                _("Unknown plan id: %(ids)s.") % {"ids": ", ".join(map(str, sorted(unknown)))}
            ]})
        return tuple(sorted(ids))

    def describe(self):
        return [{"value": plan.pk, "label": plan.name} for plan in plan_list()]


def clients_source(tile, filters, user):
    """Each client at their main contract: one GiST range scan of `geo_clientpoint`, the
    per-client map points that triggers keep (billing migration 0005). Only the clients `user`
    may read (a technician: their orders'); the low-zoom cells count every client, nameless."""
    where, params = status_plan_conditions(filters, "c")
    people = people_visible_to(user)
    if narrowed(people):
        visible, visible_params = named_sql(*queryset_sql(people.values("pk").order_by()))
        where += f" AND c.person_id IN ({visible})"
        params = {**params, **visible_params}
    sql = f"""
        SELECT ST_Transform(c.point, 3857) AS geom3857, c.person_id AS id, c.name, c.status::text AS status,
               c.contracts
        FROM geo_clientpoint c
        WHERE c.point && {envelope_sql()}{where}
    """
    return sql, {**bbox_params(tile.bbox), **params}


def contracts_source(tile, filters, user):
    where, params = status_plan_conditions(filters, "c")
    sql = f"""
        SELECT ST_Transform(c.point, 3857) AS geom3857, c.id, c.number, c.status::text AS status,
               c.plan_id, pl.name AS plan, p.name AS client
        FROM billing_contract c
        JOIN billing_plan pl ON pl.id = c.plan_id
        JOIN crm_person p ON p.id = c.person_id
        WHERE c.point && {envelope_sql()}{where}
    """
    return sql, {**bbox_params(tile.bbox), **params}


CONTRACT_FILTERS = {"status": ChoiceFilter(ContractStatus), "plan": PlanFilter()}

LAYERS = (
    DataLayer("clients", gettext_lazy("Clients"), "point", "crm.view_person", ("contracts", "people"),
              ("id", "name", "status", "contracts"), CONTRACT_FILTERS, ContractStatus,
              "MALHA_TILE_DETAIL_ZOOM", per_user=True, position=10, source=clients_source,
              cluster_source=cells_cluster_source),
    DataLayer("contracts", gettext_lazy("Contracts"), "point", "billing.view_contract",
              ("contracts", "people", "plans"), ("id", "number", "status", "plan_id", "plan", "client"),
              CONTRACT_FILTERS, ContractStatus, "MALHA_TILE_DETAIL_ZOOM", position=20,
              source=contracts_source, cluster_source=cells_cluster_source),
)
