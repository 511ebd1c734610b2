from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from demo.context import DemoSize
from demo.selectors import database_has_business_data
from demo.services import DEFAULT_SEED, load_demo_city


class Command(BaseCommand):
    help = _("Build the demo city (Porto Alegre by default) on the streets of an OSM extract: "
             "fibre plant, clients, contracts, technicians, service orders and one user per role.")

    def add_arguments(self, parser):
        defaults = DemoSize()
        parser.add_argument("--osm", type=Path,
                            help=_("OSM extract (.osm.pbf); default: the MALHA_DEMO_OSM setting"))
        parser.add_argument("--population", type=Path,
                            help=_("population grid CSV (id,lon,lat,population,...); "
                                   "default: the MALHA_DEMO_POPULATION setting"))
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=_("the same seed builds the same city"))
        parser.add_argument("--clients", type=int, default=defaults.clients)
        parser.add_argument("--boxes", type=int, default=defaults.boxes,
                            help=_("CTO boxes; default: enough for the clients with ports to spare"))
        parser.add_argument("--orders", type=int, default=defaults.orders)
        parser.add_argument("--technicians", type=int, default=defaults.technicians)
        parser.add_argument("--if-empty", action="store_true",
                            help=_("do nothing when the database already has data"))
        parser.add_argument("--replace", action="store_true",
                            help=_("delete the current demo data and load it again"))
        parser.add_argument("--no-progress", action="store_true", help=_("no progress bars"))

    def handle(self, *args, **options):
        if database_has_business_data():
            if options["if_empty"]:
                self.stdout.write(_("The demo city is already loaded: nothing to do."))
                return
            if not options["replace"]:
                raise CommandError(_(
                    "The database already has data. Run load_demo with --replace to delete the demo "
                    "data and load it again, or with --if-empty to keep it."
                ))
        osm = options["osm"] or settings.MALHA_DEMO_OSM
        if not Path(osm).is_file():
            raise CommandError(_(
                "OSM extract not found: %(path)s. Pass --osm PATH or set the MALHA_DEMO_OSM "
                "environment variable to an .osm.pbf file (e.g. from download.geofabrik.de)."
            ) % {"path": osm})
        population = options["population"] or settings.MALHA_DEMO_POPULATION
        if not Path(population).is_file():
            raise CommandError(_(
                "Population grid not found: %(path)s. Pass --population CSV or set the "
                "MALHA_DEMO_POPULATION environment variable."
            ) % {"path": population})
        size = DemoSize(clients=options["clients"], boxes=options["boxes"],
                        orders=options["orders"], technicians=options["technicians"])
        self.check_size(size)
        try:
            report = load_demo_city(osm, population, seed=options["seed"], size=size,
                                    replace=options["replace"], progress=not options["no_progress"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(
            _("Demo city loaded in %(seconds).1f s.") % {"seconds": sum(report.seconds.values())}
        ))
        for label, rows in report.counts:
            self.stdout.write(f"  {label}: {rows}")
        if report.lead_stages:
            self.stdout.write("  " + _("leads by stage: %(stages)s") % {
                "stages": ", ".join(f"{stage} {leads}" for stage, leads in report.lead_stages)
            })
        if report.contracts_without_port:
            self.stdout.write(self.style.WARNING(
                _("%(count)s contracts found no free box port within reach.")
                % {"count": report.contracts_without_port}
            ))
        if options["verbosity"] >= 2:
            for name, seconds in report.seconds.items():
                self.stdout.write(f"  {name}: {seconds:.1f} s")

    @staticmethod
    def check_size(size):
        minimums = {"--clients": (size.clients, 1), "--orders": (size.orders, 0),
                    "--technicians": (size.technicians, 1), "--boxes": (size.boxes, 1)}
        for flag, (value, minimum) in minimums.items():
            if value is not None and value < minimum:
                raise CommandError(_("%(flag)s must be at least %(minimum)s.")
                                   % {"flag": flag, "minimum": minimum})
        if size.orders > size.clients:
            raise CommandError(_("--orders cannot exceed --clients: each order is for one contract."))
