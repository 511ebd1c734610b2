"""Celery wrappers around gis services (`celery -A config worker` runs them)."""
import dataclasses

from celery import shared_task

from .osm_import import import_osm


@shared_task
def import_osm_task(path):
    """Import an OSM extract in a worker. Safe to retry: an import replaces the previous one."""
    return dataclasses.asdict(import_osm(path))
