"""Celery entry point of export jobs."""
from celery import shared_task
from django.db import OperationalError

from analytics.data.export.jobs import export_job_run


@shared_task(name="analytics.export_job_run", acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=3)
def export_job_run_task(job_id: int) -> None:
    export_job_run(job_id=job_id)
