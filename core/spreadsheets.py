"""CSV for files people open in spreadsheets: every export goes through `csv_lines`, so no
cell a client, lead or plant element was named can run as a formula (CSV injection)."""
import csv
from decimal import Decimal

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell a spreadsheet will not run as a formula: text starting like one gets a quote
    in front; numbers stay numbers (a negative amount is not a formula)."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file whose write() hands the line back, so csv.writer can feed a stream."""

    def write(self, value):
        return value


def csv_lines(header, rows, *, delimiter=";", bom=True):
    """The CSV's lines as text, one at a time (rows may be a lazy iterator), every cell
    defused. Defaults suit Brazilian spreadsheets: `;` separated, UTF-8 with a BOM."""
    writer = csv.writer(_Line(), delimiter=delimiter, lineterminator="\r\n")
    yield ("\ufeff" if bom else "") + writer.writerow([spreadsheet_safe(title) for title in header])
    for row in rows:
        yield writer.writerow([spreadsheet_safe(cell) for cell in row])


def csv_response(filename, header, rows, **options):
    """A streamed CSV download of `csv_lines(header, rows, **options)`."""
    return StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header, rows, **options)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
