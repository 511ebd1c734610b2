"""Celery wrappers around gis services (`celery -A config worker` runs them)."""
import dataclasses

from celery import shared_task

from . import tiles
from .osm_import import import_osm


@shared_task
def import_osm_task(path):
    """Import an OSM extract in a worker. Safe to retry: an import replaces the previous one."""
    return dataclasses.asdict(import_osm(path))


@shared_task
def refresh_tile_cells_task():
    """Rebuild the low-zoom map cells when contracts changed (beat runs it every 30 s)."""
    return bool(tiles.refresh_tile_cells_if_stale(max_stale_s=0))
