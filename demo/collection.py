"""Collection in the demo city: the ISP's bank wallet and its dunning rules (régua de cobrança).

The wallet is not the default one on purpose: the demo's contracts have no wallet of their
own, so the monthly invoice run (the beat's, on the 1st) keeps refusing to bill twenty
thousand demo clients, and no reminder or suspension follows from it. A person who wants
to try billing marks it default (or gives contracts this wallet) first.

The rules are made by billing.dunning.create_rule, which checks their placeholders and that
the SMS fits. They stay active: without invoices they send nothing, and once there are some a
channel with no provider configured records its reminders as failed, with the reason.
"""
from billing import dunning
from billing.models import BillingWallet

from .catalogue import DEMO_WALLET, DUNNING_RULES


def create_collection():
    """The wallet and its rules; returns the wallet."""
    wallet = BillingWallet(**DEMO_WALLET, is_default=False)
    wallet.full_clean()
    wallet.save()
    for name, days, channels, subject, body in DUNNING_RULES:
        dunning.create_rule(wallet=wallet, name=name, days=days, channels=list(channels),
                            subject=subject, body=body)
    return wallet
