"""`geo_clientpoint`: each client's map point, kept by triggers, so a client tile is one index scan.

One row per person with contracts: their *main* contract (the first by
gis.tiles.CLIENT_STATUS_PRECEDENCE, then the oldest), its point, status and plan,
how many contracts the person has, and their name. Without it a z16 tile of
~5,000 clients needed three index probes per client (main contract, contract
count, name): ~150 ms at a million clients.

Triggers keep it exact on every write path, the ORM's bulk updates and raw SQL
included: statement-level ones on billing_contract recompute the people whose
contracts a statement touched, set-based (one pass for a million-row load),
and a row-level one on crm_person copies a renamed person's name. No ORM model:
gis.tiles reads it in SQL.
"""
from django.db import migrations

# Must list the statuses in the order of gis.tiles.CLIENT_STATUS_PRECEDENCE (a test checks it).
CREATE = """
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

DROP = """
DROP TRIGGER geo_clientpoint_person_renamed ON crm_person;
DROP TRIGGER geo_clientpoint_contracts_inserted ON billing_contract;
DROP TRIGGER geo_clientpoint_contracts_updated ON billing_contract;
DROP TRIGGER geo_clientpoint_contracts_deleted ON billing_contract;
DROP TRIGGER geo_clientpoint_contracts_truncated ON billing_contract;
DROP FUNCTION geo_clientpoint_person_renamed(), geo_clientpoint_contracts_truncated(),
    geo_clientpoint_contracts_changed(), geo_clientpoint_recompute(bigint[]), geo_client_status_rank(text);
DROP TABLE geo_clientpoint;
"""


class Migration(migrations.Migration):
    dependencies = [("geo", "0003_search_indexes"), ("billing", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
