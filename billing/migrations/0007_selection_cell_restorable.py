"""geo_selection_cell names PostGIS' functions with their schema: pg_restore builds indexes with
an empty search_path, and the unqualified ST_X of the function an index of billing_contract
uses made every backup fail to restore (an install whose cells geo 0006 made has that one)."""
from django.db import migrations

QUALIFIED = """
CREATE OR REPLACE FUNCTION geo_selection_cell(geometry) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT (floor((public.ST_X($1) + 180) * 1024)::bigint << 18) + floor((public.ST_Y($1) + 90) * 1024)::bigint $$;
"""


class Migration(migrations.Migration):
    dependencies = [("billing", "0006_message_log_in_messaging")]

    operations = [migrations.RunSQL(QUALIFIED, migrations.RunSQL.noop)]
