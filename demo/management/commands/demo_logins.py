from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from demo.selectors import demo_logins


class Command(BaseCommand):
    help = _("Print the demo users, their roles and the demo password.")

    def handle(self, *args, **options):
        rows = demo_logins()
        if not rows:
            self.stdout.write(_("  Demo logins: not loaded (manage.py load_demo creates them)."))
            return
        self.stdout.write(_("  Demo logins (password for all: %(password)s)")
                          % {"password": settings.MALHA_DEMO_PASSWORD})
        width = max(len(username) for username, _role in rows)
        for username, role in rows:
            self.stdout.write(f"    {username.ljust(width)}  {role}")
