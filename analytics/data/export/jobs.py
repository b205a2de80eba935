"""Exports of a questionnaire's responses: one call for the command line, a job for the web.

`export_write` does the work (read model -> ExportTable -> one writer, see analytics.data.export);
`export_job_create` queues the same work as a Celery job whose file lands in MEDIA_ROOT/exports
and can be downloaded by staff until it expires (EXPORT_LINK_HOURS, default 24).

Firm identifiers (tax id, name, contacts) are left out unless asked for AND the user holds the
permission `analytics.export_identifiers` (or `surveys.view_firm_contacts`, the roles' name for it).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db.models import Q
from django.utils import timezone

from analytics.data.export.options import ExportOptions
from analytics.data.export.paradata import paradata_zip
from analytics.data.export.table import export_table
from analytics.data.export.writers import write_export
from analytics.models import ExportJob
from surveys.dispatch import enqueue
from surveys.models import Questionnaire

IDENTIFIER_PERMISSIONS = ("analytics.export_identifiers", "surveys.view_firm_contacts")
ALL_EXPORTS_PERMISSION = "analytics.access_all_exports"
STALE_RUN = dt.timedelta(hours=2)


def may_export_identifiers(user) -> bool:
    return bool(user and user.is_active and any(user.has_perm(p) for p in IDENTIFIER_PERMISSIONS))


def export_jobs_visible(*, user):
    """The export jobs a user may list and download: their own, or every one with the permission
    `analytics.access_all_exports` (an export is a copy of the answers; analysts do not share them)."""
    jobs = ExportJob.objects.select_related("created_by", "questionnaire")
    return jobs if user.has_perm(ALL_EXPORTS_PERMISSION) else jobs.filter(created_by=user)


def export_write(*, questionnaire: Questionnaire, options: ExportOptions, path: Path,
                 progress: Callable[[float], None] | None = None) -> int:
    """Write one export file; returns the number of responses in it (paradata: of page rows)."""
    if options.is_paradata:
        return paradata_zip(questionnaire=questionnaire, fmt=options.format, path=Path(path), waves=options.waves)
    table = export_table(questionnaire, options)
    write_export(table, Path(path), progress)
    return table.rows


def export_job_create(*, questionnaire: Questionnaire, options: ExportOptions, user=None) -> ExportJob:
    if options.include_identifiers and not may_export_identifiers(user):
        raise PermissionDenied("Your role does not allow exporting firm identifiers.")
    job = ExportJob.objects.create(questionnaire=questionnaire, created_by=user, format=options.format,
                                   options=options.to_json())
    enqueue("analytics.export_job_run", job.pk)
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Run a queued job; a job already done or deleted is left alone (the task may be delivered twice)."""
    now = timezone.now()
    # a job still "running" long after it started lost its worker (acks_late redelivers the task)
    claimable = Q(status__in=[ExportJob.Status.QUEUED, ExportJob.Status.FAILED]) | Q(
        status=ExportJob.Status.RUNNING, started_at__lt=now - STALE_RUN)
    claimed = ExportJob.objects.filter(claimable, pk=job_id).update(
        status=ExportJob.Status.RUNNING, started_at=now, progress=0, error="")
    if not claimed:
        return None
    job = ExportJob.objects.select_related("questionnaire").get(pk=job_id)
    options = ExportOptions.from_json(job.options)
    directory = Path(settings.MEDIA_ROOT) / "exports"
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"{job.questionnaire.code}-{stamp}-{job.key.hex[:8]}{options.extension}"
    partial = directory / (name + ".part")
    try:
        rows = export_write(questionnaire=job.questionnaire, options=options, path=partial,
                            progress=lambda f: _progress(job_id, f))
        partial.rename(directory / name)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, error=repr(exc)[:2000],
                                                   finished_at=timezone.now())
        raise
    now = timezone.now()
    job.file.name = f"exports/{name}"
    job.size = (directory / name).stat().st_size
    job.rows, job.status, job.progress, job.finished_at = rows, ExportJob.Status.DONE, 100, now
    job.expires_at = now + dt.timedelta(hours=settings.EXPORT_LINK_HOURS)
    job.save(update_fields=["file", "size", "rows", "status", "progress", "finished_at", "expires_at"])
    return job


def _progress(job_id: int, fraction: float) -> None:
    ExportJob.objects.filter(pk=job_id).update(progress=min(99, int(fraction * 100)))


def export_jobs_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files of expired jobs (the rows stay as a record of who exported what)."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).exclude(file=""):
        job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(file="")
        count += 1
    return count


def export_job_file(job: ExportJob) -> File:
    return job.file.open("rb")
