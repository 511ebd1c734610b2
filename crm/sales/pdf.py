"""The proposal PDF, in the proposal's language, with the money written as billing writes it."""

import io
import textwrap

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from billing.pdf import brl

# Characters of the message per line at 10 pt Helvetica across the page's text width; the
# API caps the message (ProposalSerializer) so it fits on the page.
MESSAGE_COLUMNS = 95


def _date(day):
    return day.strftime("%d/%m/%Y")


def proposal_pdf(proposal):
    with translation.override(proposal.language):
        return _render(proposal)


def _render(proposal):
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=0)
    canvas.setTitle(str(proposal))
    width, height = A4
    left, y = 20 * mm, height - 25 * mm
    person = proposal.lead.person

    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(left, y, _("Commercial proposal %(number)s") % {"number": proposal})
    canvas.setFont("Helvetica", 10)
    y -= 8 * mm
    canvas.drawString(left, y, _("For: %(name)s") % {"name": person.name})
    y -= 6 * mm
    if proposal.lead.address_text:
        canvas.drawString(
            left, y, _("Address: %(address)s") % {"address": proposal.lead.address_text[:90]}
        )
        y -= 6 * mm
    canvas.drawString(
        left,
        y,
        _("Valid from %(start)s until %(end)s")
        % {"start": _date(proposal.valid_from), "end": _date(proposal.valid_until)},
    )
    y -= 6 * mm
    canvas.drawString(
        left,
        y,
        _("Your sales rep: %(rep)s")
        % {"rep": proposal.rep.get_full_name() or proposal.rep.get_username()},
    )
    y -= 12 * mm

    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(left, y, _("Plan"))
    canvas.drawRightString(width - left - 60 * mm, y, _("List price"))
    canvas.drawRightString(width - left - 30 * mm, y, _("Discount"))
    canvas.drawRightString(width - left, y, _("Per month"))
    canvas.setFont("Helvetica", 10)
    for item in proposal.items.select_related("plan"):
        y -= 6 * mm
        plan = item.plan
        canvas.drawString(
            left,
            y,
            _("%(plan)s (%(down)s/%(up)s Mbps)")
            % {"plan": plan.name[:50], "down": plan.download_mbps, "up": plan.upload_mbps},
        )
        canvas.drawRightString(width - left - 60 * mm, y, brl(item.list_price))
        canvas.drawRightString(width - left - 30 * mm, y, brl(item.discount))
        canvas.drawRightString(width - left, y, brl(item.price))
    y -= 12 * mm
    for paragraph in proposal.message.splitlines():
        for line in textwrap.wrap(paragraph, MESSAGE_COLUMNS) or [""]:
            canvas.drawString(left, y, line)
            y -= 5 * mm
    if proposal.signed_at:
        y -= 6 * mm
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawString(
            left,
            y,
            _("Accepted by %(name)s on %(when)s")
            % {
                "name": proposal.signed_name,
                "when": timezone.localtime(proposal.signed_at).strftime("%d/%m/%Y %H:%M"),
            },
        )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
