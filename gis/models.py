"""Geography: the road network and addresses imported from OSM, coverage areas, and
the fibre plant (POP -> OLT -> CTO/splitter boxes, joined by cables).

Everything is stored in WGS 84 (SRID 4326) with GiST indexes; metric work projects
to settings.MALHA_METRIC_SRID or uses geography.
"""
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import BoxKind, CableKind
from core.geometry import validate_lonlat_range


class RoadNode(models.Model):
    """A junction of the road graph (an OSM node where ways meet or end)."""

    osm_id = models.BigIntegerField(_("OSM node id"), unique=True)
    point = models.PointField(_("location"), srid=4326)

    class Meta:
        verbose_name = _("road node")
        verbose_name_plural = _("road nodes")

    def __str__(self):
        return f"node {self.osm_id}"


class RoadEdge(models.Model):
    """A directed street segment between two junctions; two-way streets have two rows."""

    source = models.ForeignKey(RoadNode, on_delete=models.CASCADE, related_name="out_edges")
    target = models.ForeignKey(RoadNode, on_delete=models.CASCADE, related_name="in_edges")
    osm_way_id = models.BigIntegerField(_("OSM way id"), db_index=True)
    name = models.CharField(_("name"), max_length=200, blank=True, db_index=True)
    highway = models.CharField(_("road class"), max_length=40)
    oneway = models.BooleanField(_("one-way"), default=False)
    length_m = models.FloatField(_("length (m)"))
    speed_kmh = models.FloatField(_("speed (km/h)"))
    travel_time_s = models.FloatField(_("travel time (s)"))
    geom = models.LineStringField(_("geometry"), srid=4326)

    class Meta:
        verbose_name = _("road edge")
        verbose_name_plural = _("road edges")
        constraints = [
            models.CheckConstraint(condition=Q(length_m__gte=0), name="geo_roadedge_length_nonneg"),
            models.CheckConstraint(condition=Q(speed_kmh__gt=0), name="geo_roadedge_speed_positive"),
        ]

    def __str__(self):
        return f"{self.name or self.highway} ({self.source_id}->{self.target_id})"


class AddressPoint(models.Model):
    """An address point from OSM (addr:* tags), used by geocoding."""

    osm_type = models.CharField(_("OSM type"), max_length=1)  # n, w or r
    osm_id = models.BigIntegerField(_("OSM id"))
    street = models.CharField(_("street"), max_length=200, db_index=True)
    housenumber = models.CharField(_("number"), max_length=40)
    postcode = models.CharField(_("CEP"), max_length=9, blank=True)
    suburb = models.CharField(_("neighbourhood"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    point = models.PointField(_("location"), srid=4326)

    class Meta:
        verbose_name = _("address point")
        verbose_name_plural = _("address points")
        constraints = [
            models.UniqueConstraint(fields=["osm_type", "osm_id"], name="geo_addresspoint_osm_unique")
        ]

    def __str__(self):
        return f"{self.street}, {self.housenumber}"


class CoverageArea(models.Model):
    """Where the ISP can sell: a polygon drawn around its plant."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    area = models.MultiPolygonField(_("area"), srid=4326, validators=[validate_lonlat_range])
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("coverage area")
        verbose_name_plural = _("coverage areas")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Pop(models.Model):
    """Point of presence: the building with the ISP's core equipment."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    point = models.PointField(_("location"), srid=4326, validators=[validate_lonlat_range])

    class Meta:
        verbose_name = _("POP")
        verbose_name_plural = _("POPs")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} - {self.name}"


class Olt(models.Model):
    """Optical line terminal inside a POP; its PON ports feed the CTO boxes."""

    pop = models.ForeignKey(Pop, verbose_name=_("POP"), on_delete=models.PROTECT, related_name="olts")
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    vendor = models.CharField(_("vendor / model"), max_length=120, blank=True)
    pon_ports = models.PositiveSmallIntegerField(_("PON ports"), default=16)

    class Meta:
        verbose_name = _("OLT")
        verbose_name_plural = _("OLTs")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(pon_ports__gte=1), name="geo_olt_pon_ports_positive"),
        ]

    def __str__(self):
        return self.code


class CtoBox(models.Model):
    """A CTO (termination) or splitter box with a fixed number of client ports.

    Used ports are never typed: they are the contracts attached to the box (see
    gis.selectors.cto_boxes_with_occupancy).
    """

    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=BoxKind.choices, default=BoxKind.CTO)
    olt = models.ForeignKey(
        Olt, verbose_name=_("OLT"), on_delete=models.PROTECT, related_name="boxes", null=True, blank=True
    )
    pon_port = models.PositiveSmallIntegerField(_("OLT PON port"), null=True, blank=True)
    ports_total = models.PositiveSmallIntegerField(_("ports"), default=16)
    point = models.PointField(_("location"), srid=4326, validators=[validate_lonlat_range])
    street = models.CharField(_("street"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("CTO box")
        verbose_name_plural = _("CTO boxes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ports_total__gte=1, ports_total__lte=128), name="geo_ctobox_ports_range"
            ),
        ]

    def __str__(self):
        return self.code


class Cable(models.Model):
    """A fibre cable drawn along the streets."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=15, choices=CableKind.choices)
    fiber_count = models.PositiveSmallIntegerField(_("fibres"), default=12)
    path = models.LineStringField(_("path"), srid=4326, validators=[validate_lonlat_range])
    olt = models.ForeignKey(
        Olt, verbose_name=_("OLT"), on_delete=models.SET_NULL, null=True, blank=True, related_name="cables"
    )
    length_m = models.FloatField(_("length (m)"), default=0)

    class Meta:
        verbose_name = _("cable")
        verbose_name_plural = _("cables")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(fiber_count__gte=1), name="geo_cable_fibers_positive"),
        ]

    def __str__(self):
        return self.code
