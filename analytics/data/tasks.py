"""Celery entry points of export jobs.

acks_late + reject_on_worker_lost: a job whose worker dies goes back to the queue instead of being
forgotten. Delivering it twice is harmless (export_job_run claims the job with a conditional UPDATE
and a live run keeps its heartbeat fresh), and a job that keeps killing its worker stops after
EXPORT_MAX_ATTEMPTS runs (export_jobs_recover), so a poison export cannot loop for ever.
"""
from celery import shared_task
from django.db import OperationalError

from analytics.data.export.jobs import export_job_run, export_jobs_recover


@shared_task(name="analytics.export_job_run", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def export_job_run_task(job_id: int) -> None:
    export_job_run(job_id=job_id)


@shared_task(name="analytics.export_jobs_recover")
def export_jobs_recover_task() -> dict[str, int]:
    return export_jobs_recover()
