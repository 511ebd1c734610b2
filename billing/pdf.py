"""The invoice PDF: lines, the boleto's typeable line and Interleaved 2 of 5 bar code, the PIX QR."""

import io

from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.common import I2of5
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas


def brl(amount):
    """R$ 1.234,56"""
    text = f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"R$ {text}"


def invoice_pdf(invoice, slip):
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=0)
    canvas.setTitle(str(invoice))
    width, height = A4
    left, y = 20 * mm, height - 25 * mm
    wallet, contract = invoice.wallet, invoice.contract

    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(left, y, wallet.merchant_name)
    canvas.setFont("Helvetica", 10)
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
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
