"""Admin of the stored results: scopes and their errors, the recompute log, the design weights."""
from django.contrib import admin

from analytics.models import RecomputeRun, ResultSet, Weighting


@admin.register(ResultSet)
class ResultSetAdmin(admin.ModelAdmin):
    list_display = ["questionnaire", "key", "n_responses", "computed_at", "duration_ms", "has_error", "is_default"]
    list_filter = ["questionnaire", "is_default"]
    exclude = ["payload"]  # large; read it in the dashboard or with `manage.py report`
    readonly_fields = ["questionnaire", "key", "filters", "group", "is_default", "n_responses", "fingerprint",
                       "snapshot_at", "computed_at", "duration_ms", "requested_at", "last_error", "last_error_at",
                       "created_by"]

    @admin.display(boolean=True, description="error")
    def has_error(self, obj: ResultSet) -> bool:
        return obj.has_error()

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RecomputeRun)
class RecomputeRunAdmin(admin.ModelAdmin):
    list_display = ["questionnaire", "started_at", "status", "trigger", "n_responses", "sets_written", "duration_ms"]
    list_filter = ["questionnaire", "status"]
    readonly_fields = [f.name for f in RecomputeRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Weighting)
class WeightingAdmin(admin.ModelAdmin):
    list_display = ["questionnaire", "stratum_column", "weight_column", "source", "updated_at"]
