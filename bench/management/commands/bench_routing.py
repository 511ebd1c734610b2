import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bench.routing import PYVRP_MISSING, city_scenario, solve_instance, solve_instance_with_pyvrp


def pyvrp_installed():
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        return False
    return True


class Command(BaseCommand):
    help = _("Benchmark the route optimiser: Solomon instances against PyVRP, and the demo city's day.")

    def add_arguments(self, parser):
        parser.add_argument("--instances", default=str(settings.MALHA_SHARED_DATA / "vrptw"),
                            help=_("folder of .vrptw instances"))
        parser.add_argument("--seconds", type=float, default=10.0, help=_("budget per instance and solver"))
        parser.add_argument("--city-seconds", type=float, default=30.0, help=_("budget of the city day"))
        parser.add_argument("--skip-city", action="store_true", help=_("only the Solomon instances"))
        parser.add_argument("--json", action="store_true", help=_("print the result as JSON"))

    def handle(self, *args, **options):
        if not pyvrp_installed():
            raise CommandError(str(PYVRP_MISSING))
        files = sorted(Path(options["instances"]).glob("*.vrptw"))
        if not files:
            raise CommandError(_("No .vrptw files in %(folder)s.") % {"folder": options["instances"]})
        rows = []
        for path in files:
            ours = solve_instance(path, options["seconds"])
            theirs = solve_instance_with_pyvrp(path, options["seconds"])
            ours.update({f"pyvrp_{key}": value for key, value in theirs.items()})
            ours["ratio"] = round(ours["cost"] / theirs["cost"], 4)
            rows.append(ours)
            self.stderr.write(json.dumps(ours))
        both = [row for row in rows if row["feasible"] and row["pyvrp_feasible"]]
        result = {
            "solomon": rows,
            "solomon_all_feasible": all(row["feasible"] for row in rows),
            "solomon_total_cost": sum(row["cost"] for row in rows),
            "pyvrp_total_cost": sum(row["pyvrp_cost"] for row in rows),
            "total_ratio_where_both_feasible": round(
                sum(row["cost"] for row in both) / max(sum(row["pyvrp_cost"] for row in both), 1), 4
            ),
        }
        if not options["skip_city"]:
            result["city"] = city_scenario(seconds=options["city_seconds"])
        self.stdout.write(json.dumps(result, indent=None if options["json"] else 2))
