"""The map's contract aggregates, kept by triggers on billing_contract (made by geo 0004-0006 before
billing owned them): `geo_clientpoint`, the per-cell selection counts and the covering index.

A database where those geo migrations already made them keeps them as they are; a new one
gets them here, the same. Table and function names keep their geo_ prefix.

`geo_clientpoint`: One row per person with contracts: their *main* contract (the first by
billing.tiles.CLIENT_STATUS_PRECEDENCE, then the oldest), its point, status and plan,
how many contracts the person has, and their name. Without it a z16 tile of
~5,000 clients needed three index probes per client (main contract, contract
count, name): ~150 ms at a million clients.

Triggers keep it exact on every write path, the ORM's bulk updates and raw SQL
included: statement-level ones on billing_contract recompute the people whose
contracts a statement touched, set-based (one pass for a million-row load),
and a row-level one on crm_person copies a renamed person's name. No ORM model:
billing.tiles reads it in SQL.

Covering index: billing.selection counts the contracts inside a polygon by status and plan and their
distinct clients. With the point, status, plan and person in the index entries,
PostgreSQL answers that from the index alone (once VACUUM has marked the pages
all-visible), instead of visiting one heap page per contract: contracts are
stored in signing order, so the ones inside an area are spread over the whole
table. `point` is repeated in INCLUDE because PostGIS' GiST keys are lossy boxes:
the exact ST_Intersects test needs the point itself.

Selection cells: `geo_selectioncell` holds, for square cells of a fixed degree grid at four levels
(1/1024°, 1/256°, 1/64° and 1/16° a side: ~100 m to ~7 km at Porto Alegre), the number
of contracts of each (status, plan) whose installation point falls in the cell.
gis.selection covers a polygon with the largest cells lying wholly inside it, sums
their rows, and tests point by point only the contracts of the finest cells the
outline crosses: those are read through the `billing_contract_selection_cell`
expression index, whose key is the point's finest cell (`geo_selection_cell`).

Distinct clients cannot be summed over cells (a client's contracts may lie in two of
them, or share one), so `geo_sharedcontract` lists the contracts of clients who have
more than one: clients inside = contracts inside - shared contracts inside + distinct
holders of shared contracts inside. Every other contract is its client's only one.

Statement-level triggers on billing_contract keep both exact on every write path (the
ORM's bulk updates and raw SQL included), in the writing transaction: cell counts by
additive upserts (concurrent writers add up), shared contracts recomputed for the
people a statement touched, under a lock on those people's rows so two writers of one
person's contracts take turns. No ORM model: billing.selection reads them in SQL.
"""
from django.db import migrations

