"""Celery tasks of fieldwork: thin, idempotent interfaces to surveys.fieldwork.mailing and surveys.fieldwork.tracking.

Every task may run twice (acks_late, redelivery after a lost worker, beat and a manual run at
once): the services they call claim their rows or compare-and-set their results.
"""
from celery import shared_task
from django.db import OperationalError

from surveys.fieldwork.mailing import invitations_queue, messages_dispatch, messages_send_batch, reminders_run
from surveys.fieldwork.sequential import sequential_switch_all
from surveys.fieldwork.tracking import tracking_recompute, waves_in_fieldwork
from surveys.models import Sample, Wave

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="fieldwork.invitations_queue", **RETRY)
def invitations_queue_task(wave_id: int, sample_id: int | None = None) -> int:
    wave = Wave.objects.filter(pk=wave_id).first()
    if wave is None:  # deleted meanwhile: nothing to send
        return 0
    return invitations_queue(wave=wave, sample=Sample.objects.filter(pk=sample_id, wave=wave).first())


@shared_task(name="fieldwork.messages_dispatch", **RETRY)
def messages_dispatch_task(wave_id: int | None = None) -> int:
    return messages_dispatch(wave_id=wave_id)


@shared_task(name="fieldwork.messages_send_batch", **RETRY)
def messages_send_batch_task(message_ids: list[int]) -> dict[str, int]:
    return messages_send_batch(message_ids=message_ids)


@shared_task(name="fieldwork.reminders_run", **RETRY)
def reminders_run_task() -> dict[int, int]:
    return reminders_run()


@shared_task(name="fieldwork.tracking_recompute", **RETRY)
def tracking_recompute_task(wave_id: int) -> bool:
    return tracking_recompute(wave_id=wave_id)


@shared_task(name="fieldwork.tracking_recompute_open", **RETRY)
def tracking_recompute_open_task() -> int:
    waves = waves_in_fieldwork()
    for wave_id in waves:
        tracking_recompute_task.delay(wave_id)  # same module: no dispatch by name needed
    return len(waves)


@shared_task(name="fieldwork.sequential_switch", **RETRY)
def sequential_switch_task() -> dict[int, int]:
    return sequential_switch_all()
