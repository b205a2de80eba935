"""Celery entry points of the results: thin, idempotent, each calls one service.

The services are imported inside each task: this module is loaded when Django starts (so the
registry knows the tasks by name in every process), and the services pull in the statistics
libraries (scipy), which a web request, an export or a management command should not pay for.
"""
import logging

from celery import shared_task
from django.db import OperationalError


@shared_task(name="analytics.results_recompute", acks_late=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def results_recompute_task(questionnaire_id: int, force: bool = False) -> str:
    from analytics.results.services import results_recompute_queued

    return results_recompute_queued(questionnaire_id=questionnaire_id, force=force)


@shared_task(name="analytics.results_recompute_all")
def results_recompute_all_task() -> int:
    from analytics.results.services import results_recompute_all

    return results_recompute_all()


def results_resume_on_worker_ready(**kwargs) -> None:
    """celery.signals.worker_ready receiver (connected in AnalyticsConfig.ready): finish what a lost worker left."""
    try:
        from analytics.results.services import results_resume_pending

        results_resume_pending()
    except Exception:  # never keep a worker from starting
        logging.getLogger(__name__).exception("could not resume unfinished results recomputes")