# Must list the statuses in the order of billing.tiles.CLIENT_STATUS_PRECEDENCE (a test checks it).
CLIENT_POINTS = """
CREATE TABLE geo_clientpoint (
    person_id bigint PRIMARY KEY,
    contract_id bigint NOT NULL,
    point geometry(Point, 4326) NOT NULL,
    status varchar(25) NOT NULL,
    plan_id bigint NOT NULL,
    contracts integer NOT NULL,
    name varchar(200) NOT NULL
);

CREATE FUNCTION geo_client_status_rank(text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_position(ARRAY['suspended', 'awaiting_installation', 'active', 'cancelled'], $1) $$;

-- Recompute the rows of these people from their contracts.
CREATE FUNCTION geo_clientpoint_recompute(people bigint[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM geo_clientpoint g
    WHERE g.person_id IN (SELECT unnest(people))
      AND NOT EXISTS (SELECT 1 FROM billing_contract c WHERE c.person_id = g.person_id);
    INSERT INTO geo_clientpoint (person_id, contract_id, point, status, plan_id, contracts, name)
    SELECT DISTINCT ON (c.person_id) c.person_id, c.id, c.point, c.status, c.plan_id,
           count(*) OVER (PARTITION BY c.person_id), p.name
    FROM billing_contract c JOIN crm_person p ON p.id = c.person_id
    WHERE c.person_id IN (SELECT unnest(people))
    ORDER BY c.person_id, geo_client_status_rank(c.status), c.id
    ON CONFLICT (person_id) DO UPDATE SET
        contract_id = EXCLUDED.contract_id, point = EXCLUDED.point, status = EXCLUDED.status,
        plan_id = EXCLUDED.plan_id, contracts = EXCLUDED.contracts, name = EXCLUDED.name
    WHERE (geo_clientpoint.contract_id, geo_clientpoint.point, geo_clientpoint.status,
           geo_clientpoint.plan_id, geo_clientpoint.contracts, geo_clientpoint.name)
          IS DISTINCT FROM (EXCLUDED.contract_id, EXCLUDED.point, EXCLUDED.status,
                            EXCLUDED.plan_id, EXCLUDED.contracts, EXCLUDED.name);
$$;

-- Transition tables are visible to the trigger function only: it lists the people.
CREATE FUNCTION geo_clientpoint_contracts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    people bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT person_id) INTO people FROM new_contracts;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT person_id) INTO people FROM old_contracts;
    ELSE
        SELECT array_agg(DISTINCT moved.person_id) INTO people
        FROM new_contracts n JOIN old_contracts o ON o.id = n.id
        CROSS JOIN LATERAL (VALUES (n.person_id), (o.person_id)) moved (person_id)
        WHERE (n.person_id, n.point, n.status, n.plan_id)
              IS DISTINCT FROM (o.person_id, o.point, o.status, o.plan_id);
    END IF;
    IF people IS NOT NULL THEN
        PERFORM geo_clientpoint_recompute(people);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER geo_clientpoint_contracts_inserted AFTER INSERT ON billing_contract
    REFERENCING NEW TABLE AS new_contracts
    FOR EACH STATEMENT EXECUTE FUNCTION geo_clientpoint_contracts_changed();
CREATE TRIGGER geo_clientpoint_contracts_updated AFTER UPDATE ON billing_contract
    REFERENCING OLD TABLE AS old_contracts NEW TABLE AS new_contracts
    FOR EACH STATEMENT EXECUTE FUNCTION geo_clientpoint_contracts_changed();
CREATE TRIGGER geo_clientpoint_contracts_deleted AFTER DELETE ON billing_contract
    REFERENCING OLD TABLE AS old_contracts
    FOR EACH STATEMENT EXECUTE FUNCTION geo_clientpoint_contracts_changed();

CREATE FUNCTION geo_clientpoint_contracts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE geo_clientpoint;
    RETURN NULL;
END $$;

CREATE TRIGGER geo_clientpoint_contracts_truncated AFTER TRUNCATE ON billing_contract
    FOR EACH STATEMENT EXECUTE FUNCTION geo_clientpoint_contracts_truncated();

CREATE FUNCTION geo_clientpoint_person_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE geo_clientpoint SET name = NEW.name WHERE person_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER geo_clientpoint_person_renamed AFTER UPDATE OF name ON crm_person
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION geo_clientpoint_person_renamed();

SELECT geo_clientpoint_recompute(ARRAY(SELECT DISTINCT person_id FROM billing_contract));
CREATE INDEX geo_clientpoint_point ON geo_clientpoint USING gist (point);
CLUSTER geo_clientpoint USING geo_clientpoint_point;
ANALYZE geo_clientpoint;
"""

DROP_CLIENT_POINTS = """
DROP TRIGGER geo_clientpoint_person_renamed ON crm_person;
DROP TRIGGER geo_clientpoint_contracts_inserted ON billing_contract;
DROP TRIGGER geo_clientpoint_contracts_updated ON billing_contract;
DROP TRIGGER geo_clientpoint_contracts_deleted ON billing_contract;
DROP TRIGGER geo_clientpoint_contracts_truncated ON billing_contract;
DROP FUNCTION geo_clientpoint_person_renamed(), geo_clientpoint_contracts_truncated(),
    geo_clientpoint_contracts_changed(), geo_clientpoint_recompute(bigint[]), geo_client_status_rank(text);
DROP TABLE geo_clientpoint;
"""

