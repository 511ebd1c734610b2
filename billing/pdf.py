"""The invoice PDF: lines, the boleto's typeable line and Interleaved 2 of 5 bar code, the PIX QR."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.common import I2of5
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas


def brl(amount):
    """R$ 1.234,56"""
    text = f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"R$ {text}"


def _page(title, issuer):
    """(buffer, canvas, y) of an A4 document titled `title` with the issuer's name on top."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=0)
    canvas.setTitle(title)
    y = A4[1] - 25 * mm
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(20 * mm, y, issuer)
    canvas.setFont("Helvetica", 10)
    return buffer, canvas, y


def _finish(buffer, canvas):
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def invoice_pdf(invoice, slip):
    wallet, contract = invoice.wallet, invoice.contract
    buffer, canvas, y = _page(str(invoice), wallet.merchant_name)
    width, _height = A4
    left = 20 * mm
    y -= 8 * mm
    canvas.drawString(left, y, _("Invoice %(number)s — contract %(contract)s") % {"number": invoice, "contract": contract})
    y -= 6 * mm
    canvas.drawString(left, y, _("Client: %(name)s (%(document)s)") % {
        "name": contract.person.name, "document": contract.person.document})
    y -= 10 * mm
    for line in invoice.lines.all():
        canvas.drawString(left, y, line.description[:90])
        canvas.drawRightString(width - left, y, brl(line.amount))
        y -= 6 * mm
    canvas.setFont("Helvetica-Bold", 11)
    y -= 2 * mm
    canvas.drawString(left, y, _("Due %(date)s") % {"date": slip["due_date"].strftime("%d/%m/%Y")})
    canvas.drawRightString(width - left, y, brl(slip["amount"]))
    canvas.setFont("Helvetica", 9)
    y -= 6 * mm
    canvas.drawString(left, y, _("After the due date: fine %(fine)s%%, interest %(interest)s%% a month pro-rata per day.")
                      % {"fine": wallet.fine_percent, "interest": wallet.monthly_interest_percent})

    # The bank slip at the foot of the page.
    y = 75 * mm
    canvas.line(left, y + 8 * mm, width - left, y + 8 * mm)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(left, y, f"{slip['bank']} | {slip['typeable_line']}")
    canvas.setFont("Helvetica", 9)
    canvas.drawString(left, y - 6 * mm, _("Nosso número: %(number)s") % {"number": slip["nosso_numero"]})
    bars = I2of5(slip["barcode"], barWidth=0.254 * mm, ratio=3, barHeight=13 * mm, bearers=0,
                 checksum=0, quiet=0)
    bars.drawOn(canvas, left, y - 25 * mm)
    if slip["pix_payload"]:
        qr = QrCodeWidget(slip["pix_payload"])
        x0, y0, x1, y1 = qr.getBounds()
        size = 40 * mm
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(qr)
        renderPDF.draw(drawing, canvas, width - left - size, y - 50 * mm)
        canvas.drawString(left, y - 33 * mm, _("PIX copy and paste:"))
        payload = slip["pix_payload"]
        for row, start in enumerate(range(0, len(payload), 80)):
            canvas.drawString(left, y - (38 + 4 * row) * mm, payload[start:start + 80])
    return _finish(buffer, canvas)


def clearance_pdf(declaration, issuer):
    """The annual debt-clearance declaration (Lei 12.007/2009) of `declaration` by `issuer`."""
    person = declaration.person
    buffer, canvas, y = _page(declaration.number, issuer)
    left = 20 * mm
    y -= 12 * mm
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(left, y, _("Annual debt-clearance declaration %(year)s") % {"year": declaration.year})
    canvas.setFont("Helvetica", 10)
    y -= 6 * mm
    canvas.drawString(left, y, _("No. %(number)s — Lei 12.007/2009") % {"number": declaration.number})
    y -= 12 * mm
    text = canvas.beginText(left, y)
    text.setLeading(14)
    wording = _(
        "%(issuer)s declares that %(name)s, CPF/CNPJ %(document)s, has settled every invoice due "
        "from 01/01/%(year)s to 31/12/%(year)s under the contracts %(contracts)s: %(count)s "
        "invoice(s), %(total)s paid. This declaration replaces, for that year, the proof of "
        "payment of each invoice."
    ) % {
        "issuer": issuer, "name": person.name, "document": person.document, "year": declaration.year,
        "contracts": ", ".join(contract.number for contract in declaration.contracts.all()),
        "count": declaration.invoices_count, "total": brl(declaration.total_paid),
    }
    for line in simpleSplit(wording, "Helvetica", 10, A4[0] - 2 * left):
        text.textLine(line)
    canvas.drawText(text)
    canvas.drawString(left, 40 * mm, _("Issued on %(date)s") % {
        "date": timezone.localtime(declaration.issued_at).strftime("%d/%m/%Y")})
    return _finish(buffer, canvas)
