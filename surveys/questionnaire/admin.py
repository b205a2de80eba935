"""Staff browse questionnaires, firms, invitations and responses; answers are read-only here."""
import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from surveys.models import (
    Choice,
    DerivedVariable,
    Firm,
    Invitation,
    Item,
    ItemRow,
    Module,
    Questionnaire,
    QuestionnaireVersion,
    ReferenceEntry,
    ReferenceList,
    Response,
    Wave,
)
from surveys.questionnaire.texts import pick


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VersionInline(ReadOnlyInline):
    model = QuestionnaireVersion
    fields = ("number", "checksum", "languages", "modes", "created_at")
    readonly_fields = fields


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("code", "english_title", "version_count")
    inlines = [VersionInline]

    @admin.display(description="title")
    def english_title(self, obj):
        return pick(obj.title, "en")

    @admin.display(description="versions")
    def version_count(self, obj):
        return obj.versions.count()


class ModuleInline(ReadOnlyInline):
    model = Module
    fields = ("position", "code", "relevance")
    readonly_fields = fields


class DerivedInline(ReadOnlyInline):
    model = DerivedVariable
    fields = ("position", "name", "expr", "note")
    readonly_fields = fields


@admin.register(QuestionnaireVersion)
class VersionAdmin(admin.ModelAdmin):
    """Versions are immutable: they change only through definition files (load_instruments)."""

    list_display = ("__str__", "number", "created_at", "checksum")
    list_filter = ("questionnaire",)
    readonly_fields = ("questionnaire", "number", "checksum", "languages", "modes", "missing_codes", "created_at")
    exclude = ("definition",)
    inlines = [ModuleInline, DerivedInline]

    def has_change_permission(self, request, obj=None):
        return False


class ChoiceInline(ReadOnlyInline):
    model = Choice
    fields = ("position", "code", "label", "exclusive", "is_other")
    readonly_fields = fields


class RowInline(ReadOnlyInline):
    model = ItemRow
    fields = ("position", "code", "label", "relevance", "is_column")
    readonly_fields = fields


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "module", "version", "required", "english_wording", "relevance")
    list_filter = ("version__questionnaire", "kind", "required")
    search_fields = ("code",)
    readonly_fields = [f.name for f in Item._meta.fields]
    inlines = [RowInline, ChoiceInline]

    @admin.display(description="wording")
    def english_wording(self, obj):
        return pick(obj.wording, "en")[:80]

    def has_change_permission(self, request, obj=None):
        return False


class EntryInline(admin.TabularInline):
    model = ReferenceEntry
    extra = 0
    fields = ("position", "code", "label", "definition", "attributes")


@admin.register(ReferenceList)
class ReferenceListAdmin(admin.ModelAdmin):
    list_display = ("code", "entry_count")
    inlines = [EntryInline]

    @admin.display(description="entries")
    def entry_count(self, obj):
        return obj.entries.count()


@admin.register(Firm)
class FirmAdmin(SimpleHistoryAdmin):  # history: who changed what (docs/roles.md)
    list_display = ("name", "identifier", "pseudonym", "district", "industry_code", "employees", "language")
    list_filter = ("language", "district", "region")
    search_fields = ("name", "identifier", "pseudonym")


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ("__str__", "version", "opens_at", "closes_at")
    list_filter = ("questionnaire",)


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ("firm", "wave", "language", "created_at", "opened_at", "status")
    list_filter = ("wave", "response__status")
    search_fields = ("firm__name", "firm__identifier")
    readonly_fields = ("token_hash", "created_at", "opened_at")
    exclude = ("token_salt",)

    @admin.display(description="status")
    def status(self, obj):
        return obj.response.status


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("pk", "firm", "version", "status", "mode", "language", "started_at", "submitted_at")
    list_filter = ("version__questionnaire", "status", "mode", "language")
    search_fields = ("invitation__firm__name", "invitation__firm__identifier")
    exclude = ("answers", "derived")
    readonly_fields = [f.name for f in Response._meta.fields if f.name not in ("answers", "derived")] + [
        "answers_table", "derived_table"]

    @admin.display(description="firm")
    def firm(self, obj):
        return obj.invitation.firm

    def _table(self, data: dict):
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>",
                                ((k, json.dumps(v, ensure_ascii=False)) for k, v in data.items()))
        return format_html("<table>{}</table>", rows) if data else "—"

    @admin.display(description="answers (read-only)")
    def answers_table(self, obj):
        return self._table(obj.answers)

    @admin.display(description="derived variables")
    def derived_table(self, obj):
        return self._table(obj.derived)

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return False


