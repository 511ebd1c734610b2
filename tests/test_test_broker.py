"""The tests' Celery messages never reach the development broker that `make run`'s worker reads."""
import redis
from django.conf import settings

from config.celery import app as celery_app
from gis.tasks import refresh_tile_cells_task
from tests.conftest import broker_url_for_tests


def queued(url):
    return redis.Redis.from_url(url).llen("celery")


def test_a_task_sent_by_a_test_lands_in_the_test_broker_not_in_make_runs():
    development, test = settings.REDIS_URL, broker_url_for_tests()
    assert celery_app.conf.broker_url == test != development
    before = queued(development), queued(test)
    refresh_tile_cells_task.delay()
    assert queued(test) == before[1] + 1
    assert queued(development) <= before[0]  # a running dev worker may only take from it
