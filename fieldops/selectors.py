"""Field-operations reads, including who may see which service orders.

`service_orders_visible_to` is the single place for order visibility: the
API, the map tiles and the search box all go through it.
"""
import datetime

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.roles import CAPABILITY_ROLES, Role

from .checklists import checklist_for
from .choices import CLOSED_STATUSES, OrderScope, OrderStatus
from .models import (
    Attachment,
    Material,
    MaterialUsage,
    OrderEvent,
    PositionReport,
    Sector,
    ServiceOrder,
    Skill,
    Technician,
)

ORDER_MANAGER_ROLES = (Role.ADMIN.value, Role.DISPATCHER.value)


def user_roles(user):
    return set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))


def sees_only_own_work(user):
    """True for a user whose only role is technician: their visibility settings limit what they see.

    Anyone with another job (dispatcher, admin, sales, billing) sees the whole team's work, as
    far as their model permissions allow; a capability (messaging manager) does not widen it.
    """
    if user.is_superuser:
        return False
    return user_roles(user) - set(CAPABILITY_ROLES) == {Role.TECHNICIAN.value}


def manages_orders(user):
    """Admins and dispatchers: every order, every transition, on anyone's behalf."""
    return user.is_authenticated and (
        user.is_superuser or bool(user_roles(user) & set(ORDER_MANAGER_ROLES))
    )


def skill_list():
    return Skill.objects.all()


def material_list():
    return Material.objects.all()


def sector_list():
    return Sector.objects.prefetch_related("technicians")


def technician_of(user):
    """The technician profile of `user`, or None."""
    if not user.is_authenticated:
        return None
    return Technician.objects.filter(user=user).first()


def technicians_visible_to(user):
    technicians = Technician.objects.select_related("user").prefetch_related("skills")
    if not user.is_authenticated:
        return technicians.none()
    if sees_only_own_work(user):
        return technicians.filter(user=user)
    return technicians


def order_visibility_q(technician):
    """The orders a technician sees, as their profile says: own, their sectors' or all
    assigned orders, plus (when allowed) the unassigned ones in the same scope.

    An order belongs to a sector when it lies inside the sector's area or is
    assigned to one of its technicians. Unassigned orders have no technician, so
    for a sector they are the ones inside its area.
    """
    own = Q(assignee=technician)
    inside_own_sectors = Exists(
        Sector.objects.filter(technicians=technician, area__intersects=OuterRef("point"))
    )
    colleagues = Technician.objects.filter(sectors__technicians=technician).values("pk")
    scope = {
        OrderScope.OWN: own,
        OrderScope.SECTOR: own | Q(assignee__in=colleagues) | Q(inside_own_sectors),
        OrderScope.ALL: Q(),
    }[technician.order_scope]
    visible = Q(assignee__isnull=False) & scope
    if technician.sees_unassigned:
        unassigned_scope = Q(inside_own_sectors) if technician.order_scope == OrderScope.SECTOR else Q()
        visible |= Q(assignee__isnull=True) & unassigned_scope
    return visible


def service_orders_visible_to(user):
    """Orders `user` may see: a technician as their visibility settings allow, others all of them."""
    orders = ServiceOrder.objects.select_related(
        "person", "contract", "assignee__user"
    ).prefetch_related("required_skills")
    if not user.is_authenticated:
        return orders.none()
    if sees_only_own_work(user):
        technician = technician_of(user)
        if technician is None:
            return orders.none()
        return orders.filter(order_visibility_q(technician))
    return orders


def clients_visible_to(user, people):
    """`people` as `user` may find them on the map: a technician only their orders' clients."""
    if sees_only_own_work(user):
        return people.filter(pk__in=service_orders_visible_to(user).values("person_id"))
    return people


def may_work_on(user, order):
    """Field writes on an order: its own technician, or a dispatcher or admin."""
    if manages_orders(user):
        return True
    return order.assignee_id is not None and order.assignee.user_id == user.pk


def sla_deadline(order_type, priority, start):
    """When an order of this type and priority opened (or reopened) at `start` is due."""
    hours = settings.MALHA_ORDER_SLA_HOURS[order_type][int(priority) - 1]
    return start + datetime.timedelta(hours=hours)


