"""Reads about the demo city: is anything loaded, how much, and who can log in."""
from django.contrib.auth import get_user_model
from django.db.models import Count

from billing.models import BillingWallet, Contract, DunningRule, Plan
from core.roles import Role
from crm.sales.choices import LeadStage
from crm.people.models import Address, Person
from crm.sales.models import (
    CommissionRule,
    Lead,
    SalesChannel,
    SalesGoal,
    SalesTeam,
    ViabilityCheck,
)
from fieldops.models import ServiceOrder, Skill, Technician
from gis.models import AddressPoint, Cable, CoverageArea, CtoBox, Olt, Pop, RoadEdge, RoadNode

from .catalogue import DEMO_USERS, TECHNICIAN_USERNAME_REGEX

DEMO_MODELS = (RoadNode, RoadEdge, AddressPoint, Pop, Olt, CtoBox, Cable, CoverageArea, Plan,
               Person, Address, Contract, Skill, Technician, ServiceOrder, SalesChannel, SalesTeam,
               Lead, ViabilityCheck, SalesGoal, CommissionRule, BillingWallet, DunningRule)
# Business data a demo load would collide with (road data is simply replaced by the import).
BUSINESS_MODELS = (Person, Plan, Pop, Olt, CtoBox, Skill, Technician, ServiceOrder, SalesChannel,
                   SalesTeam, BillingWallet)


def database_has_business_data():
    return any(model.objects.exists() for model in BUSINESS_MODELS)


def demo_counts():
    """(label, rows) for every table the demo fills, users included."""
    return [(str(model._meta.verbose_name_plural), model.objects.count())
            for model in (*DEMO_MODELS, get_user_model())]


def lead_stage_counts():
    """(stage label, leads) for every stage, in pipeline order."""
    counts = dict(Lead.objects.values_list("stage").annotate(n=Count("id")).order_by())
    return [(str(stage.label), counts.get(stage.value, 0)) for stage in LeadStage]


def demo_logins():
    """(username, role label) of the demo users that exist, in role order; the
    technicians as one row from the first to the last, e.g. "tecnico01 … tecnico25"."""
    User = get_user_model()
    username_of = {role: username for username, role, *_names in DEMO_USERS}
    present = set(User.objects.filter(username__in=username_of.values())
                  .values_list("username", flat=True))
    technicians = sorted(
        User.objects.filter(username__regex=TECHNICIAN_USERNAME_REGEX).values_list("username", flat=True),
        key=lambda username: (len(username), username),
    )
    rows = []
    for role in Role:
        if role == Role.TECHNICIAN and technicians:
            first, last = technicians[0], technicians[-1]
            rows.append((first if first == last else f"{first} … {last}", role.label))
        elif username_of.get(role) in present:
            rows.append((username_of[role], role.label))
    return rows
