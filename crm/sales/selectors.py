"""Sales reads: who sees which leads, proposals, sales; goal progress, trends and rankings.

Visibility: a user whose roles include sales rep but not administrator sees the leads
they own and the unowned ones (new web leads anyone may pick up), and the proposals,
sales, goals and commissions that are theirs. Administrators, and the other roles as
far as their model permissions go, see everything.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from billing.money import month_bounds
from core.roles import Role, user_has_role
from crm.sales.choices import LeadStage
from crm.sales.models import (
    Commission,
    CommissionRule,
    Lead,
    Proposal,
    Sale,
    SalesChannel,
    SalesGoal,
    SalesTeam,
)


def manages_sales(user):
    """Administrators set goals, teams and commission rules and see every rep's numbers."""
    return user_has_role(user, Role.ADMIN)


def sees_only_own_leads(user):
    return not manages_sales(user) and user_has_role(user, Role.SALES)


def lead_list():
    return Lead.objects.select_related("person", "owner", "channel", "plan", "viability_check__box")


def leads_visible_to(user):
    leads = lead_list()
    if sees_only_own_leads(user):
        leads = leads.filter(Q(owner=user) | Q(owner__isnull=True))
    return leads


def stage_counts(leads):
    """{stage: number of leads} over every stage, zeros included."""
    counts = dict(leads.order_by().values_list("stage").annotate(total=Count("id")))
    return {stage: counts.get(stage, 0) for stage in LeadStage.values}


def proposals_visible_to(user):
    proposals = Proposal.objects.select_related("lead", "lead__person", "rep").prefetch_related(
        "items", "items__plan", "attachments"
    )
    if sees_only_own_leads(user):
        proposals = proposals.filter(Q(rep=user) | Q(lead__owner=user))
    return proposals


def proposal_for_sending(pk, **match):
    return Proposal.objects.select_related("lead", "lead__person", "rep").get(pk=pk, **match)


def sales_visible_to(user):
    sales = Sale.objects.select_related(
        "rep", "team", "channel", "plan", "contract__cto_box", "service_order"
    )
    if sees_only_own_leads(user):
        sales = sales.filter(rep=user)
    return sales


def commissions_visible_to(user):
    commissions = Commission.objects.select_related(
        "sale", "sale__contract", "sale__plan", "beneficiary", "rule"
    )
    if sees_only_own_leads(user):
        commissions = commissions.filter(beneficiary=user)
    return commissions


def commissions_in_month(user, month, beneficiary_id=None):
    """The commissions of the sales won in `month` that `user` sees, optionally one person's."""
    first, last = month_bounds(month)
    commissions = commissions_visible_to(user).filter(sale__won_on__range=(first, last))
    if beneficiary_id is not None:
        commissions = commissions.filter(beneficiary_id=beneficiary_id)
    return commissions


def goals_visible_to(user):
    goals = SalesGoal.objects.select_related("rep", "team", "channel")
    if sees_only_own_leads(user):
        goals = goals.filter(Q(rep=user) | Q(team__memberships__user=user))
    return goals


def team_list():
    return SalesTeam.objects.select_related("leader").prefetch_related("members")


def team_of(user):
    return SalesTeam.objects.filter(memberships__user=user).first()


def commission_rule_list():
    return CommissionRule.objects.select_related("rep", "plan", "team", "channel")


# --- Month arithmetic: progress and trend ---------------------------------------------------


def business_days(first, last):
    """Monday-to-Friday days from `first` to `last`, both included (holidays are not modelled)."""
    if last < first:
        return 0
    days = (last - first).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(rest):
        if (first + datetime.timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


@dataclass(frozen=True)
class Trend:
    """Business days of the month, those elapsed by `today` (today included), and the factor
    that turns what is done so far into the month-end projection."""

    total_days: int
    elapsed_days: int

    def project(self, done):
        """Linear trend: done / elapsed business days × business days in the month.

        Before the month's first business day nothing can be projected, so the projection
        is what is done; a finished month projects exactly what was done.
        """
        if self.elapsed_days == 0 or self.elapsed_days >= self.total_days:
            return done
        return done * Decimal(self.total_days) / Decimal(self.elapsed_days)


def month_trend(month, today=None):
    today = today or timezone.localdate()
    first, last = month_bounds(month)
    return Trend(
        total_days=business_days(first, last),
        elapsed_days=business_days(first, min(today, last)),
    )


def _sales_in_month(month):
    first, last = month_bounds(month)
    return Sale.objects.filter(won_on__range=(first, last))


def _totals(sales):
    totals = sales.aggregate(count=Count("id"), revenue=Sum("monthly_value"))
    return totals["count"], totals["revenue"] or Decimal("0.00")


def goal_sales(goal):
    sales = _sales_in_month(goal.month)
    if goal.rep_id:
        return sales.filter(rep_id=goal.rep_id)
    if goal.team_id:
        return sales.filter(team_id=goal.team_id)
    return sales.filter(channel_id=goal.channel_id)


def goal_progress(goal, today=None):
    """Done, projected to month end and the share of the target, for sales count and revenue."""
    trend = month_trend(goal.month, today)
    count, revenue = _totals(goal_sales(goal))
    projected_count = trend.project(Decimal(count))
    projected_revenue = trend.project(revenue)
    return {
        "goal": goal,
        "business_days": trend.total_days,
        "elapsed_business_days": trend.elapsed_days,
        "count": count,
        "revenue": revenue,
        "projected_count": projected_count.quantize(Decimal("0.1")),
        "projected_revenue": projected_revenue.quantize(Decimal("0.01")),
        "count_percent": _percent(count, goal.target_count),
        "revenue_percent": _percent(revenue, goal.target_revenue),
        "projected_count_percent": _percent(projected_count, goal.target_count),
        "projected_revenue_percent": _percent(projected_revenue, goal.target_revenue),
    }


def _percent(done, target):
    if not target:
        return None
    return (Decimal(done) * 100 / Decimal(target)).quantize(Decimal("0.1"))


def progress_for(user, month, today=None):
    return [goal_progress(goal, today) for goal in goals_visible_to(user).filter(month=month)]


def rep_ranking(month):
    """Reps by revenue then sales count in the month (ties share no order beyond the name)."""
    rows = (
        _sales_in_month(month)
        .values("rep", "rep__username", "rep__first_name", "rep__last_name")
        .annotate(count=Count("id"), revenue=Sum("monthly_value"))
        .order_by("-revenue", "-count", "rep__username")
    )
    return [
        {
            "position": position,
            "id": row["rep"],
            "name": f"{row['rep__first_name']} {row['rep__last_name']}".strip()
            or row["rep__username"],
            "count": row["count"],
            "revenue": row["revenue"],
        }
        for position, row in enumerate(rows, start=1)
    ]


def channel_ranking(month):
    """Channels (stores included) by revenue then sales count; sales without a channel are
    left out."""
    rows = (
        _sales_in_month(month)
        .filter(channel__isnull=False)
        .values("channel", "channel__name")
        .annotate(count=Count("id"), revenue=Sum("monthly_value"))
        .order_by("-revenue", "-count", "channel__name")
    )
    return [
        {
            "position": position,
            "id": row["channel"],
            "name": row["channel__name"],
            "count": row["count"],
            "revenue": row["revenue"],
        }
        for position, row in enumerate(rows, start=1)
    ]


def channel_list():
    return SalesChannel.objects.all()
