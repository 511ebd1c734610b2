from gis.models import RoadEdge
from gis.tasks import import_osm_task
from tests.gis.conftest import TINY_OSM


def test_a_real_worker_imports_an_extract_through_redis(celery_worker):
    result = import_osm_task.delay(str(TINY_OSM)).get(timeout=60)

    assert (result["nodes"], result["edges"], result["oneway_edges"]) == (8, 11, 5)
    # written by the worker process into the test database, seen from here
    assert RoadEdge.objects.count() == 11
