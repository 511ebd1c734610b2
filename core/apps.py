from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting pieces every app shares: roles, API permissions, errors, pagination."""

    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from core.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self)
