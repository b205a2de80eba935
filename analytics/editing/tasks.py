"""Celery entry point of the editing: thin and idempotent (the rules of one response, then the scores)."""
from celery import shared_task
from django.db import OperationalError

from analytics.editing.edits import editing_run, editing_run_all


@shared_task(name="analytics.editing_run", acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=5)
def editing_run_task(response_id: int) -> list[str]:
    return editing_run(response_id=response_id)


@shared_task(name="analytics.editing_run_all", acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=5)
def editing_run_all_task(questionnaire_id: int) -> dict[str, int]:
    return editing_run_all(questionnaire_id=questionnaire_id)
