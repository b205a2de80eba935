"""Export jobs in the admin: who exported what, progress, and the download link while it lasts."""
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from analytics.data.export.jobs import export_jobs_visible
from analytics.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "questionnaire", "format", "status", "progress", "rows", "created_by", "download")
    list_filter = ("status", "format", "questionnaire")
    readonly_fields = [f.name for f in ExportJob._meta.fields] + ["download"]

    def get_queryset(self, request):
        return export_jobs_visible(user=request.user)

    def has_add_permission(self, request):
        return False  # jobs are started from the exports page, which checks who may export identifiers

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="file")
    def download(self, job: ExportJob):
        if not job.is_downloadable(timezone.now()):
            return "expired" if job.status == ExportJob.Status.DONE else "—"
        url = reverse("data:export_download", kwargs={"key": job.key})
        until = timezone.localtime(job.expires_at).strftime("%Y-%m-%d %H:%M") if job.expires_at else "no expiry"
        # format_html escapes its arguments to strings first, so a date format spec cannot go in it
        return format_html('<a href="{}">download</a> (until {})', url, until)
