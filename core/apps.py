from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting pieces every app shares: roles, API permissions, errors, pagination."""

    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from core import lockout, tokens
        from core.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self)
        user_login_failed.connect(lockout.record_failure, dispatch_uid="malha-lockout")
        user_logged_in.connect(lockout.clear_failures, dispatch_uid="malha-lockout")
        user_logged_out.connect(tokens.revoke_on_logout, dispatch_uid="malha-tokens")
        tokens.connect()