CONTRACT_POINT_COVERING = """
CREATE INDEX billing_contract_point_covering ON billing_contract
    USING gist (point) INCLUDE (point, status, plan_id, person_id);
"""

DROP_CONTRACT_POINT_COVERING = "DROP INDEX billing_contract_point_covering;"

SELECTION_CELLS = """
-- The finest cell of a point as one bigint: column (1/1024° from -180) * 2^18 + row
-- (1/1024° from -90). Coarser levels shift both by 2 bits a level (gis.selection does the same).
CREATE FUNCTION geo_selection_cell(geometry) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT (floor((public.ST_X($1) + 180) * 1024)::bigint << 18) + floor((public.ST_Y($1) + 90) * 1024)::bigint $$;

CREATE TABLE geo_selectioncell (
    level smallint NOT NULL,
    ix integer NOT NULL,
    iy integer NOT NULL,
    status varchar(25) NOT NULL,
    plan_id bigint NOT NULL,
    contracts integer NOT NULL,
    PRIMARY KEY (level, ix, iy, status, plan_id)
);

CREATE TABLE geo_sharedcontract (
    contract_id bigint PRIMARY KEY,
    person_id bigint NOT NULL,
    point geometry(Point, 4326) NOT NULL,
    status varchar(25) NOT NULL,
    plan_id bigint NOT NULL
);
CREATE INDEX geo_sharedcontract_point ON geo_sharedcontract USING gist (point);
CREATE INDEX geo_sharedcontract_person ON geo_sharedcontract (person_id);

-- Add `deltas` contracts at these finest cells (key per geo_selection_cell) to every level.
CREATE FUNCTION geo_selectioncell_add(cells bigint[], statuses text[], plans bigint[], deltas integer[])
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO geo_selectioncell AS s (level, ix, iy, status, plan_id, contracts)
    SELECT l.level, (c.cell >> 18 >> (2 * l.level))::int, ((c.cell & 262143) >> (2 * l.level))::int,
           c.status, c.plan_id, sum(c.delta)
    FROM unnest(cells, statuses, plans, deltas) AS c (cell, status, plan_id, delta)
    CROSS JOIN generate_series(0, 3) AS l (level)
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(c.delta) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (level, ix, iy, status, plan_id) DO UPDATE SET contracts = s.contracts + EXCLUDED.contracts;
$$;

-- Recompute the shared contracts of these people.
CREATE FUNCTION geo_sharedcontract_recompute(people bigint[]) RETURNS void LANGUAGE sql AS $$
    SELECT 1 FROM crm_person WHERE id = ANY(people) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM geo_sharedcontract WHERE person_id = ANY(people);
    INSERT INTO geo_sharedcontract (contract_id, person_id, point, status, plan_id)
    SELECT id, person_id, point, status, plan_id FROM (
        SELECT id, person_id, point, status, plan_id, count(*) OVER (PARTITION BY person_id) AS held
        FROM billing_contract WHERE person_id = ANY(people)) AS c
    WHERE held > 1;
$$;

-- Transition tables are visible to the trigger function only: it passes their rows on.
CREATE FUNCTION geo_selectioncell_contracts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cells bigint[]; statuses text[]; plans bigint[]; deltas integer[]; people bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(geo_selection_cell(point)), array_agg(status), array_agg(plan_id),
               array_agg(1), array_agg(DISTINCT person_id)
        INTO cells, statuses, plans, deltas, people FROM new_contracts;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(geo_selection_cell(point)), array_agg(status), array_agg(plan_id),
               array_agg(-1), array_agg(DISTINCT person_id)
        INTO cells, statuses, plans, deltas, people FROM old_contracts;
    ELSE
        SELECT array_agg(geo_selection_cell(c.point)), array_agg(c.status), array_agg(c.plan_id),
               array_agg(c.delta), array_agg(DISTINCT c.person_id)
        INTO cells, statuses, plans, deltas, people
        FROM new_contracts n JOIN old_contracts o ON o.id = n.id
        CROSS JOIN LATERAL (VALUES (n.point, n.status, n.plan_id, n.person_id, 1),
                                   (o.point, o.status, o.plan_id, o.person_id, -1))
            AS c (point, status, plan_id, person_id, delta)
        WHERE (n.person_id, n.point, n.status, n.plan_id)
              IS DISTINCT FROM (o.person_id, o.point, o.status, o.plan_id);
    END IF;
    IF cells IS NOT NULL THEN
        PERFORM geo_selectioncell_add(cells, statuses, plans, deltas);
        PERFORM geo_sharedcontract_recompute(people);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER geo_selectioncell_contracts_inserted AFTER INSERT ON billing_contract
    REFERENCING NEW TABLE AS new_contracts
    FOR EACH STATEMENT EXECUTE FUNCTION geo_selectioncell_contracts_changed();
CREATE TRIGGER geo_selectioncell_contracts_updated AFTER UPDATE ON billing_contract
    REFERENCING OLD TABLE AS old_contracts NEW TABLE AS new_contracts
    FOR EACH STATEMENT EXECUTE FUNCTION geo_selectioncell_contracts_changed();
CREATE TRIGGER geo_selectioncell_contracts_deleted AFTER DELETE ON billing_contract
    REFERENCING OLD TABLE AS old_contracts
    FOR EACH STATEMENT EXECUTE FUNCTION geo_selectioncell_contracts_changed();

CREATE FUNCTION geo_selectioncell_contracts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE geo_selectioncell, geo_sharedcontract;
    RETURN NULL;
END $$;

CREATE TRIGGER geo_selectioncell_contracts_truncated AFTER TRUNCATE ON billing_contract
    FOR EACH STATEMENT EXECUTE FUNCTION geo_selectioncell_contracts_truncated();

SELECT geo_selectioncell_add(array_agg(geo_selection_cell(point)), array_agg(status),
                             array_agg(plan_id), array_agg(1))
FROM billing_contract;
SELECT geo_sharedcontract_recompute(ARRAY(
    SELECT person_id FROM billing_contract GROUP BY person_id HAVING count(*) > 1));
ANALYZE geo_selectioncell;
ANALYZE geo_sharedcontract;

-- The finest cell as an index key: the outline's cells are read with `= ANY(cells)`,
-- index-only (what the count needs is in INCLUDE; point for the exact test).
CREATE INDEX billing_contract_selection_cell ON billing_contract (geo_selection_cell(point))
    INCLUDE (point, status, plan_id, person_id);
"""

