"""Sales in the demo city: the channels, vendedor's team, leads along the pipeline at real
homes near the plant, this month's goals and the commission rules.

Unlike the bulk phases, everything here goes through crm.sales.services (and the public
widget's create_public_lead for the site's leads), so each row obeys the rules the API
enforces: sixty leads with their viability checks and proposals take about two seconds,
half a second of it loading the street graph for the checks. Only the proposal's e-mail is
not sent: its sending is recorded as the worker records it. Channels, goals and commission
rules have no service of their own; they are validated with full_clean as the API does.
"""
import base64
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from billing.models import Plan
from core.roles import Role
from crm.people.choices import PersonType
from crm.sales.choices import CommissionKind, CommissionRole, LeadStage, LostReason
from crm.people.models import Person
from crm.sales.models import CommissionRule, Lead, Proposal, SalesChannel, SalesGoal, SalesTeam
from crm.sales import services as sales
from crm.sales.public import create_public_lead
from crm.sales.services import acceptance_url
from crm.sales.viability import check_viability

from .catalogue import (
    BUSINESS_PLAN_WEIGHTS, COMMISSION_RULES, COMPANY_KINDS, COMPANY_SUFFIXES, DEMO_USERS, FIRST_NAMES,
    GOAL_REP, GOAL_STORE, GOAL_TEAM, HOME_PLAN_WEIGHTS, LEAD_CHANNEL_WEIGHTS, LEAD_NOTES,
    LEAD_STAGE_COUNTS, LOST_REASONS, SALES_CHANNELS, SALES_TEAM, SURNAMES,
)
from .clients import HOME_OFFSET_M, AddressMaker
from .identity import PeopleFactory, slug
from .plant import COVERAGE_RADIUS_M, DROP_REACH_M

COMPANY_SHARE = 0.15
WEBSITE = 0  # index of the site in SALES_CHANNELS: its leads come through the public widget
NEXT_ACTION_DAYS = (-4, 6)  # from today: some overdue, most coming
WORK_HOURS = (9, 18)
PROPOSAL_DISCOUNT_SHARE = 0.4
PROPOSAL_DISCOUNT = Decimal("0.05")  # within the reps' MALHA_SALES_MAX_DISCOUNT_PERCENT
UNCOVERED_ATTEMPTS = 300
VIABLE_ATTEMPTS = 3
# Days the lead has been in the pipeline, by stage.
AGE_DAYS = {
    LeadStage.NEW: (0, 6), LeadStage.CONTACTED: (3, 15), LeadStage.PROPOSAL_SENT: (5, 20),
    LeadStage.LOST: (10, 40),
}


def create_sales(run, city, plant):
    """Channels, team, leads, goals and commission rules; returns the leads."""
    rng = run.rng("sales")
    with connection.cursor() as cursor:
        # The planner's statistics still see the bulk-loaded tables empty: every viability check
        # would count each nearby box's ports by scanning all the contracts.
        cursor.execute("ANALYZE billing_contract, geo_ctobox, crm_person")
    rep = get_user_model().objects.get(
        username=next(username for username, role, *_names in DEMO_USERS if role == Role.SALES)
    )
    channels = create_channels(rng)
    team = sales.save_team(SalesTeam(), name=SALES_TEAM, leader=rep, members=[rep])
    plans = list(Plan.objects.order_by("monthly_price", "pk"))
    leads = create_leads(run, rng, city, plant, rep, channels, plans)
    create_goals(run, rep, team, channels[1])
    create_commission_rules(run, plans)
    return leads


def create_channels(rng):
    channels = []
    for name, kind, origins in SALES_CHANNELS:
        # The key goes on public pages: derived from the seed so a reload keeps the widget's snippet.
        channel = SalesChannel(name=name, kind=kind, allowed_origins=list(origins),
                               public_key=base64.urlsafe_b64encode(rng.randbytes(18)).decode())
        channel.full_clean()
        channel.save()
        channels.append(channel)
    return channels


