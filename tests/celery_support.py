"""Pointing the test process's Celery app at a test broker.

Celery pools its broker connections (and caches its result backend) for the URL they were
made for: changing `broker_url` alone leaves sends, pings and results on the previous
broker. Each test's worker fixture uses its own Redis database, so every switch goes
through here.
"""


def point_celery_at(app, broker, result_backend=None):
    """Send to and read results from `broker`; returns what to pass back to restore."""
    previous = (app.conf.broker_url, app.conf.result_backend)
    app.conf.broker_url = broker
    app.conf.result_backend = result_backend or broker
    app._after_fork()  # forgets the connection and producer pools of the previous broker
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    return previous


def route_celery_tasks(app, routes):
    """Use `routes` as task_routes from now on; returns the previous ones to restore."""
    previous = app.conf.task_routes
    app.conf.task_routes = routes
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)  # a cached Router holds the previous table
    return previous
