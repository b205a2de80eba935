"""Exports of a questionnaire's responses: one call for the command line, a job for the web.

`export_write` does the work (read model -> ExportTable -> one writer, see analytics.data.export);
`export_job_create` queues the same work as a Celery job whose file lands in MEDIA_ROOT/exports
and can be downloaded by staff until it expires (EXPORT_LINK_HOURS, default 24).

Firm identifiers (tax id, name, contacts) are left out unless asked for AND the user holds the
permission `analytics.export_identifiers` (or `surveys.view_firm_contacts`, the roles' name for it).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from analytics.data.export.options import ExportOptions
from analytics.data.export.paradata import paradata_zip
from analytics.data.export.table import export_table
from analytics.data.export.writers import write_export
from analytics.models import ExportJob
from surveys.dispatch import enqueue, tasks_run_inline
from surveys.models import OutboxMessage, Questionnaire

IDENTIFIER_PERMISSIONS = ("analytics.export_identifiers", "surveys.view_firm_contacts")
ALL_EXPORTS_PERMISSION = "analytics.access_all_exports"
RUN_TASK = "analytics.export_job_run"
log = logging.getLogger(__name__)


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
    enqueue(RUN_TASK, job.pk)
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Run a queued job; a job already done, running elsewhere or deleted is left alone (the task may
    be delivered twice). A job whose worker stopped writing its heartbeat is taken over."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(_claimable(now), pk=job_id).update(
        status=ExportJob.Status.RUNNING, started_at=now, heartbeat_at=now, progress=0, error="",
        attempts=F("attempts") + 1)
    if not claimed:
        return None
    job = ExportJob.objects.select_related("questionnaire").get(pk=job_id)
    options = ExportOptions.from_json(job.options)
    directory = exports_directory()
    _remove_partial(job, directory)  # what a killed run of this job left
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"{job.questionnaire.code}-{stamp}-{job.key.hex[:8]}{options.extension}"
    partial = directory / (name + ".part")
    try:
        with _heartbeat(job_id):
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


def exports_directory() -> Path:
    directory = Path(settings.MEDIA_ROOT) / "exports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _stale(now: dt.datetime) -> Q:
    """Running, but its worker has not written a heartbeat for EXPORT_STALE_SECONDS: the worker is gone."""
    limit = now - dt.timedelta(seconds=settings.EXPORT_STALE_SECONDS)
    return Q(status=ExportJob.Status.RUNNING) & (
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit))


def _claimable(now: dt.datetime) -> Q:
    return Q(status__in=[ExportJob.Status.QUEUED, ExportJob.Status.FAILED]) | (
        _stale(now) & Q(attempts__lt=settings.EXPORT_MAX_ATTEMPTS))


def _progress(job_id: int, fraction: float) -> None:
    ExportJob.objects.filter(pk=job_id).update(progress=min(99, int(fraction * 100)), heartbeat_at=timezone.now())


@contextmanager
def _heartbeat(job_id: int):
    """While the job runs in a worker, a thread stamps `heartbeat_at` every EXPORT_HEARTBEAT_SECONDS:
    a long read or write between two progress reports must not look like a dead worker."""
    if tasks_run_inline():  # in the request's process nobody else takes the job over
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.EXPORT_HEARTBEAT_SECONDS):
                ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
                    heartbeat_at=timezone.now())
        except Exception:  # the database away for a moment: the stale limit allows several misses
            log.warning("export job %s: heartbeat stopped", job_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"export-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _remove_partial(job: ExportJob, directory: Path) -> None:
    for leftover in directory.glob(f"*-{job.key.hex[:8]}*.part"):
        leftover.unlink(missing_ok=True)


def export_jobs_recover(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The beat job: restart jobs whose worker died (no heartbeat for EXPORT_STALE_SECONDS), fail those
    that lost EXPORT_MAX_ATTEMPTS workers, and send again jobs queued long ago whose task was sent
    but never started (a lost message); jobs whose task still waits in the outbox are the flush's."""
    now = now or timezone.now()
    done = {"restarted": 0, "failed": 0, "resent": 0}
    for job in ExportJob.objects.filter(_stale(now)):
        # conditional UPDATEs: of two recoveries at once only one acts on a job, and only that one
        # removes its partial file (the other might otherwise remove the restarted run's file)
        if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            failed = ExportJob.objects.filter(_stale(now), pk=job.pk).update(
                status=ExportJob.Status.FAILED, finished_at=now,
                error=f"The worker stopped {job.attempts} times while writing this export.")
            if failed:
                _remove_partial(job, exports_directory())
                done["failed"] += 1
        elif ExportJob.objects.filter(_stale(now), pk=job.pk).update(status=ExportJob.Status.QUEUED):
            _remove_partial(job, exports_directory())
            enqueue(RUN_TASK, job.pk)
            done["restarted"] += 1
    long_ago = now - dt.timedelta(seconds=settings.EXPORT_QUEUED_STALE_SECONDS)
    waiting = set(_jobs_in_outbox(since=long_ago))
    for job_id in ExportJob.objects.filter(status=ExportJob.Status.QUEUED, created_at__lt=long_ago).exclude(
            pk__in=waiting).values_list("pk", flat=True):
        enqueue(RUN_TASK, job_id)
        done["resent"] += 1
    return done


def _jobs_in_outbox(*, since: dt.datetime) -> list[int]:
    """Jobs whose run task is still in the outbox or was handed to the broker after `since`."""
    rows = OutboxMessage.objects.filter(task=RUN_TASK).filter(
        Q(dispatched_at__isnull=True) | Q(created_at__gte=since)).values_list("args", flat=True)
    return [args[0] for args in rows if args]


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
