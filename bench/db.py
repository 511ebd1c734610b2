"""The throwaway database every `bench_*` command runs in, so a benchmark never touches the
working database, and the bulk loader they fill it with.

It is made with Django's test-database machinery (migrated, no fixtures); `keep` keeps it
after the run and reuses it on the next one, so a big synthetic load is paid once.
"""
import signal
import sys
from contextlib import contextmanager

from django.core.management.base import CommandError
from django.db import connection


@contextmanager
def throwaway_database(name, keep=False, log=None):
    """Point the default connection at a fresh (or, with `keep`, reused) database `name` for the
    duration of the block, then drop it (unless `keep`) and point back at the working database.

    SIGTERM becomes SystemExit inside the block so a stopped bench still drops its database
    (and runs its callers' own finally blocks, e.g. stopping workers they started).
    """
    settings_dict = connection.settings_dict
    working_name = settings_dict["NAME"]
    if name == working_name:
        raise CommandError("--database must not be the working database")
    saved_test = settings_dict.get("TEST", {})
    settings_dict["TEST"] = {**saved_test, "NAME": name}
    previous_sigterm = signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    try:
        if log:
            log(f"{'Opening' if keep else 'Creating'} the throwaway database {name}...")
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep, serialize=False)
        yield name
    finally:
        # Only once the connection points at `name`: destroy_test_db drops whatever it points at.
        if settings_dict["NAME"] == name:
            connection.creation.destroy_test_db(working_name, verbosity=0, keepdb=keep)
        settings_dict["TEST"] = saved_test
        signal.signal(signal.SIGTERM, previous_sigterm)


def insert_select(cursor, model, expressions, source_sql, params=()):
    """INSERT INTO model's table SELECT expressions FROM source; columns not given get their
    field default (or NULL), so columns added later by other apps do not break the load."""
    columns, values, defaults = [], [], []
    for model_field in model._meta.concrete_fields:
        columns.append(f'"{model_field.column}"')
        if model_field.column in expressions:
            values.append(expressions[model_field.column])
        elif model_field.null:
            values.append("NULL")
        else:
            values.append("%s")
            defaults.append(model_field.get_db_prep_save(model_field.get_default(), connection))
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {source_sql}",
        [*defaults, *params],
    )
