from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    FINISHED = "finished", _("Finished")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    # Claimed by a worker that is talking to the provider right now.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class ExclusionReason(models.TextChoices):
    NO_PHONE = "no_phone", _("No mobile phone")
    NO_EMAIL = "no_email", _("No e-mail")
    NO_CONSENT = "no_consent", _("Did not consent to this channel")
    OPTED_OUT = "opted_out", _("Opted out of this channel")


class OptOutSource(models.TextChoices):
    KEYWORD = "keyword", _("Reply keyword (e.g. SAIR)")
    LINK = "link", _("Opt-out link")
    STAFF = "staff", _("Recorded by staff")
