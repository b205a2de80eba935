"""Admin of the surveys app: each part registers its own models."""
from django.contrib import admin

from surveys.api import admin as api_admin  # noqa: F401  personal API tokens
from surveys.authoring import admin as authoring_admin  # noqa: F401  definition drafts, wave settings
from surveys.cati import admin as cati_admin  # noqa: F401  telephone fieldwork and the audit log
from surveys.fieldwork import admin as fieldwork_admin  # noqa: F401  imports, samples, e-mail, tracking, quotas
from surveys.models import OutboxMessage
from surveys.questionnaire import admin as questionnaire_admin  # noqa: F401  questionnaires, responses


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Background work and whether the broker took it: read-only, for administrators (docs/running.md)."""
    list_display = ("pk", "task", "args", "created_at", "eta", "dispatched_at", "attempts", "last_error")
    list_filter = (("dispatched_at", admin.EmptyFieldListFilter), "task")
    search_fields = ("task",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
