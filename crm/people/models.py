from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.geometry import validate_lonlat_range

from .choices import PersonStage, PersonType, State
from .validators import validate_cep, validate_document_digits, validate_e164_mobile


class Person(models.Model):
    """A client or a lead: a natural person (CPF) or a company (CNPJ).

    Documents are stored as digits only and phones in E.164 (+55...); services
    normalise what people type. A lead may not have a document yet, a client must.
    """

    person_type = models.CharField(
        _("person type"), max_length=10, choices=PersonType.choices, default=PersonType.NATURAL
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=PersonStage.choices, default=PersonStage.LEAD
    )
    name = models.CharField(_("name / corporate name"), max_length=200)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    document = models.CharField(
        _("CPF/CNPJ"), max_length=14, blank=True, validators=[validate_document_digits]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    mobile_phone = models.CharField(
        _("mobile phone"), max_length=14, blank=True, validators=[validate_e164_mobile]
    )
    consent_sms = models.BooleanField(_("accepts SMS"), default=False)
    consent_email = models.BooleanField(_("accepts e-mail"), default=False)
    consent_whatsapp = models.BooleanField(_("accepts WhatsApp"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["stage", "name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["document"], condition=~Q(document=""), name="crm_person_document_unique"
            ),
            models.CheckConstraint(
                condition=Q(document="")
                | Q(person_type=PersonType.NATURAL, document__regex=r"^[0-9]{11}$")
                | Q(person_type=PersonType.COMPANY, document__regex=r"^[0-9]{14}$"),
                name="crm_person_document_matches_type",
            ),
            models.CheckConstraint(
                condition=Q(stage=PersonStage.LEAD) | ~Q(document=""),
                name="crm_client_has_document",
            ),
            models.CheckConstraint(
                condition=Q(mobile_phone="") | Q(mobile_phone__regex=r"^\+55[1-9]{2}9[0-9]{8}$"),
                name="crm_person_mobile_e164",
            ),
        ]

    def __str__(self):
        return self.trade_name or self.name


class Address(models.Model):
    """A Brazilian postal address with its point on the map."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="addresses"
    )
    cep = models.CharField(_("CEP"), max_length=8, validators=[validate_cep])
    street = models.CharField(_("street"), max_length=200)
    number = models.CharField(_("number"), max_length=20, help_text=_("Use S/N when there is none."))
    complement = models.CharField(_("complement"), max_length=100, blank=True)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state (UF)"), max_length=2, choices=State.choices)
    point = models.PointField(
        _("location"), srid=4326, null=True, blank=True, validators=[validate_lonlat_range]
    )

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(cep__regex=r"^[0-9]{8}$"), name="crm_address_cep_digits"),
        ]

    def __str__(self):
        parts = [f"{self.street}, {self.number}"]
        if self.complement:
            parts.append(self.complement)
        parts.append(f"{self.neighbourhood}, {self.city}/{self.state}")
        return " - ".join(parts)

    @property
    def cep_display(self):
        return f"{self.cep[:5]}-{self.cep[5:]}" if len(self.cep) == 8 else self.cep
