"""A covering GiST index for polygon selection: index-only scans, no heap visits.

gis.selection counts the contracts inside a polygon by status and plan and their
distinct clients. With the point, status, plan and person in the index entries,
PostgreSQL answers that from the index alone (once VACUUM has marked the pages
all-visible), instead of visiting one heap page per contract: contracts are
stored in signing order, so the ones inside an area are spread over the whole
table. `point` is repeated in INCLUDE because PostGIS' GiST keys are lossy boxes:
the exact ST_Intersects test needs the point itself.
"""
from django.db import migrations

CREATE = """
CREATE INDEX billing_contract_point_covering ON billing_contract
    USING gist (point) INCLUDE (point, status, plan_id, person_id);
"""


class Migration(migrations.Migration):
    dependencies = [("geo", "0004_client_points")]

    operations = [migrations.RunSQL(CREATE, "DROP INDEX billing_contract_point_covering;")]