class LeadMaker:
    """Prospects living where the demo's clients live: beside a box (so viable) or, for leads
    lost for want of coverage, where no box reaches."""

    def __init__(self, rng, city, plant):
        self.rng = rng
        self.city = city
        self.plant = plant
        self.people = PeopleFactory(rng)
        # A prospect's phone is nobody else's: the clients' numbers are taken.
        self.people.phones.update(
            Person.objects.exclude(mobile_phone="").values_list("mobile_phone", flat=True)
        )
        self.addresses = AddressMaker(rng, city)

    def contact(self, companies=True):
        rng = self.rng
        if companies and rng.random() < COMPANY_SHARE:
            trade_name = f"{rng.choice(COMPANY_KINDS)} {rng.choice(SURNAMES)}"
            return {
                "person_type": PersonType.COMPANY, "trade_name": trade_name,
                "name": f"{trade_name} {rng.choice(COMPANY_SUFFIXES)}",
                "email": self.people.email(f"contato.{slug(trade_name)}"),
                "mobile_phone": self.people.mobile_phone(),
            }
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        return {
            "person_type": PersonType.NATURAL, "name": f"{first} {rng.choice(SURNAMES)} {last}",
            "email": self.people.email(f"{slug(first)}.{slug(last)}"),
            "mobile_phone": self.people.mobile_phone(),
        }

    def covered_site(self, with_free_port):
        """A home near a box (one with a free port, and nearer, for a prospect worth working on)."""
        spots = self.plant.spots_with_free_port() if with_free_port else []
        spot = self.rng.choice(spots or self.plant.spots)
        radius = DROP_REACH_M / 3 if with_free_port else DROP_REACH_M / 2
        while True:
            site = self.city.site_near(self.rng, spot.site.x, spot.site.y, radius,
                                       self.rng.uniform(*HOME_OFFSET_M))
            if site is not None:
                return site

    def uncovered_site(self):
        """(site, True) for a home on a street beyond every box's coverage; (a covered site,
        False) when the plant reaches every street tried."""
        for _attempt in range(UNCOVERED_ATTEMPTS):
            middle = self.rng.choice(self.city.streets).line.interpolate(0.5, normalized=True)
            site = self.city.site_near(self.rng, middle.x, middle.y, 50, self.rng.uniform(*HOME_OFFSET_M))
            if site is not None and not self.plant.index.within(site.x, site.y, COVERAGE_RADIUS_M + 50):
                return site, True
        return self.covered_site(with_free_port=False), False

    def place(self, site):
        """(point in WGS 84, address text) of a site."""
        point = site.point
        point.transform(4326)
        street = site.edge.name
        number = self.addresses.number(site)
        neighbourhood = self.city.neighbourhood(site.x, site.y)
        return point, f"{street}, {number} - {neighbourhood}, Porto Alegre/RS"


def lead_plans(rng):
    """The stages of the demo's leads, in a seeded order, each with its lost reason (or None)."""
    stages = [stage for stage, count in LEAD_STAGE_COUNTS.items() for _index in range(count)]
    rng.shuffle(stages)
    lost = iter(range(len(stages)))
    return [(stage, LOST_REASONS[next(lost) % len(LOST_REASONS)] if stage == LeadStage.LOST else None)
            for stage in stages]


def create_leads(run, rng, city, plant, rep, channels, plans):
    maker = LeadMaker(rng, city, plant)
    tz = timezone.get_default_timezone()
    now = timezone.now()
    leads = []
    for stage, lost in lead_plans(rng):
        channel = rng.choices(channels, LEAD_CHANNEL_WEIGHTS)[0]
        from_site = channel == channels[WEBSITE]
        contact = maker.contact(companies=not from_site)  # the widget asks a name, not a CNPJ
        weights = BUSINESS_PLAN_WEIGHTS if contact["person_type"] == PersonType.COMPANY else HOME_PLAN_WEIGHTS
        plan = rng.choices(plans, weights)[0]
        uncovered = lost is not None and lost[0] == LostReason.NO_COVERAGE
        worked = stage in (LeadStage.CONTACTED, LeadStage.PROPOSAL_SENT)
        # The site's visitors check their address before leaving a contact (the widget links the
        # check); the rep checks those they talk to, and any lead lost for want of coverage. A rep
        # works on a prospect the network reaches: an address that is not viable is tried again.
        for _attempt in range(VIABLE_ATTEMPTS if worked else 1):
            if uncovered:
                site, uncovered = maker.uncovered_site()
                if not uncovered:
                    lost = LOST_REASONS[0]
            else:
                site = maker.covered_site(with_free_port=worked)
            point, address = maker.place(site)
            check = None
            if from_site:
                check = check_viability(address=address, lon=point.x, lat=point.y, channel=channel).check
            elif uncovered or worked:
                check = check_viability(lon=point.x, lat=point.y, user=rep, channel=channel).check
            if check is None or check.viable:
                break
        notes = rng.choice(LEAD_NOTES[stage])
        next_action = None
        if stage != LeadStage.LOST:
            day = run.today + datetime.timedelta(days=rng.randint(*NEXT_ACTION_DAYS))
            next_action = datetime.datetime.combine(day, datetime.time(rng.randrange(*WORK_HOURS)), tz)
        if from_site:
            with translation.override(settings.LANGUAGE_CODE):  # the consent wording the site shows
                lead = create_public_lead(
                    channel=channel, name=contact["name"], email=contact["email"],
                    mobile_phone=contact["mobile_phone"], address=address, point=point, plan=plan,
                    consent=True,
                )
            # The widget takes no notes or next action: the rep's own plain fields, set with the
            # lead's age below (an edit through update_lead would cost its validation per lead).
        else:
            lead = sales.create_lead(
                **contact, owner=rep if stage != LeadStage.NEW or rng.random() < 0.6 else None,
                channel=channel, viability_check=check, point=point, address_text=address, plan=plan,
                notes=notes, next_action_at=next_action,
            )
        lead = advance(run, rng, lead, stage, lost, rep, plan)
        created = now - datetime.timedelta(days=rng.randint(*AGE_DAYS[stage]), hours=rng.randrange(8))
        Lead.objects.filter(pk=lead.pk).update(created_at=created, notes=notes, next_action_at=next_action)
        lead.created_at, lead.notes, lead.next_action_at = created, notes, next_action
        leads.append(lead)
    return leads


