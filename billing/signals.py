"""Where network provisioning (RADIUS, OLT) plugs into billing.

`contract_access_changed` is sent after the transaction that blocked or
unblocked contracts commits, with `contract_ids` and `blocked` (True when the
client's access must be cut). Connect a receiver in the integration's
AppConfig.ready(); billing never waits for the network.
"""

import django.dispatch
from django.db import transaction

contract_access_changed = django.dispatch.Signal()


def notify_access_changed(contract_ids, *, blocked):
    contract_ids = list(contract_ids)
    if not contract_ids:
        return
    from .models import Contract

    transaction.on_commit(
        lambda: contract_access_changed.send(sender=Contract, contract_ids=contract_ids, blocked=blocked)
    )
