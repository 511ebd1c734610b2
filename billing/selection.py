"""The contracts (and their clients) inside a selection area (gis.selection), registered
by BillingConfig.ready as the map's selection source.

Exact counts come from trigger-kept count cells (billing migration 0005: geo_selectioncell
per count-grid cell, status and plan; geo_sharedcontract, every contract of a client holding
several), so a selection never tests every point; see `selection_counts`.
"""
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from gis.selection import DEFAULT_PAGE_SIZE, WGS84, Selection

from .choices import ContractStatus
from .selectors import contract_list, plan_list


def clean_contract_filters(statuses=None, plan_ids=None):
    """Checked (statuses, plan_ids); unknown values are a ValidationError naming the field."""
    errors = {}
    statuses = list(statuses or [])
    unknown = sorted(set(map(str, statuses)) - set(ContractStatus.values))
    if unknown:
        errors["status"] = [
            _("Unknown contract status: %(values)s. Use one of: %(choices)s.")
            % {"values": ", ".join(unknown), "choices": ", ".join(ContractStatus.values)}
        ]
    plan_ids = list(plan_ids or [])
    if plan_ids:
        missing = sorted(set(plan_ids) - set(plan_list().filter(pk__in=plan_ids).values_list("pk", flat=True)))
        if missing:
            errors["plan"] = [
                _("Unknown plan id: %(values)s.") % {"values": ", ".join(map(str, missing))}
            ]
    if errors:
        raise ValidationError(errors)
    return statuses, plan_ids


def contracts_in_area(area, statuses=None, plan_ids=None):
    """Contracts whose installation point lies inside `area`, optionally filtered, ordered by id.

    Public: the selection page, its CSV export and the campaigns iterate this.
    """
    contracts = contract_list().filter(area.contains_q())
    if statuses:
        contracts = contracts.filter(status__in=statuses)
    if plan_ids:
        contracts = contracts.filter(plan_id__in=plan_ids)
    return contracts.order_by("id")


def selection_counts(area, statuses=None, plan_ids=None):
    """{"clients", "contracts", "by_status", "by_plan"} of contracts_in_area(area, statuses, plan_ids).

    Exact, without testing every point: the cells of `area.cover` lying inside are summed
    from geo_selectioncell, and only the contracts of the cells its outline crosses are
    tested. A client counts once however many of their contracts are inside: every contract
    of a client holding several is in geo_sharedcontract, so clients = contracts - shared
    contracts inside + distinct holders of those (see billing migration 0005).
    """
    cover, wkb = area.cover, bytes(area.geometry.wkb)
    levels, columns, rows = zip(*cover.interior) if cover.interior else ((), (), ())
    filters = "(%(statuses)s::text[] IS NULL OR status = ANY(%(statuses)s))" \
              " AND (%(plans)s::bigint[] IS NULL OR plan_id = ANY(%(plans)s))"
    # The edge's points are tested apart from their lookup (a materialised CTE): else PostGIS
    # adds the polygon's box as a GiST condition, and the planner ANDs a bitmap of every point
    # in the box with the edge cells' bitmap.
    with _planner_settings(WITHOUT_JIT, INDEX_ONLY), connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH edge AS MATERIALIZED (
                SELECT point, status, plan_id FROM billing_contract
                WHERE geo_selection_cell(point) = ANY(%(edge)s::bigint[]) AND {filters})
            SELECT status, plan_id, sum(contracts)::bigint, NULL::bigint FROM (
                SELECT status, plan_id, contracts FROM geo_selectioncell s
                JOIN unnest(%(levels)s::smallint[], %(columns)s::int[], %(rows)s::int[]) AS k (level, ix, iy)
                  ON s.level = k.level AND s.ix = k.ix AND s.iy = k.iy
                WHERE contracts <> 0 AND {filters}
                UNION ALL
                SELECT status, plan_id, 1 FROM edge WHERE ST_Intersects(point, ST_GeomFromWKB(%(wkb)s, {WGS84}))
            ) AS inside GROUP BY status, plan_id
            UNION ALL
            SELECT NULL, NULL, count(*), count(DISTINCT person_id) FROM geo_sharedcontract
            WHERE ST_Intersects(point, ST_GeomFromWKB(%(wkb)s, {WGS84})) AND {filters}
            """,
            {"levels": list(levels), "columns": list(columns), "rows": list(rows), "edge": list(cover.edge),
             "wkb": wkb, "statuses": statuses or None, "plans": plan_ids or None},
        )
        rows = cursor.fetchall()
    _none, _none, shared_contracts, shared_clients = rows.pop()
    by_status, by_plan = {}, {}
    for status, plan_id, total, _none in rows:
        by_status[status] = by_status.get(status, 0) + total
        by_plan[plan_id] = by_plan.get(plan_id, 0) + total
    contracts = sum(by_status.values())
    plan_names = dict(plan_list().filter(pk__in=by_plan).values_list("pk", "name"))
    return {
        "clients": contracts - shared_contracts + shared_clients,
        "contracts": contracts,
        "by_status": [
            {"status": status, "label": str(ContractStatus(status).label), "count": total}
            for status, total in sorted(by_status.items(), key=lambda item: (-item[1], item[0]))
        ],
        "by_plan": [
            {"id": plan_id, "name": plan_names.get(plan_id, ""), "count": total}
            for plan_id, total in sorted(by_plan.items(), key=lambda item: (-item[1], item[0]))
        ],
    }


# PostgreSQL's JIT spends ~0.5 s compiling for these sub-second scans (the exact test's high
# cost estimate triggers it).
WITHOUT_JIT = "SET LOCAL jit = off"
# The edge cells' contracts come from the covering cell index (billing migration 0005) alone;
# a bitmap scan would visit a heap page for most of them.
INDEX_ONLY = "SET LOCAL enable_bitmapscan = off"
# A page is 50 rows found early in id order: parallel workers take longer to start (~80 ms on
# a busy two-core server) than the whole serial scan (~1 ms).
SERIAL = "SET LOCAL max_parallel_workers_per_gather = 0"


@contextmanager
def _planner_settings(*settings):
    """Run the enclosed queries with these SET LOCAL planner settings, in a transaction."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(setting)
        yield


def select_contracts(area, statuses=None, plan_ids=None, page=1, page_size=DEFAULT_PAGE_SIZE):
    """Counts and one page (1-based) of the contracts inside `area`: what the map shows.

    Public: the selection API and the bench (`bench_gis`, counts + first page) call this.
    """
    counts = selection_counts(area, statuses, plan_ids)
    contracts = contracts_in_area(area, statuses, plan_ids)
    start = (page - 1) * page_size
    with _planner_settings(WITHOUT_JIT, SERIAL):
        contracts = list(contracts[start:start + page_size])
    return Selection(area, counts, contracts)


def exporter():
    """(header, row(contract)) of the CSV export, translated now: the stream is written after
    the request's language is gone."""
    header = [
        _("Contract"), _("Status"), _("Plan"), _("Client"), _("CPF/CNPJ"), _("Mobile phone"),
        _("Address"), _("CEP"), _("Longitude"), _("Latitude"),
    ]
    status_labels = {value: str(label) for value, label in ContractStatus.choices}

    def row(contract):
        address = contract.installation_address
        return [
            contract.number, status_labels[contract.status], contract.plan.name,
            contract.person, contract.person.document,
            contract.person.mobile_phone, address, address.cep_display,
            f"{contract.point.x:.6f}", f"{contract.point.y:.6f}",
        ]

    return header, row