DROP_SELECTION_CELLS = """
DROP TRIGGER geo_selectioncell_contracts_inserted ON billing_contract;
DROP TRIGGER geo_selectioncell_contracts_updated ON billing_contract;
DROP TRIGGER geo_selectioncell_contracts_deleted ON billing_contract;
DROP TRIGGER geo_selectioncell_contracts_truncated ON billing_contract;
DROP INDEX billing_contract_selection_cell;
DROP FUNCTION geo_selectioncell_contracts_truncated(), geo_selectioncell_contracts_changed(),
    geo_sharedcontract_recompute(bigint[]), geo_selectioncell_add(bigint[], text[], bigint[], integer[]),
    geo_selection_cell(geometry);
DROP TABLE geo_selectioncell, geo_sharedcontract;
"""


def unless_present(relation, sql):
    """Run `sql` unless `relation` exists: the geo migration of an older install made it."""
    def forwards(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [relation])
            present = cursor.fetchone()[0] is not None
        if not present:
            schema_editor.execute(sql)

    return forwards


def run(sql):
    def backwards(apps, schema_editor):
        schema_editor.execute(sql)

    return backwards


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_collection"), ("geo", "0007_house_number_indexes")]

    operations = [
        migrations.RunPython(unless_present("geo_clientpoint", CLIENT_POINTS), run(DROP_CLIENT_POINTS)),
        migrations.RunPython(unless_present("billing_contract_point_covering", CONTRACT_POINT_COVERING),
                             run(DROP_CONTRACT_POINT_COVERING)),
        migrations.RunPython(unless_present("geo_selectioncell", SELECTION_CELLS), run(DROP_SELECTION_CELLS)),
    ]
