from celery import shared_task

from . import services


@shared_task(acks_late=True)
def solve_plan_task(plan_id):
    """Solve a queued plan; a redelivered task finds it solved and does nothing."""
    services.solve_plan(plan_id)
