"""Admin for telephone fieldwork (outcome codes, cases, calls) and the audit log (read-only)."""
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.html import format_html, format_html_join

from surveys.accounts.roles import INTERVIEWER
from surveys.models import AnswerEdit, CallAttempt, CaseEvent, CatiCase, Firm, Invitation, OutcomeCode


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit rows are written by the system only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def changes_table(changes: dict):
    """{key: [old, new]} as a small old -> new table."""
    if not changes:
        return "—"
    rows = format_html_join("", "<tr><th>{}</th><td>{}</td><td>→ {}</td></tr>",
                            ((k, _plain(old), _plain(new)) for k, (old, new) in changes.items()))
    return format_html('<table class="audit-changes">{}</table>', rows)


def _plain(value) -> str:
    return "—" if value in (None, "", []) else str(value)


@admin.register(OutcomeCode)
class OutcomeCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "aapor_code", "callback_minutes", "retry", "contacted", "needs_appointment",
                    "offered", "position")
    list_editable = ("callback_minutes", "retry", "position")


class CallInline(admin.TabularInline):
    model = CallAttempt
    extra = 0
    can_delete = False
    fields = ("called_at", "interviewer", "outcome", "appointment_at", "number", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CatiCase)
class CatiCaseAdmin(admin.ModelAdmin):
    list_display = ("pk", "firm", "wave", "interviewer", "attempts", "last_outcome", "disposition", "next_call_at",
                    "appointment_at", "closed", "lock", "origin")
    list_editable = ("interviewer",)
    list_filter = ("closed", "origin", "interviewer", "last_outcome", "invitation__wave")
    search_fields = ("invitation__firm__name", "invitation__firm__identifier")
    raw_id_fields = ("invitation",)
    readonly_fields = ("attempts", "last_outcome", "last_called_at", "locked_by", "locked_until", "locked_at",
                       "created_at", "origin")
    list_select_related = ("invitation__firm", "invitation__wave", "interviewer", "last_outcome", "locked_by")
    actions = ["release_locks", "reopen"]
    inlines = [CallInline]

    @admin.display(description="firm")
    def firm(self, obj):
        return obj.invitation.firm.name

    @admin.display(description="wave")
    def wave(self, obj):
        return obj.invitation.wave

    @admin.display(description="locked by")
    def lock(self, obj):
        return obj.locked_by or ""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "interviewer":  # only people who can call
            kwargs["queryset"] = get_user_model().objects.filter(
                Q(groups__name=INTERVIEWER) | Q(user_permissions__codename="conduct_cati") | Q(is_superuser=True)
            ).distinct().order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description="Release the locks of the selected cases", permissions=["change"])
    def release_locks(self, request, queryset):
        count = queryset.update(locked_by=None, locked_until=None, locked_at=None)
        self.message_user(request, f"{count} case(s) released.", messages.SUCCESS)

    @admin.action(description="Reopen the selected cases (back on the call list)", permissions=["change"])
    def reopen(self, request, queryset):
        count = queryset.update(closed=False, next_call_at=None)
        self.message_user(request, f"{count} case(s) reopened.", messages.SUCCESS)


@admin.register(CallAttempt)
class CallAttemptAdmin(ReadOnlyAdmin):
    list_display = ("called_at", "case", "interviewer", "outcome", "duration_seconds", "appointment_at")
    list_filter = ("outcome", "interviewer")
    list_select_related = ("case__invitation__firm", "interviewer", "outcome")
    date_hierarchy = "called_at"


@admin.register(AnswerEdit)
class AnswerEditAdmin(ReadOnlyAdmin):
    """Answers entered or changed by interviewers and staff: who, when, old and new values."""

    list_display = ("at", "actor", "response", "firm", "action", "mode", "module_code", "changed")
    list_filter = ("action", "mode", "actor")
    search_fields = ("response__invitation__firm__name", "actor__username")
    list_select_related = ("actor", "response__invitation__firm")
    date_hierarchy = "at"
    fields = ("at", "actor", "response", "action", "mode", "module_code", "revision", "changes_view")
    readonly_fields = fields

    @admin.display(description="firm")
    def firm(self, obj):
        return obj.response.invitation.firm.name

    @admin.display(description="changes")
    def changed(self, obj):
        return ", ".join(obj.changes)[:80] or "—"

    @admin.display(description="old → new")
    def changes_view(self, obj):
        return changes_table(obj.changes)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "invitation", "actor", "changes_view")
    list_filter = ("kind",)
    search_fields = ("invitation__firm__name",)
    list_select_related = ("invitation__firm", "invitation__wave", "actor")

    @admin.display(description="old → new")
    def changes_view(self, obj):
        return changes_table(obj.changes)


class HistoryLogAdmin(ReadOnlyAdmin):
    """Every change to a row, with the user, the time and the old and new values of the changed fields."""

    list_display = ("history_date", "history_user", "history_type", "record", "changes_view", "history_change_reason")
    list_filter = ("history_type", "history_user")
    date_hierarchy = "history_date"
    list_select_related = ("history_user",)

    @admin.display(description="record")
    def record(self, obj):
        return str(obj.instance)

    @admin.display(description="old → new")
    def changes_view(self, obj):
        previous = obj.prev_record
        if previous is None:
            return "created" if obj.history_type == "+" else "—"
        delta = obj.diff_against(previous)
        return changes_table({c.field: [c.old, c.new] for c in delta.changes})


@admin.register(Firm.history.model)
class FirmHistoryAdmin(HistoryLogAdmin):
    search_fields = ("name", "identifier")


@admin.register(Invitation.history.model)
class InvitationHistoryAdmin(HistoryLogAdmin):
    search_fields = ("firm__name",)
