"""Celery entry point of export jobs (registered through CELERY_IMPORTS in config/settings.py)."""
from celery import shared_task
from django.db import OperationalError


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def export_job_run_task(job_id: int) -> None:
    from analytics.data.export.jobs import export_job_run  # in-body import: the service imports this module

    export_job_run(job_id=job_id)