def advance(run, rng, lead, stage, lost, rep, plan):
    """Take the new lead to `stage` as the rep would: a move on the board, or a proposal sent."""
    if stage in (LeadStage.CONTACTED, LeadStage.LOST):
        reason, detail = lost or ("", "")
        return sales.move_lead(lead, stage=stage, lost_reason=reason, lost_detail=detail, user=rep)
    if stage == LeadStage.PROPOSAL_SENT:
        sent_days_ago = rng.randrange(settings.MALHA_SALES_PROPOSAL_VALID_DAYS // 2)
        price = plan.monthly_price
        if rng.random() < PROPOSAL_DISCOUNT_SHARE:
            price = (price * (1 - PROPOSAL_DISCOUNT)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        proposal = sales.create_proposal(
            lead=lead, user=rep, items=[{"plan": plan, "price": price}],
            valid_from=run.today - datetime.timedelta(days=sent_days_ago),
        )
        record_sent(proposal, sent_days_ago)
        lead.refresh_from_db()
    return lead


def record_sent(proposal, days_ago):
    """The proposal as if its e-mail went out `days_ago`: sent, the lead moved on and the e-mail in
    the prospect's message log (crm.sales.services records it; nothing is mailed to the demo's people)."""
    with translation.override(proposal.language):
        context = {"proposal": proposal, "person": proposal.lead.person,
                   "items": list(proposal.items.select_related("plan")),
                   "accept_url": acceptance_url(proposal)}
        email = EmailMessage(
            subject=render_to_string("sales/proposal_subject.txt", context).strip(),
            body=render_to_string("sales/proposal_email.txt", context), to=[proposal.email_to],
        )
    sales._record_sent(proposal, email)
    sent_at = timezone.now() - datetime.timedelta(days=days_ago)
    Proposal.objects.filter(pk=proposal.pk).update(sent_at=sent_at, created_at=sent_at)


def create_goals(run, rep, team, store):
    month = run.today.replace(day=1)
    for scope, (count, revenue) in (({"rep": rep}, GOAL_REP), ({"team": team}, GOAL_TEAM),
                                    ({"channel": store}, GOAL_STORE)):
        goal = SalesGoal(month=month, target_count=count, target_revenue=Decimal(revenue), **scope)
        goal.full_clean()
        goal.save()


def create_commission_rules(run, plans):
    by_name = {plan.name: plan for plan in plans}
    for name, percent, amount, plan in COMMISSION_RULES:
        rule = CommissionRule(
            name=name, role=CommissionRole.SELLER,
            kind=CommissionKind.PERCENT if percent else CommissionKind.FIXED,
            percent=Decimal(percent) if percent else None, amount=Decimal(amount) if amount else None,
            plan=by_name[plan] if plan else None, valid_from=run.today.replace(month=1, day=1),
        )
        rule.full_clean()
        rule.save()
