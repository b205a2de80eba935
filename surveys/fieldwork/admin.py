"""Admin for fieldwork: samples and strata (read-only snapshots), messages, opt-outs, plans, imports, quotas."""
from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse

from surveys.fieldwork.mailing import bounce_record
from surveys.fieldwork.quotas import quota_problems
from surveys.models import (
    MailingPlan,
    Message,
    OptOut,
    PopulationImport,
    Quota,
    QuotaCell,
    Sample,
    Selection,
    Stratum,
    WaveTracking,
)


class StratumInline(admin.TabularInline):
    model = Stratum
    extra = 0
    can_delete = False
    fields = ("key", "population", "allocated", "spread", "take_all")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Sample)
class SampleAdmin(admin.ModelAdmin):
    """Samples are drawn on the staff page or with draw_sample; here they are read, never edited."""

    list_display = ("name", "wave", "allocation", "size", "population_size", "seed", "drawn_at", "created_by")
    list_filter = ("wave", "allocation")
    readonly_fields = [f.name for f in Sample._meta.fields]
    inlines = [StratumInline]

    def has_add_permission(self, request):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return redirect(reverse("fieldwork:waves"))


@admin.register(Selection)
class SelectionAdmin(admin.ModelAdmin):
    list_display = ("firm", "sample", "stratum", "invitation")
    list_filter = ("sample",)
    search_fields = ("firm__name", "firm__identifier")
    readonly_fields = ("sample", "stratum", "firm", "invitation")

    def has_add_permission(self, request):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("invitation", "kind", "status", "to_email", "attempts", "sent_at", "bounced_at")
    list_filter = ("status", "kind", "invitation__wave")
    search_fields = ("to_email", "message_id", "invitation__firm__name", "invitation__firm__identifier")
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["mark_bounced", "requeue_failed"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Record as bounced (undelivered)", permissions=["record_bounce"])
    def mark_bounced(self, request, queryset):
        marked = sum(bounce_record(message_id=m.message_id, reason=f"recorded by {request.user}")
                     for m in queryset.filter(status=Message.Status.SENT).exclude(message_id=""))
        self.message_user(request, f"{marked} messages recorded as bounced.", messages.SUCCESS)

    @admin.action(description="Queue failed messages again", permissions=["send_messages"])
    def requeue_failed(self, request, queryset):
        from surveys.fieldwork.mailing import schedule_dispatch

        count = queryset.filter(status=Message.Status.FAILED).update(status=Message.Status.QUEUED, attempts=0,
                                                                      dispatched_at=None, error="")
        schedule_dispatch()
        self.message_user(request, f"{count} messages queued again.", messages.SUCCESS)

    def has_record_bounce_permission(self, request):
        return request.user.has_perm("surveys.record_bounce")

    def has_send_messages_permission(self, request):
        return request.user.has_perm("surveys.send_messages")


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("invitation", "via", "reason", "created_at")
    list_filter = ("via", "invitation__wave")
    search_fields = ("invitation__firm__name", "invitation__firm__identifier")
    raw_id_fields = ("invitation",)


@admin.register(MailingPlan)
class MailingPlanAdmin(admin.ModelAdmin):
    list_display = ("wave", "reminder_days", "reminders_enabled")


@admin.register(PopulationImport)
class PopulationImportAdmin(admin.ModelAdmin):
    """Uploads happen on the staff import page (mapping, check, report); the admin lists them."""

    list_display = ("original_name", "status", "created_by", "created_at", "imported_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in PopulationImport._meta.fields]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect(reverse("fieldwork:import-upload"))


@admin.register(WaveTracking)
class WaveTrackingAdmin(admin.ModelAdmin):
    list_display = ("wave", "computed_at")
    readonly_fields = ("wave", "computed_at", "data")

    def has_add_permission(self, request):
        return False


class QuotaCellFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        quota = self.instance
        if not (quota.wave_id and isinstance(quota.variables, list)):
            return  # the quota's own form reports its errors
        cells = [f.cleaned_data["values"] for f in self.forms
                 if f.cleaned_data and not f.cleaned_data.get("DELETE") and "values" in f.cleaned_data]
        if any(not isinstance(c, dict) for c in cells):
            raise forms.ValidationError('Give each cell\'s values as an object, e.g. {"$SIZE": "SMALL"}.')
        problems = quota_problems(wave=quota.wave, variables=quota.variables, cells=cells)
        if problems:
            raise forms.ValidationError(problems)


class QuotaCellInline(admin.TabularInline):
    model = QuotaCell
    formset = QuotaCellFormSet
    extra = 2
    fields = ("position", "values", "label", "target")


class QuotaForm(forms.ModelForm):
    class Meta:
        model = Quota
        fields = ("wave", "name", "variables", "active")

    def clean(self):
        data = super().clean()
        variables = data.get("variables")
        if data.get("wave") and not (isinstance(variables, list) and variables):
            self.add_error("variables", 'Give a list of item codes or derived variables, e.g. ["$SIZE", "A1"].')
        elif data.get("wave"):
            for problem in quota_problems(wave=data["wave"], variables=variables, cells=[]):
                self.add_error("variables", problem)
        return data


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    """Quotas of a wave (docs/fieldwork.md#quotas): cells give one value per variable and a target."""

    form = QuotaForm
    inlines = [QuotaCellInline]
    list_display = ("name", "wave", "variables", "active")
    list_filter = ("wave", "active")
