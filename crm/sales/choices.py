from django.db import models
from django.utils.translation import gettext_lazy as _


class SalesChannelKind(models.TextChoices):
    WEBSITE = "website", _("Website")
    STORE = "store", _("Store")
    DOOR_TO_DOOR = "door_to_door", _("Door to door")
    PHONE = "phone", _("Phone")
    PARTNER = "partner", _("Partner")
    OTHER = "other", _("Other")


class LeadStage(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    PROPOSAL_SENT = "proposal_sent", _("Proposal sent")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class LostReason(models.TextChoices):
    PRICE = "price", _("Price")
    NO_COVERAGE = "no_coverage", _("No coverage")
    COMPETITOR = "competitor", _("Chose a competitor")
    NO_RESPONSE = "no_response", _("No response")
    NOT_INTERESTED = "not_interested", _("Not interested")
    OTHER = "other", _("Other")


class ViabilityReason(models.TextChoices):
    VIABLE = "viable", _("Viable")
    ADDRESS_NOT_FOUND = "address_not_found", _("Address not found")
    OUTSIDE_COVERAGE = "outside_coverage", _("Outside every coverage area")
    NO_BOX_WITHIN_REACH = "no_box_within_reach", _("No box within the drop length")
    NO_FREE_PORT = "no_free_port", _("No free port on the boxes within reach")
    OFF_NETWORK = "off_network", _("Too far from any street")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REJECTED = "rejected", _("Rejected")


class SendingStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class CommissionRole(models.TextChoices):
    SELLER = "seller", _("The rep who sold")
    TEAM_LEADER = "team_leader", _("The rep's team leader")


class CommissionKind(models.TextChoices):
    PERCENT = "percent", _("Percentage of the monthly value")
    FIXED = "fixed", _("Fixed amount")
