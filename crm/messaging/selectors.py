"""Messaging reads: who a selection reaches, and what happened to a campaign."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef

from crm.people.models import Person
from gis.selection import contracts_in_area

from .choices import Channel, DeliveryStatus, ExclusionReason
from .models import Campaign, MessageLog, OptOut


@dataclass
class Contact:
    """One person inside a selection, with every contract of theirs that matched."""

    person_id: int
    name: str
    trade_name: str
    email: str
    mobile_phone: str
    consents: dict
    opted_out: set
    contracts: list = field(default_factory=list)
    address: str = ""

    def destination(self, channel):
        return self.email if channel == Channel.EMAIL else self.mobile_phone

    def exclusion(self, channel):
        """Why this contact cannot receive the channel, or None."""
        if not self.destination(channel):
            return ExclusionReason.NO_EMAIL if channel == Channel.EMAIL else ExclusionReason.NO_PHONE
        if channel in self.opted_out:
            return ExclusionReason.OPTED_OUT
        if not self.consents[channel]:
            return ExclusionReason.NO_CONSENT
        return None


def selection_contacts(area, channel, statuses=(), plan_ids=()):
    """The people behind the contracts inside a selection: one Contact per person.

    A client with several contracts inside appears once, with all of them, so a
    campaign sends one message per contact. Opt-outs are looked up for `channel`.
    """
    rows = (
        contracts_in_area(area, statuses, plan_ids)
        .annotate(opted_out=Exists(
            OptOut.objects.filter(person_id=OuterRef("person_id"), channel=channel)
        ))
        .values_list(
            "person_id", "number", "person__name", "person__trade_name", "person__email",
            "person__mobile_phone", "person__consent_email", "person__consent_sms",
            "person__consent_whatsapp", "installation_address__street",
            "installation_address__number", "installation_address__neighbourhood", "opted_out",
        )
    )
    contacts = {}
    for (person_id, number, name, trade_name, email, phone, c_email, c_sms, c_whatsapp,
         street, house, neighbourhood, opted_out) in rows.iterator(chunk_size=5000):
        contact = contacts.get(person_id)
        if contact is None:
            contact = contacts[person_id] = Contact(
                person_id, name, trade_name, email, phone,
                {Channel.EMAIL: c_email, Channel.SMS: c_sms, Channel.WHATSAPP: c_whatsapp},
                {channel} if opted_out else set(),
                address=f"{street}, {house} - {neighbourhood}",
            )
        contact.contracts.append(number)
    return list(contacts.values())


def person_contact(person):
    """One person as a Contact, with every channel they opted out of (a message to one person)."""
    return Contact(
        person.pk, person.name, person.trade_name, person.email, person.mobile_phone,
        {Channel.EMAIL: person.consent_email, Channel.SMS: person.consent_sms,
         Channel.WHATSAPP: person.consent_whatsapp},
        set(OptOut.objects.filter(person=person).values_list("channel", flat=True)),
    )


def campaign_list():
    return Campaign.objects.select_related("created_by")


def delivery_totals(campaign):
    """{status: count} for every delivery status, zeros included."""
    counts = dict(
        campaign.deliveries.order_by().values_list("status").annotate(total=Count("id"))
    )
    return {status: counts.get(status, 0) for status in DeliveryStatus.values}


def delivery_list(campaign):
    return campaign.deliveries.select_related("person", "message").order_by("id")


def failed_deliveries(campaign):
    return delivery_list(campaign).filter(status=DeliveryStatus.FAILED)


def message_log(person=None):
    """The "messages sent" panel: newest first, with each message's delivery state."""
    messages = MessageLog.objects.select_related("delivery", "campaign", "person")
    return messages.filter(person=person) if person is not None else messages


def people_with_mobile(phone):
    return Person.objects.filter(mobile_phone=phone)
