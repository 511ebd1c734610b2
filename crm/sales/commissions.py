"""Commissions: which rule pays a sale, and how much.

A won sale pays up to two people: its seller (role `seller`) and the seller's team
leader (role `team_leader`), each by the one rule that fits best. A rule fits a sale when
it is valid on the day the sale was won and each criterion it sets (person, plan, team,
channel) equals the sale's; an empty criterion matches anything.

Most specific wins, in this order of importance: a rule for the very person beats any
rule without one; then a rule for the plan; then for the team; then for the channel.
Between rules equally specific, the most recent `valid_from` wins, then the newest rule.

Money: a percentage applies to the sale's monthly value (the contract's plan price less
its monthly discount, i.e. the first full invoice) and is rounded to centavos half up
(billing.money.to_cents); a fixed amount is paid as it is. No rule, no commission.
"""

from django.db.models import Q

from billing.money import HUNDRED, to_cents
from crm.sales.choices import CommissionKind, CommissionRole
from crm.sales.models import Commission, CommissionRule


def _specificity(rule):
    return (
        rule.rep_id is not None,
        rule.plan_id is not None,
        rule.team_id is not None,
        rule.channel_id is not None,
        rule.valid_from,
        rule.pk,
    )


def matching_rules(role, beneficiary, sale):
    return CommissionRule.objects.filter(
        Q(role=role),
        Q(valid_from__lte=sale.won_on),
        Q(valid_until__isnull=True) | Q(valid_until__gte=sale.won_on),
        Q(rep__isnull=True) | Q(rep=beneficiary),
        Q(plan__isnull=True) | Q(plan_id=sale.plan_id),
        Q(team__isnull=True) | Q(team_id=sale.team_id),
        Q(channel__isnull=True) | Q(channel_id=sale.channel_id),
    )


def rule_for(role, beneficiary, sale):
    """The rule that pays `beneficiary` in `role` for `sale`, or None."""
    return max(matching_rules(role, beneficiary, sale), key=_specificity, default=None)


def commission_amount(rule, monthly_value):
    if rule.kind == CommissionKind.PERCENT:
        return to_cents(monthly_value * rule.percent / HUNDRED)
    return rule.amount


def beneficiaries(sale):
    """(role, user) pairs a sale may pay: its rep, and the rep's team leader when that is
    someone else."""
    pairs = [(CommissionRole.SELLER, sale.rep)]
    leader = sale.team.leader if sale.team else None
    if leader is not None and leader.pk != sale.rep_id:
        pairs.append((CommissionRole.TEAM_LEADER, leader))
    return pairs


def record_commissions(sale):
    """Write the Commission rows of a newly won sale (called inside the conversion)."""
    commissions = []
    for role, user in beneficiaries(sale):
        rule = rule_for(role, user, sale)
        if rule is not None:
            commissions.append(
                Commission.objects.create(
                    sale=sale,
                    beneficiary=user,
                    role=role,
                    rule=rule,
                    amount=commission_amount(rule, sale.monthly_value),
                )
            )
    return commissions
