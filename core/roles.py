"""The roles of an ISP team, as Django groups with model permissions.

`ROLE_MATRIX` is the single place that says who may do what (role × resource × action, with
the object scope each app's selectors enforce): groups are brought in line with it after every
migrate, docs/roles.md is generated from it (`roles_markdown`) and tests/api/test_roles.py
checks every API endpoint against it, so neither a deployment nor the docs can drift.
"""
from typing import NamedTuple

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    ADMIN = "admin", _("Administrator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    TECHNICIAN = "technician", _("Technician")
    SALES = "sales", _("Sales rep")
    BILLING = "billing", _("Billing clerk")
    # A capability rather than a job: granted with dispatcher or admin by default, and
    # assignable to anyone else (a sales rep who runs the newsletter) as a second group.
    MESSAGING = "messaging", _("Messaging manager")


# Roles that add a capability to a user's job without changing what of the team's work they see.
CAPABILITY_ROLES = (Role.MESSAGING,)

ALL_ACTIONS = ("view", "add", "change", "delete")
READ = ("view",)
WRITE = ("view", "add", "change")
ADD = ("add",)


class Grant(NamedTuple):
    """The actions a role has on a resource and, where a selector narrows it, which rows."""

    actions: tuple
    scope: str = "all"


# Campaigns, their deliveries, every client's message log and the opt-out list: mass messages
# go out in the ISP's name, so only those who manage messaging send them or read the logs.
MESSAGING_MANAGEMENT = {
    "messaging.*": Grant(READ),
    "messaging.campaign": Grant(WRITE),
    "messaging.optout": Grant(WRITE),
}
# Whoever talks to a client records their "stop sending me this" (LGPD) without reading the list.
OPT_OUT_RECORDING = {"messaging.optout": Grant(ADD, "records a client's request; cannot list")}

# role -> {"app_label.model": Grant}; "app_label.*" covers every model of the app, a model's own
# entry overrides it. The labels crm (people), messaging and sales are the crm package's apps.
ROLE_MATRIX = {
    Role.ADMIN: {
        "crm.*": Grant(ALL_ACTIONS),
        "messaging.*": Grant(ALL_ACTIONS),
        "sales.*": Grant(ALL_ACTIONS),
        "billing.*": Grant(ALL_ACTIONS),
        "fieldops.*": Grant(ALL_ACTIONS),
        "geo.*": Grant(ALL_ACTIONS),
        "routing.*": Grant(ALL_ACTIONS),
        "auth.user": Grant(ALL_ACTIONS),
        "auth.group": Grant(READ),
    },
    Role.DISPATCHER: {
        "crm.*": Grant(READ),
        "sales.*": Grant(READ),
        # Dispatchers warn the clients inside a polygon (outage, maintenance).
        **MESSAGING_MANAGEMENT,
        "billing.plan": Grant(READ),
        "billing.contract": Grant(READ),
        "fieldops.*": Grant(ALL_ACTIONS),
        "geo.*": Grant(READ),
        "routing.*": Grant(ALL_ACTIONS),
    },
    Role.TECHNICIAN: {
        # They change their orders only through the field actions (status, checklist, photos...).
        "fieldops.serviceorder": Grant(READ, "their orders, as their visibility settings allow"),
        "fieldops.skill": Grant(READ),
        "fieldops.technician": Grant(READ, "themselves"),
        # The catalogue they pick materials used from.
        "fieldops.material": Grant(READ),
        # People, addresses, the map's client search and client tiles (fieldops.clients_visible_to).
        "crm.person": Grant(READ, "the clients of their visible orders"),
        "crm.address": Grant(READ, "the addresses of those clients"),
        "geo.ctobox": Grant(READ),
        "geo.cable": Grant(READ),
        "routing.routeplan": Grant(READ, "their own route of an accepted plan"),
    },
    Role.SALES: {
        # Every person: a rep checks a CPF is not a client yet, upsells, converts leads.
        "crm.*": Grant(WRITE),
        "sales.*": Grant(WRITE, "their own and unowned leads, their proposals and sales"),
        **OPT_OUT_RECORDING,
        "billing.plan": Grant(READ),
        "billing.contract": Grant(WRITE),
        "geo.*": Grant(READ),
        "fieldops.serviceorder": Grant(("view", "add")),
        # Installation orders they open name the skills the job requires.
        "fieldops.skill": Grant(READ),
    },
    Role.BILLING: {
        "billing.*": Grant(ALL_ACTIONS),
        "crm.*": Grant(WRITE),
        "sales.*": Grant(WRITE),
        # A client's own messages are on their financial panel (billing.view_invoice).
        **OPT_OUT_RECORDING,
        "fieldops.serviceorder": Grant(READ),
        "geo.coveragearea": Grant(READ),
    },
    Role.MESSAGING: MESSAGING_MANAGEMENT,
}


def grant(role, label):
    """The Grant `role` has on "app_label.model": the model's own entry, else its app's, else none."""
    entries = ROLE_MATRIX[role]
    return entries.get(label) or entries.get(f"{label.split('.')[0]}.*") or Grant(())


def role_may(role, label, action):
    return action in grant(role, label).actions


def permissions_for(role):
    """The Permission queryset a role's group should hold."""
    from django.contrib.auth.models import Permission

    held = [
        permission.pk
        for permission in Permission.objects.select_related("content_type")
        if permission.codename.split("_", 1)[0] in grant(
            role, f"{permission.content_type.app_label}.{permission.content_type.model}"
        ).actions
    ]
    return Permission.objects.filter(pk__in=held)


def sync_roles():
    """Create the role groups and set their permissions exactly as ROLE_MATRIX says."""
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


def roles_markdown():
    """ROLE_MATRIX as the Markdown table of docs/roles.md (a test keeps the two equal)."""
    labels = sorted({label for entries in ROLE_MATRIX.values() for label in entries})
    lines = ["| resource | " + " | ".join(role.value for role in Role) + " |",
             "|---|" + "---|" * len(Role)]
    for label in labels:
        cells = []
        for role in Role:
            entry = ROLE_MATRIX[role].get(label)
            if entry is None:
                cells.append("")
                continue
            scope = "" if entry.scope == "all" else f" ({entry.scope})"
            cells.append(", ".join(entry.actions) + scope if entry.actions else "none")
        lines.append(f"| `{label}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
