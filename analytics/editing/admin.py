"""The editors' audit in the admin: every change and acceptance, read-only (changes go through the queue)."""
from django.contrib import admin

from analytics.models import RuleResult, ValueEdit


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the audit trail stays whole


@admin.register(ValueEdit)
class ValueEditAdmin(_ReadOnly):
    list_display = ("at", "editor", "questionnaire", "response", "action", "key", "old_value", "new_value", "reason")
    list_filter = ("questionnaire", "action", "reason")
    search_fields = ("key", "note", "editor__username")


@admin.register(RuleResult)
class RuleResultAdmin(_ReadOnly):
    list_display = ("response", "rule_id", "severity", "passed", "evaluated_at", "accepted_by")
    list_filter = ("questionnaire", "rule_id", "passed", "severity")
