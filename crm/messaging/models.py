"""Campaigns and the messages they send; the tables keep the names they had in crm."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.utils.translation import gettext_lazy as _

from crm.people.models import Person

from .choices import CampaignStatus, Channel, DeliveryStatus, OptOutSource


class Campaign(models.Model):
    """A message to every contact inside a map selection, over one channel.

    The selection (area and contract filters) and the template are kept as
    typed so the report can show what was asked; the recipients are fixed when
    the campaign is confirmed, as one Delivery per person.
    """

    name = models.CharField(_("name"), max_length=120)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    body = models.TextField(_("message template"))
    area = models.MultiPolygonField(_("selected area"), srid=4326)
    contract_statuses = ArrayField(
        models.CharField(max_length=25), verbose_name=_("contract statuses"), default=list, blank=True
    )
    plan_ids = ArrayField(
        models.BigIntegerField(), verbose_name=_("plans"), default=list, blank=True
    )
    window_start = models.DateTimeField(_("window start"), null=True, blank=True)
    window_end = models.DateTimeField(_("window end"), null=True, blank=True)
    protocol = models.CharField(_("protocol number"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    excluded_counts = models.JSONField(_("excluded by reason"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        db_table = "crm_campaign"
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class MessageLog(models.Model):
    """A message addressed to a person: the client's "messages sent" panel.

    It holds what was said and to which address; the sending state lives in
    the Delivery that carries it.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="messages"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="messages",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    destination = models.CharField(_("sent to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "crm_messagelog"
        verbose_name = _("message")
        verbose_name_plural = _("message log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"])]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.destination}"


class Delivery(models.Model):
    """The sending of one message to one person, exactly once.

    Unique per (campaign, person); a message sent to one person outside any campaign
    (crm.messaging.direct) has no campaign and a key derived from its caller's. Workers
    claim a delivery by moving it from queued to sending in one guarded UPDATE; the
    provider receives `idempotency_key` so a resend after a crash is recognised as the
    same message.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="deliveries",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="deliveries"
    )
    message = models.OneToOneField(
        MessageLog, verbose_name=_("message"), on_delete=models.CASCADE, related_name="delivery"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    retry_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=30, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        db_table = "crm_delivery"
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        indexes = [models.Index(fields=["campaign", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"], name="crm_delivery_one_per_person_and_campaign"
            ),
        ]

    def __str__(self):
        return self.idempotency_key


class OptOut(models.Model):
    """A person's refusal of one channel (LGPD): kept as evidence and always respected."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="opt_outs"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    source = models.CharField(_("how"), max_length=10, choices=OptOutSource.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        db_table = "crm_optout"
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "channel"], name="crm_optout_one_per_channel"),
        ]

    def __str__(self):
        return f"{self.person} – {self.get_channel_display()}"
