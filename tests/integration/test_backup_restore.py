"""The restore drill: back up a database (PostGIS geometries included), the uploaded files and
the secret key with scripts/backup.sh, destroy them, restore with scripts/restore.sh, and find
the same rows, files and key."""
import hashlib
import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def server_url(database):
    url = settings.DATABASES["default"]
    return f"postgresql://{url['USER']}@{url['HOST']}:{url['PORT']}/{database}"


def sql(database, *statements):
    """Runs the statements in `database`; the rows of the last one, if it returns any."""
    with psycopg.connect(server_url(database), autocommit=True) as connection:
        for statement in statements:
            cursor = connection.execute(statement)
        return cursor.fetchall() if cursor.description else None


# Our own SQL functions that indexes use (PostGIS' and other extensions' aside), with the type
# of their one argument.
INDEX_FUNCTIONS = """
SELECT DISTINCT p.proname, pg_catalog.format_type(p.proargtypes[0], NULL)
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid
JOIN pg_catalog.pg_class i ON i.oid = d.objid AND i.relkind = 'i'
WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_proc'::regclass
  AND p.pronamespace = 'public'::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.objid = p.oid AND e.deptype = 'e')
"""
SAMPLES = {
    "text": "'Rua 1º de Setembro, 12'",
    "geometry": "'SRID=4326;POINT(-51.2 -30.03)'::public.geometry",
}


def contents(folder):
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def drill(tmp_path):
    """A throwaway database with a PostGIS table, a media folder and a secret key of its own."""
    database = f"malha_drill_{uuid.uuid4().hex[:8]}"
    sql("postgres", f'CREATE DATABASE "{database}"')
    var = tmp_path / "var"
    (var / "media" / "fieldops" / "photos").mkdir(parents=True)
    env = {**{k: v for k, v in os.environ.items() if k not in {"MEDIA_ROOT", "SECRET_KEY"}},
           "DATABASE_URL": server_url(database).replace("postgresql:", "postgis:"),
           "MALHA_VAR": str(var)}
    try:
        yield database, var, env
    finally:
        sql("postgres", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def run(script, env, *args):
    return subprocess.run([ROOT / "scripts" / script, *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_a_backup_restores_the_rows_files_and_key_after_they_are_destroyed(drill, tmp_path):
    database, var, env = drill
    sql(database, "CREATE EXTENSION postgis",
        "CREATE TABLE client (id serial PRIMARY KEY, name text, point geometry(Point, 4326))",
        "INSERT INTO client (name, point) SELECT 'Cliente ' || n, "
        "ST_SetSRID(ST_MakePoint(-51.2 + n / 1000.0, -30.0), 4326) FROM generate_series(1, 500) n")
    photo = var / "media" / "fieldops" / "photos" / "os-1.jpg"
    photo.write_bytes(os.urandom(4096))
    (var / "secret_key").write_text("chave-secreta-do-provedor")
    before = sql(database, "SELECT count(*), sum(ST_X(point)) FROM client")
    files_before = contents(var / "media")

    backup = tmp_path / "backup"
    made = run("backup.sh", env, str(backup))
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS", "database.dump", "media.tar.gz", "secret_key"]

    # The server is lost: database, files and key.
    sql("postgres", f'DROP DATABASE "{database}" WITH (FORCE)')
    photo.unlink()
    (var / "secret_key").unlink()

    refused = run("restore.sh", env, str(backup))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    restored = run("restore.sh", env, str(backup), "--yes")
    assert restored.returncode == 0, restored.stderr

    assert sql(database, "SELECT count(*), sum(ST_X(point)) FROM client") == before
    assert contents(var / "media") == files_before
    assert (var / "secret_key").read_text() == "chave-secreta-do-provedor"


def test_a_damaged_backup_is_refused_before_anything_is_touched(drill, tmp_path):
    database, var, env = drill
    sql(database, "CREATE TABLE kept (id int)", "INSERT INTO kept VALUES (1)")
    backup = tmp_path / "backup"
    assert run("backup.sh", env, str(backup)).returncode == 0
    sql(database, "INSERT INTO kept VALUES (2)")  # written after the backup
    with (backup / "database.dump").open("ab") as dump:
        dump.write(b"bit rot")
    refused = run("restore.sh", env, str(backup), "--yes")
    assert refused.returncode != 0 and "FAILED" in refused.stdout + refused.stderr
    assert sql(database, "SELECT count(*) FROM kept") == [(2,)]  # the database was left alone


def test_malhas_whole_schema_survives_a_backup_and_restore(db, drill, tmp_path):
    """Every table, index, function and trigger the migrations make restores into an empty
    database (pg_restore runs with an empty search_path: a function an index uses must name
    its schema's functions)."""
    database, var, env = drill
    tested = settings.DATABASES["default"]["NAME"]
    backup = tmp_path / "backup"
    made = run("backup.sh", {**env, "DATABASE_URL": server_url(tested)}, str(backup))
    assert made.returncode == 0, made.stderr
    restored = run("restore.sh", env, str(backup), "--yes")
    assert restored.returncode == 0, restored.stderr
    catalogue = ("SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'), "
                 "(SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'), "
                 "(SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal), "
                 "(SELECT count(*) FROM django_migrations)")
    assert sql(database, catalogue) == sql(tested, catalogue)

    # The test database's tables are empty, so the restore built no index by evaluating its
    # functions; evaluate each function an index uses as pg_restore would, with no search path.
    functions = sql(database, INDEX_FUNCTIONS)
    assert {name for name, _argument in functions} >= {
        "geo_selection_cell", "malha_normalize", "malha_house_number"}
    for name, argument in functions:
        # Raises (function st_x(public.geometry) does not exist…) where a name is unqualified.
        sql(database, "SET search_path = ''", f"SELECT public.{name}({SAMPLES[argument]})")