def overdue_q(now=None):
    """Orders past their SLA deadline and still not done."""
    return Q(due_at__lt=now or timezone.now()) & ~Q(status__in=CLOSED_STATUSES)


def overdue_orders_visible_to(user, now=None):
    return service_orders_visible_to(user).filter(overdue_q(now)).order_by("due_at")


# What a field report may group its lines by, besides the technician.
REPORT_GROUPS = {"type": "order_type", "priority": "priority"}


def report_period(first_day, last_day):
    """The moments a period of whole local days runs between, [since, until)."""
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(first_day, datetime.time.min, zone)
    until = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min, zone)
    return since, until


def completed_orders_in(first_day, last_day):
    """Orders with a technician completed between the two days: what every field report counts."""
    since, until = report_period(first_day, last_day)
    return ServiceOrder.objects.filter(
        status=OrderStatus.COMPLETED, completed_at__gte=since, completed_at__lt=until,
        assignee__isnull=False,
    )


def technician_names(pks):
    return {pk: str(technician) for pk, technician in Technician.objects.select_related("user").in_bulk(pks).items()}


def report_line_key(line, by):
    """Sort key of a report line: technician name, then the group's own order."""
    return (line["name"].lower(), line[REPORT_GROUPS[by]] if by else 0)


def technician_sla_report(first_day, last_day, by=None, now=None):
    """Per technician (and per order type or priority with `by`), the SLA over the period:
    orders completed in it by their deadline (`on_time`) or after it (`late`), and orders
    still not done whose deadline passed in it (`open_overdue`).

    `sla_compliance` is the percentage of all of those done on time.
    """
    keys = ["assignee", *([REPORT_GROUPS[by]] if by else [])]
    since, until = report_period(first_day, last_day)
    completed = (
        completed_orders_in(first_day, last_day)
        .values(*keys)
        .annotate(completed=Count("id"), on_time=Count("id", filter=Q(completed_at__lte=F("due_at"))))
        .order_by()
    )
    overdue = (
        ServiceOrder.objects.filter(overdue_q(now), assignee__isnull=False, due_at__gte=since, due_at__lt=until)
        .values(*keys)
        .annotate(open_overdue=Count("id"))
        .order_by()
    )
    lines = {}
    for row in [*completed, *overdue]:
        line = lines.setdefault(
            tuple(row[key] for key in keys),
            {**{key: row[key] for key in keys}, "completed": 0, "on_time": 0, "open_overdue": 0},
        )
        for count in ("completed", "on_time", "open_overdue"):
            line[count] += row.get(count, 0)
    names = technician_names({line["assignee"] for line in lines.values()})
    report = []
    for line in lines.values():
        technician = line.pop("assignee")
        line.update(
            technician=technician, name=names[technician], late=line["completed"] - line["on_time"],
            sla_compliance=round(100 * line["on_time"] / (line["completed"] + line["open_overdue"]), 1),
        )
        report.append(line)
    return sorted(report, key=lambda line: report_line_key(line, by))


def order_events(order):
    """The audit trail, oldest first, with how far (m) a GPS-tagged event was from the order."""
    return (
        OrderEvent.objects.filter(order=order)
        .select_related("actor")
        .annotate(distance_m=Distance("point", order.point, spheroid=True))
    )


def checklist_state(order):
    """Every item an order of this type must tick: code, label, done, note, updated_at."""
    entries = {entry.code: entry for entry in order.checklist.all()}
    items = []
    for code, label in checklist_for(order.order_type):
        entry = entries.get(code)
        items.append({
            "code": code,
            "label": label,
            "done": bool(entry and entry.done),
            "note": entry.note if entry else "",
            "updated_at": entry.updated_at if entry else None,
        })
    return items


def unticked_checklist_labels(order):
    done = set(order.checklist.filter(done=True).values_list("code", flat=True))
    return [str(label) for code, label in checklist_for(order.order_type) if code not in done]


def material_usages(order):
    return MaterialUsage.objects.filter(order=order).select_related("material", "event__actor")


def attachments(order):
    return Attachment.objects.filter(order=order).select_related("event__actor")


def recent_positions(technician):
    return PositionReport.objects.filter(technician=technician)


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
