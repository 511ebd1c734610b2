"""Pre-aggregated map cells for the low-zoom client and contract tiles (see gis/tiles.py).

Plain tables written and read only by gis.tiles in SQL: no ORM model, nothing to edit.
"""
from django.db import migrations

CREATE = """
CREATE TABLE geo_tilecell (
    layer varchar(20) NOT NULL,
    ix integer NOT NULL,
    iy integer NOT NULL,
    status varchar(30) NOT NULL,
    plan_id bigint NOT NULL,
    n integer NOT NULL,
    sx double precision NOT NULL,
    sy double precision NOT NULL
);
CREATE INDEX geo_tilecell_layer_cell ON geo_tilecell (layer, ix, iy);
CREATE TABLE geo_tilecellbuild (
    name varchar(20) PRIMARY KEY,
    source_version varchar(100) NOT NULL,
    base_level integer NOT NULL,
    built_at timestamptz NOT NULL
);
"""

DROP = "DROP TABLE geo_tilecell; DROP TABLE geo_tilecellbuild;"


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
