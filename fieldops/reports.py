"""Field-operation reports: orders completed per technician, SLA compliance, the day's route sheet.

The numbers come from one read each (the SLA ones from selectors.technician_sla_report,
the same the JSON report serves); this module adds the completed-orders read and renders
any report's lines as a table, for CSV (spreadsheets: UTF-8 with BOM, `;` separated,
numbers as the reader's language writes them) and for an A4 PDF.
"""
import datetime
import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.spreadsheets import csv_lines

from .choices import EventKind, OrderStatus, OrderType, Priority
from .models import OrderEvent, ServiceOrder
from .scheduling import Placement, check_board
from .selectors import REPORT_GROUPS, completed_orders_in, report_line_key, technician_names

# --- Orders completed per technician -------------------------------------------------------


def minutes_on_site(order_ids):
    """{order id: minutes spent on site}, from the audit trail: every stretch from a check-in
    to the next status change (a pause and a second check-in add a second stretch)."""
    events = (
        OrderEvent.objects.filter(order__in=order_ids, kind=EventKind.STATUS)
        .order_by("order", "at", "id")
        .values_list("order", "to_status", "at")
    )
    minutes, arrived = {}, {}
    for order, to_status, at in events:
        if order in arrived:
            minutes[order] = minutes.get(order, 0) + (at - arrived.pop(order)).total_seconds() / 60
        if to_status == OrderStatus.ON_SITE:
            arrived[order] = at
    return minutes


def completed_orders_report(first_day, last_day, *, by=None, technician=None, order_types=()):
    """Per technician (and per order type or priority with `by`), the orders completed in the
    period: how many, how many were done at the first visit (`first_time_fix`) and how many had
    been reopened and needed another (`reopened`), and the average minutes on site."""
    orders = completed_orders_in(first_day, last_day)
    if technician is not None:
        orders = orders.filter(assignee=technician)
    if order_types:
        orders = orders.filter(order_type__in=order_types)
    rows = list(
        orders.annotate(
            reopens=Count("events", filter=Q(events__kind=EventKind.STATUS, events__to_status=OrderStatus.REOPENED))
        ).values("pk", "assignee", "order_type", "priority", "reopens")
    )
    on_site = minutes_on_site([row["pk"] for row in rows])
    keys = ["assignee", *([REPORT_GROUPS[by]] if by else [])]
    lines = {}
    for row in rows:
        line = lines.setdefault(
            tuple(row[key] for key in keys),
            {**{key: row[key] for key in keys}, "completed": 0, "reopened": 0, "_minutes": []},
        )
        line["completed"] += 1
        line["reopened"] += bool(row["reopens"])
        if row["pk"] in on_site:
            line["_minutes"].append(on_site[row["pk"]])
    names = technician_names({line["assignee"] for line in lines.values()})
    report = []
    for line in lines.values():
        technician_pk, minutes = line.pop("assignee"), line.pop("_minutes")
        line.update(
            technician=technician_pk, name=names[technician_pk],
            first_time_fix=line["completed"] - line["reopened"],
            average_minutes_on_site=round(sum(minutes) / len(minutes), 1) if minutes else None,
        )
        report.append(line)
    return sorted(report, key=lambda line: report_line_key(line, by))


# --- Any report as a table: CSV and PDF ----------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = True


@dataclass
class ReportTable:
    title: str
    subtitle: str
    columns: list
    lines: list
    filename: str

    def cell(self, line, column):
        value = line.get(column.key)
        if value is None:
            return "—"
        if column.key == "order_type":
            return str(OrderType(value).label)
        if column.key == "priority":
            return str(Priority(value).label)
        if isinstance(value, float):
            return formats.number_format(value, decimal_pos=1)
        return str(value)

    def rows(self):
        return [[self.cell(line, column) for column in self.columns] for line in self.lines]


def _group_columns(by):
    if by == "type":
        return [Column("order_type", _("Order type"), numeric=False)]
    if by == "priority":
        return [Column("priority", _("Priority"), numeric=False)]
    return []


def _period_text(first_day, last_day):
    return _("From %(first)s to %(last)s") % {
        "first": formats.date_format(first_day, "SHORT_DATE_FORMAT"),
        "last": formats.date_format(last_day, "SHORT_DATE_FORMAT"),
    }


