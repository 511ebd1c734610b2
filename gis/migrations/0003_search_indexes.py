"""Accent- and case-insensitive fuzzy search for geocoding and the map's search box.

`malha_normalize(text)` is lower(unaccent(text)) declared IMMUTABLE (unaccent
itself is only STABLE because its dictionary could change), so expression
indexes can use it; gis.geocoding and gis.search call it through
gis.geocoding.Normalized. Trigram (pg_trgm) GIN indexes serve `%`, `<%` and
similarity(); the b-tree ones serve equality on normalised street names and CEPs.
`geo_streetname` lists each street name once with its normalised key, so fuzzy
matching scans ~3,000 names instead of ~30,000 edges; gis.osm_import refreshes it
after every import. The crm tables' indexes for these searches are crm migration
0006's (made here before, on older installs).
"""
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION malha_normalize(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
"""

STREET_NAMES = """
CREATE MATERIALIZED VIEW geo_streetname AS
    SELECT name, malha_normalize(name) AS key FROM geo_roadedge WHERE name <> '' GROUP BY name;
CREATE UNIQUE INDEX geo_streetname_name ON geo_streetname (name);
CREATE INDEX geo_streetname_key_trgm ON geo_streetname USING gin (key gin_trgm_ops);
CREATE INDEX geo_streetname_key ON geo_streetname (key);
"""

INDEXES = """
CREATE INDEX geo_roadedge_named_geom ON geo_roadedge USING gist (geom) WHERE name <> '';
CREATE INDEX geo_addresspoint_street_norm ON geo_addresspoint (malha_normalize(street));
CREATE INDEX geo_addresspoint_postcode ON geo_addresspoint (postcode);
"""

DROP_INDEXES = """
DROP INDEX geo_roadedge_named_geom, geo_addresspoint_street_norm, geo_addresspoint_postcode;
"""


class Migration(migrations.Migration):
    dependencies = [("geo", "0002_tile_cells")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(FUNCTION, "DROP FUNCTION malha_normalize(text);"),
        migrations.RunSQL(STREET_NAMES, "DROP MATERIALIZED VIEW geo_streetname;"),
        migrations.RunSQL(INDEXES, DROP_INDEXES),
    ]
