from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .choices import OptOutSource
from .models import Campaign, Delivery, MessageLog, OptOut
from .services import record_opt_out


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "channel", "status", "recipient_count", "created_by", "created_at",
                    "finished_at"]
    list_filter = ["channel", "status"]
    search_fields = ["name", "body", "protocol"]
    date_hierarchy = "created_at"
    exclude = ["area"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["idempotency_key", "campaign", "person", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "campaign__channel"]
    list_select_related = ["campaign", "person"]
    search_fields = ["idempotency_key", "provider_message_id", "person__name"]
    raw_id_fields = ["campaign", "person", "message"]


@admin.register(MessageLog)
class MessageLogAdmin(ReadOnlyAdmin):
    list_display = ["person", "channel", "destination", "subject", "created_at"]
    list_filter = ["channel"]
    list_select_related = ["person"]
    search_fields = ["person__name", "destination", "body"]
    raw_id_fields = ["person", "campaign"]


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["person", "channel", "source", "created_at"]
    list_filter = ["channel", "source"]
    search_fields = ["person__name", "person__mobile_phone", "person__email"]
    autocomplete_fields = ["person"]
    fields = ["person", "channel", "detail"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Through the service, so the consent flag and queued messages follow the opt-out."""
        saved = record_opt_out(obj.person, obj.channel, OptOutSource.STAFF, obj.detail)
        obj.pk, obj.source, obj.created_at = saved.pk, saved.source, saved.created_at
        obj._state.adding = False
