import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bench.routing import solve_instance


class Command(BaseCommand):
    help = _("Solve VRPTW instances (LKH-3 format) with the route optimiser and print cost and vehicles.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help=_("instance files, e.g. ../shared/data/vrptw/C101.100.10.vrptw"))
        parser.add_argument("--seconds", type=float, default=10.0, help=_("time budget per instance"))
        parser.add_argument("--json", action="store_true", help=_("one JSON object per instance and line"))

    def handle(self, *args, **options):
        if options["seconds"] <= 0:
            raise CommandError(_("--seconds must be positive."))
        for path in options["files"]:
            try:
                result = solve_instance(path, options["seconds"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            if options["json"]:
                self.stdout.write(json.dumps(result))
            else:
                self.stdout.write(
                    _("%(instance)s: cost %(cost)s, %(vehicles)s vehicles, %(served)s served, "
                      "feasible %(feasible)s, %(seconds)s s") % result
                )
