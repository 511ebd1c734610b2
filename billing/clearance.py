"""The yearly debt-clearance declaration (declaração anual de quitação de débitos, Lei
12.007/2009).

A client gets one for year Y once every invoice due in Y is settled: paid, or renegotiated
into an invoice that is paid. Cancelled and deleted invoices are not debts. Only a year that
is over can be declared. The monthly job issues the previous year's declarations to everyone
who qualifies and has none yet — so a client who pays up late gets theirs the month after,
as the law asks — and e-mails them; a clerk can issue one on demand.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.services import next_number
from crm.messaging import direct
from crm.messaging.choices import Channel

from . import links
from .choices import RECEIVABLE_STATUSES, InvoiceStatus
from .models import ClearanceDeclaration, Invoice
from .pdf import clearance_pdf

NUMBER_PREFIX = "QD-"


def _year_invoices(year):
    return Invoice.objects.filter(due_date__year=year, deleted_at__isnull=True).exclude(
        status=InvoiceStatus.CANCELLED
    )


def _unsettled(invoices):
    """The invoices among `invoices` still owed, a renegotiated one standing for the invoice it
    was renegotiated into (followed to the end of the chain)."""
    owed = []
    for invoice in invoices:
        final = invoice
        while final.status == InvoiceStatus.RENEGOTIATED and final.renegotiated_into_id:
            final = final.renegotiated_into
        if final.status != InvoiceStatus.PAID:
            owed.append(invoice)
    return owed


def open_invoices(person, year):
    """The invoices of `person` due in `year` that keep the year from being declared paid up."""
    invoices = _year_invoices(year).filter(contract__person=person).select_related("renegotiated_into")
    return _unsettled(invoices.order_by("due_date", "pk"))


@transaction.atomic
def issue_declaration(person, year, *, user=None, today=None):
    """(declaration, created): the person's declaration for `year`, issued now if the year is
    paid up. A 400 listing the open invoices otherwise; the existing one when already issued."""
    today = today or timezone.localdate()
    existing = ClearanceDeclaration.objects.filter(person=person, year=year).first()
    if existing:
        return existing, False
    if not isinstance(year, int) or not 2000 <= year < today.year:
        raise ValidationError({"year": [_("Choose a year that is over (before %(year)s).") % {"year": today.year}]})
    invoices = _year_invoices(year).filter(contract__person=person)
    if not invoices.exists():
        raise ValidationError({"year": [_("%(person)s has no invoice due in %(year)s.") % {"person": person, "year": year}]})
    owed = open_invoices(person, year)
    if owed:
        raise ValidationError({
            "year": [_("%(year)s is not paid up: %(count)s invoice(s) still owed.") % {"year": year, "count": len(owed)}],
            "open_invoices": [
                _("%(invoice)s due %(date)s (%(status)s)") % {
                    "invoice": invoice, "date": invoice.due_date.strftime("%d/%m/%Y"),
                    "status": invoice.get_status_display().lower()}
                for invoice in owed
            ],
        })
    try:
        with transaction.atomic():
            declaration = ClearanceDeclaration.objects.create(
                number=next_number(ClearanceDeclaration, f"{NUMBER_PREFIX}{year}-"), person=person, year=year,
                invoices_count=invoices.count(),
                total_paid=invoices.filter(status=InvoiceStatus.PAID).aggregate(total=Sum("amount"))["total"] or 0,
                issued_by=user if user and user.is_authenticated else None,
            )
    except IntegrityError:  # issued by a concurrent call
        return ClearanceDeclaration.objects.get(person=person, year=year), False
    declaration.contracts.set(invoices.values_list("contract_id", flat=True).distinct())
    return declaration, True


def eligible_people(year):
    """Ids of the people with invoices due in `year`, all settled, and no declaration yet."""
    invoices = _year_invoices(year)
    candidates = (
        set(invoices.values_list("contract__person_id", flat=True))
        - set(invoices.filter(status__in=RECEIVABLE_STATUSES).values_list("contract__person_id", flat=True))
        - set(ClearanceDeclaration.objects.filter(year=year).values_list("person_id", flat=True))
    )
    renegotiated = invoices.filter(status=InvoiceStatus.RENEGOTIATED, contract__person_id__in=candidates)
    return sorted(candidates - {i.contract.person_id for i in _unsettled(renegotiated.select_related("contract"))})


def email_declaration(declaration):
    """E-mail the declaration's link to the client once (the key is the declaration's)."""
    person = declaration.person
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Debt-clearance declaration %(year)s") % {"year": declaration.year}
        body = _(
            "Hello %(name)s,\n\nAll your invoices due in %(year)s are paid. Your annual debt-clearance "
            "declaration (Lei 12.007/2009), number %(number)s, is at:\n%(link)s\n"
        ) % {"name": person.trade_name or person.name, "year": declaration.year, "number": declaration.number,
             "link": links.document_link(links.DECLARATION, declaration.pk)}
    key = f"clearance-declaration:{declaration.pk}"
    result = direct.send_to_person(person, Channel.EMAIL, subject=subject, body=body, key=key)
    if result.message:
        ClearanceDeclaration.objects.filter(pk=declaration.pk).update(message=result.message)
    if result.status == direct.DirectStatus.PENDING:
        from crm.messaging.tasks import send_to_person_task

        send_to_person_task.apply_async(
            (person.pk, Channel.EMAIL, body, key), {"subject": subject}, countdown=max(result.retry_in, 1)
        )
    return result


def issue_year(year, *, today=None):
    """Issue the declarations of `year` to everyone who qualifies; returns the new ones' ids
    (the task e-mails each in a task of its own). Idempotent: one per person and year."""
    from crm.people.models import Person

    issued = []
    for person in Person.objects.filter(pk__in=eligible_people(year)).iterator():
        declaration, created = issue_declaration(person, year, today=today)
        if created:
            issued.append(declaration.pk)
    return issued


def declaration_pdf(declaration):
    """The declaration's PDF, issued in the name of the wallet that billed the year."""
    invoice = _year_invoices(declaration.year).filter(contract__person=declaration.person).select_related("wallet").first()
    with translation.override(settings.LANGUAGE_CODE):
        return clearance_pdf(declaration, invoice.wallet.merchant_name if invoice else "")


def declaration_list():
    return ClearanceDeclaration.objects.select_related("person", "message").prefetch_related("contracts")
