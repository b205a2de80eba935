"""Celery tasks of fieldwork: thin, idempotent interfaces to surveys.fieldwork.mailing and surveys.fieldwork.tracking.

Every task may run twice (acks_late, redelivery after a lost worker, beat and a manual run at
once): the services they call claim their rows or compare-and-set their results.
"""
from celery import shared_task
from django.db import OperationalError

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def invitations_queue_task(wave_id: int, sample_id: int | None = None) -> int:
    from surveys.fieldwork.mailing import invitations_queue
    from surveys.models import Sample, Wave

    wave = Wave.objects.filter(pk=wave_id).first()
    if wave is None:  # deleted meanwhile: nothing to send
        return 0
    return invitations_queue(wave=wave, sample=Sample.objects.filter(pk=sample_id, wave=wave).first())


@shared_task(**RETRY)
def messages_dispatch_task(wave_id: int | None = None) -> int:
    from surveys.fieldwork.mailing import messages_dispatch

    return messages_dispatch(wave_id=wave_id)


@shared_task(**RETRY)
def messages_send_batch_task(message_ids: list[int]) -> dict[str, int]:
    from surveys.fieldwork.mailing import messages_send_batch

    return messages_send_batch(message_ids=message_ids)


@shared_task(**RETRY)
def reminders_run_task() -> dict[int, int]:
    from surveys.fieldwork.mailing import reminders_run

    return reminders_run()


@shared_task(**RETRY)
def tracking_recompute_task(wave_id: int) -> bool:
    from surveys.fieldwork.tracking import tracking_recompute

    return tracking_recompute(wave_id=wave_id)


@shared_task(**RETRY)
def tracking_recompute_open_task() -> int:
    from surveys.fieldwork.tracking import waves_in_fieldwork

    waves = waves_in_fieldwork()
    for wave_id in waves:
        tracking_recompute_task.delay(wave_id)
    return len(waves)