def sla_table(lines, first_day, last_day, by=None):
    return ReportTable(
        title=_("SLA compliance per technician"),
        subtitle=_period_text(first_day, last_day),
        columns=[
            Column("name", _("Technician"), numeric=False), *_group_columns(by),
            Column("completed", _("Completed")), Column("on_time", _("Within SLA")),
            Column("late", _("Late")), Column("open_overdue", _("Open and overdue")),
            Column("sla_compliance", _("SLA compliance (%)")),
        ],
        lines=lines,
        filename=f"sla-{first_day:%Y%m%d}-{last_day:%Y%m%d}",
    )


def completed_table(lines, first_day, last_day, by=None):
    return ReportTable(
        title=_("Orders completed per technician"),
        subtitle=_period_text(first_day, last_day),
        columns=[
            Column("name", _("Technician"), numeric=False), *_group_columns(by),
            Column("completed", _("Completed")), Column("first_time_fix", _("Fixed at the first visit")),
            Column("reopened", _("Reopened")),
            Column("average_minutes_on_site", _("Average time on site (min)")),
        ],
        lines=lines,
        filename=f"completed-orders-{first_day:%Y%m%d}-{last_day:%Y%m%d}",
    )


def table_csv(table):
    """The table for spreadsheets; text that could run as a formula is defused."""
    return "".join(csv_lines([column.label for column in table.columns], table.rows())).encode("utf-8")


def table_pdf(table):
    """The table on landscape A4 pages, its header repeated on each page."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), title=table.title, leftMargin=15 * mm, rightMargin=15 * mm,
        topMargin=15 * mm, bottomMargin=15 * mm,
    )
    styles = getSampleStyleSheet()
    generated = _("Generated on %(moment)s") % {
        "moment": formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
    }
    data = [[column.label for column in table.columns], *table.rows()]
    if len(data) == 1:
        data.append([_("No orders in this period.")] + [""] * (len(table.columns) - 1))
    grid = Table(data, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b6e4f")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f4f6f8")]),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d9e0e7")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i, column in enumerate(table.columns) if column.numeric]
    grid.setStyle(TableStyle(style))
    document.build([
        Paragraph(escape(table.title), styles["Title"]),
        Paragraph(escape(f"{table.subtitle} · {generated}"), styles["Normal"]),
        Spacer(1, 6 * mm),
        grid,
    ])
    return buffer.getvalue()


# --- The printable route sheet of a technician's day ---------------------------------------


@dataclass
class SheetStop:
    sequence: int
    order: ServiceOrder
    eta: datetime.datetime
    start: datetime.datetime
    notes: list = field(default_factory=list)


@dataclass
class RouteSheet:
    technician: object
    date: datetime.date
    shift_start: datetime.time
    shift_end: datetime.time
    stops: list
    route: dict  # GeoJSON FeatureCollection of the day's line along the streets
    km: float = 0
    driving_minutes: int = 0
    back_at: datetime.datetime | None = None


def route_sheet(technician, date, orders):
    """The technician's day from `orders` (theirs, scheduled on `date`, as the viewer may see
    them): stops in time order with the ETA the scheduling board computes on the street graph,
    the line along the streets, and each order's description and notes."""
    orders = list(orders.exclude(status=OrderStatus.CANCELLED).select_related("person"))
    sheet = RouteSheet(
        technician=technician, date=date, shift_start=technician.shift_start,
        shift_end=technician.shift_end, stops=[], route={"type": "FeatureCollection", "features": []},
    )
    if not orders:
        return sheet
    board = check_board(
        date, [Placement(order=order, technician=technician, start=order.scheduled_start) for order in orders]
    )
    day = board.days[0]
    notes = {}
    for order_id, note in (
        OrderEvent.objects.filter(order__in=orders, kind=EventKind.NOTE).order_by("at", "id").values_list("order", "note")
    ):
        notes.setdefault(order_id, []).append(note)
    sheet.stops = [
        SheetStop(sequence=number, order=stop.order, eta=stop.eta, start=stop.start, notes=notes.get(stop.order.pk, []))
        for number, stop in enumerate(day.stops, start=1)
    ]
    sheet.route = board.route_features()
    sheet.km = round(day.meters / 1000, 1)
    sheet.driving_minutes = round(day.driving_seconds / 60)
    sheet.back_at = day.back_at
    return sheet


def scheduled_on(orders, technician, date):
    """`orders` of `technician` whose scheduled start falls on `date` (local time)."""
    since, until = (
        timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        for day in (date, date + datetime.timedelta(days=1))
    )
    return orders.filter(assignee=technician, scheduled_start__gte=since, scheduled_start__lt=until)
