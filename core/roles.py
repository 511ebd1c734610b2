"""The five roles of an ISP team, as Django groups with model permissions.

`ROLE_PERMISSIONS` is the single place that says who may do what; groups are
brought in line with it after every migrate, so a deployment never drifts.
Object-level rules (a technician sees only their own orders) live in the
selectors of each app.
"""
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    ADMIN = "admin", _("Administrator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    TECHNICIAN = "technician", _("Technician")
    SALES = "sales", _("Sales rep")
    BILLING = "billing", _("Billing clerk")


ALL_ACTIONS = ("view", "add", "change", "delete")
READ = ("view",)
WRITE = ("view", "add", "change")

# role -> {"app_label.model": actions}; "app_label.*" covers every model of the app. The labels
# crm (people), messaging and sales are the three apps of the crm package.
ROLE_PERMISSIONS = {
    Role.ADMIN: {
        "crm.*": ALL_ACTIONS,
        "messaging.*": ALL_ACTIONS,
        "sales.*": ALL_ACTIONS,
        "billing.*": ALL_ACTIONS,
        "fieldops.*": ALL_ACTIONS,
        "geo.*": ALL_ACTIONS,
        "routing.*": ALL_ACTIONS,
        "auth.user": ALL_ACTIONS,
        "auth.group": READ,
    },
    Role.DISPATCHER: {
        "crm.*": READ,
        "messaging.*": READ,
        "sales.*": READ,
        # Dispatchers warn the clients inside a polygon (outage, maintenance).
        "messaging.campaign": WRITE,
        "messaging.optout": WRITE,
        "billing.plan": READ,
        "billing.contract": READ,
        "fieldops.*": ALL_ACTIONS,
        "geo.*": READ,
        "routing.*": ALL_ACTIONS,
    },
    Role.TECHNICIAN: {
        # They change their orders only through the field actions (status, checklist, photos...).
        "fieldops.serviceorder": READ,
        "fieldops.skill": READ,
        "fieldops.technician": READ,
        # The catalogue they pick materials used from.
        "fieldops.material": READ,
        "crm.person": READ,
        "crm.address": READ,
        "geo.ctobox": READ,
        "geo.cable": READ,
        # Their own route of an accepted plan (routing.selectors.plans_visible_to).
        "routing.routeplan": READ,
    },
    Role.SALES: {
        "crm.*": WRITE,
        "messaging.*": WRITE,
        "sales.*": WRITE,
        "billing.plan": READ,
        "billing.contract": WRITE,
        "geo.*": READ,
        "fieldops.serviceorder": ("view", "add"),
        # Installation orders they open name the skills the job requires.
        "fieldops.skill": READ,
    },
    Role.BILLING: {
        "billing.*": ALL_ACTIONS,
        "crm.*": WRITE,
        "messaging.*": WRITE,
        "sales.*": WRITE,
        "fieldops.serviceorder": READ,
        "geo.coveragearea": READ,
    },
}


def permissions_for(role):
    """The Permission queryset a role's group should hold."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    query = Q(pk__in=[])
    for target, actions in ROLE_PERMISSIONS[role].items():
        app_label, model = target.split(".")
        codenames = Q()
        for action in actions:
            codenames |= Q(codename__startswith=f"{action}_")
        scope = Q(content_type__app_label=app_label)
        if model != "*":
            scope &= Q(content_type__model=model)
        query |= scope & codenames
    return Permission.objects.filter(query)


def sync_roles():
    """Create the role groups and set their permissions exactly as ROLE_PERMISSIONS says."""
    from django.contrib.auth.models import Group

    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(permissions_for(role))


def sync_roles_after_migrate(**kwargs):
    sync_roles()


def user_has_role(user, role):
    return user.is_authenticated and (
        user.is_superuser or user.groups.filter(name=Role(role).value).exists()
    )
