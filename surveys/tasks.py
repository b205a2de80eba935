"""Celery entry points of the outbox: flush what the broker did not take, prune what it did."""
from celery import shared_task

from surveys.outbox import outbox_flush, outbox_prune


@shared_task(name="surveys.outbox_flush")
def outbox_flush_task() -> int:
    return outbox_flush()


@shared_task(name="surveys.outbox_prune")
def outbox_prune_task() -> int:
    return outbox_prune()


def outbox_flush_on_worker_ready(**kwargs) -> None:
    """celery.signals.worker_ready receiver: a worker that starts sends what waited for the broker."""
    import logging

    try:
        outbox_flush()
    except Exception:  # never keep a worker from starting
        logging.getLogger(__name__).exception("could not flush the outbox")
