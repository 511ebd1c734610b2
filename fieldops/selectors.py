"""Field-operations reads, including who may see which service orders."""

from django.db.models import Count
from django.db.models.functions import TruncDate

from core.roles import Role

from .models import ServiceOrder, Skill, Technician


def sees_only_own_work(user):
    """True for a user whose only role is technician: they see their own orders and profile.

    Anyone with another role (dispatcher, admin, sales, billing) sees the whole
    team's work, as far as their model permissions allow.
    """
    if user.is_superuser:
        return False
    roles = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    return roles == {Role.TECHNICIAN.value}


def skill_list():
    return Skill.objects.all()


def technicians_visible_to(user):
    technicians = Technician.objects.select_related("user").prefetch_related("skills")
    if not user.is_authenticated:
        return technicians.none()
    if sees_only_own_work(user):
        return technicians.filter(user=user)
    return technicians


def service_orders_visible_to(user):
    """Orders `user` may see: a technician only those assigned to them, others all of them."""
    orders = ServiceOrder.objects.select_related(
        "person", "contract", "assignee__user"
    ).prefetch_related("required_skills")
    if not user.is_authenticated:
        return orders.none()
    if sees_only_own_work(user):
        return orders.filter(assignee__user=user)
    return orders


def missing_skills(technician, skills):
    """The skills among `skills` that `technician` does not have."""
    held = set(technician.skills.values_list("pk", flat=True))
    return [skill for skill in skills if skill.pk not in held]


def order_counts_by_day_and_status(user, days):
    """{day: {status: count}} of the orders `user` may see whose window starts on `days`."""
    counts = {day: {} for day in days}
    rows = (
        service_orders_visible_to(user)
        .filter(window_start__date__in=days)
        .annotate(day=TruncDate("window_start"))
        .values_list("day", "status")
        .annotate(total=Count("id"))
        .order_by()
    )
    for day, status, total in rows:
        counts[day][status] = total
    return counts


def active_technician_count():
    return Technician.objects.filter(active=True).count()
