from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gis.osm_import import import_osm


class Command(BaseCommand):
    help = _("Load the streets (a directed graph for routing) and addresses of an OSM extract; "
             "a new import replaces the previous one.")

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("an OpenStreetMap extract, .osm.pbf"))
        parser.add_argument("--no-progress", action="store_true", help=_("hide the progress bars"))

    def handle(self, *args, path, no_progress, **options):
        try:
            result = import_osm(path, progress=not no_progress)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(
            _("Imported %(nodes)s junctions, %(edges)s street edges (%(oneway)s one-way) and "
              "%(addresses)s address points in %(seconds).1f s.") % {
                "nodes": result.nodes, "edges": result.edges, "oneway": result.oneway_edges,
                "addresses": result.address_points, "seconds": result.seconds,
            }
        ))
