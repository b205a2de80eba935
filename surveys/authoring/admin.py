"""Admin: uploaded definition drafts (read-only; the authoring page publishes them) and wave settings."""
from django.contrib import admin

from surveys.models import DefinitionDraft, WaveSettings


@admin.register(DefinitionDraft)
class DefinitionDraftAdmin(admin.ModelAdmin):
    list_display = ("source_name", "code", "source_format", "created_at", "uploaded_by", "published_version")
    list_filter = ("source_format",)
    search_fields = ("code", "source_name")
    exclude = ("source_file",)
    readonly_fields = [f.name for f in DefinitionDraft._meta.fields if f.name != "source_file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WaveSettings)
class WaveSettingsAdmin(admin.ModelAdmin):
    list_display = ("wave", "languages", "contact_name", "contact_email", "prefill")
