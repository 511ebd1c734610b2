"""The team: one demo user per role, technicians with skills and shifts, and the open
service orders of today and tomorrow."""
import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.choices import ContractStatus
from core.roles import Role, sync_roles
from fieldops.choices import OrderStatus, OrderType, Priority
from fieldops.models import ServiceOrder, Skill, Technician
from fieldops.selectors import sla_deadline
from fieldops.services import ORDER_NUMBER_PREFIX

from .catalogue import (
    DEMO_USERS, FIRST_NAMES, ORDER_PROFILES, SHIFTS, SKILLS, SURNAMES, TECHNICIAN_SKILL_SETS,
    TECHNICIAN_USERNAME, WINDOW_WEIGHTS, WINDOWS,
)
from .city import HEX_RADIUS_M

HOME_START_SHARE = 0.4  # technicians who leave from home instead of the POP
SCHEDULED_SHARE = 0.1  # today's orders the dispatcher has already placed
# Contracts each order type is opened for; when none is left, a repair is opened instead.
ORDER_POOLS = {
    OrderType.INSTALLATION: (ContractStatus.AWAITING_INSTALLATION,),
    OrderType.REMOVAL: (ContractStatus.CANCELLED,),
    OrderType.REPAIR: (ContractStatus.ACTIVE,),
    OrderType.MAINTENANCE: (ContractStatus.ACTIVE,),
    OrderType.VISIT: (ContractStatus.ACTIVE, ContractStatus.SUSPENDED),
}


def demo_usernames(technicians):
    return [username for username, *_rest in DEMO_USERS] + [
        TECHNICIAN_USERNAME.format(number) for number in range(1, technicians + 1)
    ]


def create_users(run):
    """One user per role and the technicians' users, all with the demo password.

    A user that already exists keeps its password and only joins its role group.
    Returns the technicians' users in order.
    """
    rng = run.rng("users")
    User = get_user_model()
    password = make_password(settings.MALHA_DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    people = list(DEMO_USERS) + [
        (TECHNICIAN_USERNAME.format(number), Role.TECHNICIAN, rng.choice(FIRST_NAMES), rng.choice(SURNAMES))
        for number in range(1, run.size.technicians + 1)
    ]
    existing = set(User.objects.filter(username__in=[p[0] for p in people]).values_list("username", flat=True))
    User.objects.bulk_create([
        User(username=username, first_name=first, last_name=last, password=password,
             email=f"{username}@malha.example.com", is_staff=role == Role.ADMIN,
             is_superuser=role == Role.ADMIN)
        for username, role, first, last in people if username not in existing
    ])
    sync_roles()
    groups = dict(Group.objects.values_list("name", "pk"))
    users = {user.username: user for user in User.objects.filter(username__in=[p[0] for p in people])}
    membership = User.groups.through
    membership.objects.bulk_create([
        membership(user_id=users[username].pk, group_id=groups[role.value])
        for username, role, _first, _last in people
    ], ignore_conflicts=True)
    return [users[username] for username, role, *_names in people if role == Role.TECHNICIAN]


def create_skills():
    skills = Skill.objects.bulk_create([Skill(code=code, name=name) for code, name in SKILLS])
    return {skill.code: skill for skill in skills}


def create_technicians(run, city, plant, users, skills):
    rng = run.rng("technicians")
    technicians = []
    for index, user in enumerate(users):
        start = plant.pop.point
        if rng.random() < HOME_START_SHARE:
            home = city.site_near(rng, *city.pick_hex(rng), HEX_RADIUS_M, 8.0)
            start = home.point if home else start
        shift_start, shift_end = SHIFTS[index % len(SHIFTS)]
        technicians.append(Technician(
            user=user, phone=f"+55519{rng.randrange(8 * 10**7, 10**8)}", shift_start=shift_start,
            shift_end=shift_end, start_point=start, end_point=start,
        ))
    Technician.objects.bulk_create(technicians)
    through = Technician.skills.through
    through.objects.bulk_create([
        through(technician_id=technician.pk, skill_id=skills[code].pk)
        for index, technician in enumerate(technicians)
        for code in TECHNICIAN_SKILL_SETS[index % len(TECHNICIAN_SKILL_SETS)]
    ])
    return technicians


def create_orders(run, contracts, skills, technicians):
    """Open orders for today and tomorrow, at most one per contract; a few already
    scheduled today on a technician who has the skills and is on shift."""
    rng = run.rng("orders")
    pools = {}
    for order_type, statuses in ORDER_POOLS.items():
        pools[order_type] = [contract for contract in contracts if contract.status in statuses]
        rng.shuffle(pools[order_type])
    used = set()
    types = list(ORDER_PROFILES)
    type_weights = [ORDER_PROFILES[order_type][0] for order_type in types]
    tz = timezone.get_default_timezone()
    skill_codes = {technician.pk: set(TECHNICIAN_SKILL_SETS[index % len(TECHNICIAN_SKILL_SETS)])
                   for index, technician in enumerate(technicians)}
    orders, required = [], []
    opened = timezone.now()
    for _index in range(run.size.orders):
        order_type = rng.choices(types, type_weights)[0]
        contract = next_contract(pools[order_type], used)
        if contract is None:
            order_type, contract = OrderType.REPAIR, next_contract(pools[OrderType.REPAIR], used)
        if contract is None:
            break  # fewer contracts than orders asked for
        _share, minutes, codes, priority_weights, descriptions = ORDER_PROFILES[order_type]
        day = run.today + datetime.timedelta(days=rng.randrange(2))
        start_hour, end_hour = rng.choices(WINDOWS, WINDOW_WEIGHTS)[0]
        priority = rng.choices(list(Priority), priority_weights)[0]
        order = ServiceOrder(
            number=f"{ORDER_NUMBER_PREFIX}{len(orders) + 1:06d}", order_type=order_type,
            status=OrderStatus.OPEN, priority=priority, due_at=sla_deadline(order_type, priority, opened),
            person=contract.person, contract=contract, point=contract.point,
            address_text=str(contract.installation_address),
            description=rng.choice(descriptions).format(
                plan=contract.plan.name, box=contract.cto_box.code if contract.cto_box else "do cliente"
            ),
            window_start=datetime.datetime.combine(day, datetime.time(start_hour), tz),
            window_end=datetime.datetime.combine(day, datetime.time(end_hour), tz),
            estimated_minutes=minutes,
        )
        if day == run.today and rng.random() < SCHEDULED_SHARE:
            schedule(rng, order, [t for t in technicians if set(codes) <= skill_codes[t.pk]])
        orders.append(order)
        required.append(codes)
    run.save(ServiceOrder, orders, _("Saving service orders"))
    through = ServiceOrder.required_skills.through
    through.objects.bulk_create([
        through(serviceorder_id=order.pk, skill_id=skills[code].pk)
        for order, codes in zip(orders, required) for code in codes
    ])
    return orders


def next_contract(pool, used):
    while pool:
        contract = pool.pop()
        if contract.pk not in used:
            used.add(contract.pk)
            return contract
    return None


def schedule(rng, order, able):
    """Put the order on a technician whose shift covers the job inside its window."""
    local_start = timezone.localtime(order.window_start)
    job = datetime.timedelta(minutes=order.estimated_minutes)
    on_shift = [
        technician for technician in able
        if technician.shift_start <= local_start.time()
        and (local_start + job).time() <= technician.shift_end
    ]
    if not on_shift:
        return
    order.assignee = rng.choice(on_shift)
    order.status = OrderStatus.SCHEDULED
    order.scheduled_start = order.window_start
