"""Known addresses by normalised street and house number, for geocoding.

gis.geocoding reads only the known numbers nearest the one asked for (two ordered index
scans a street); reading every address of a busy street (thousands of CRM addresses on
an avenue) made the slowest geocodes take over half a second at a million clients.
The crm_address index is crm migration 0006's (made here before, on older installs).
`malha_house_number(text)` is the leading number of a house number ("1220 fundos" is
1220), like gis.geocoding._leading_number.
"""
from django.db import migrations

CREATE = r"""
CREATE FUNCTION malha_house_number(text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT substring($1 from '^\s*(\d{1,6})')::integer $$;
CREATE INDEX geo_addresspoint_street_number ON geo_addresspoint
    (malha_normalize(street), malha_house_number(housenumber));
"""

DROP = """
DROP INDEX geo_addresspoint_street_number;
DROP FUNCTION malha_house_number(text);
"""


class Migration(migrations.Migration):
    dependencies = [("geo", "0006_selection_cells")]

    operations = [migrations.RunSQL(CREATE, DROP)]
