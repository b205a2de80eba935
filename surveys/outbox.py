"""The outbox: work for the Celery broker is written to the database with the change that asked
for it, and sent when the broker answers.

`outbox_enqueue` inserts one row in the caller's transaction, claimed by its writer for
OUTBOX_LEASE_SECONDS; after the commit the writer sends it and marks it dispatched. A rollback
removes the row with the change, so no task runs for a change that never happened. A broker
that does not answer leaves the row pending (the error on the row, nothing raised to the user);
`outbox_flush` (Celery beat, `manage.py outbox_flush`, a starting worker, and a nudge from the
next successful send) sends pending rows later. Flushers claim rows under
`select_for_update(skip_locked)` and a lease, so two flushers never send the same row; a sender
that dies between the broker's acceptance and the `dispatched_at` update leaves a claim that
lapses, and the row goes again: delivery is at least once, and every task is idempotent.
"""
from __future__ import annotations

import datetime as dt
import logging
import time

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from surveys.models import OutboxMessage

log = logging.getLogger(__name__)
FLUSH_TASK = "surveys.outbox_flush"
UNKNOWN_TASK_RETRY = dt.timedelta(days=1)  # a task this code does not know: retried daily (a rollback may restore it)
_state = {"failed": False, "checked": 0.0}  # this process: a send failed since the last flush nudge; last look


def outbox_enqueue(*, task_name: str, args: tuple, kwargs: dict, countdown: float | None, on_commit: bool) -> None:
    now = timezone.now()
    eta = now + dt.timedelta(seconds=countdown) if countdown else None
    if not on_commit:
        # No change to commit with: send first, then one INSERT saying how it went (the respondent's
        # submit pays this for the coalesced results recompute, so it stays one statement).
        error = _publish(task_name, list(args), kwargs, eta)
        OutboxMessage.objects.create(task=task_name, args=list(args), kwargs=kwargs, eta=eta, attempts=1,
                                     dispatched_at=None if error else timezone.now(), last_error=error or "")
        _after_send(error, nudge=True)
        return
    row = OutboxMessage.objects.create(task=task_name, args=list(args), kwargs=kwargs, eta=eta,
                                       claimed_until=now + _lease())
    transaction.on_commit(lambda: _deliver_safely(row))


def outbox_flush(*, limit: int | None = None) -> int:
    """Send pending rows whose claim has lapsed, oldest first; stop at the first broker failure.
    Returns the number sent."""
    limit = limit or settings.OUTBOX_FLUSH_LIMIT
    sent = 0
    while sent < limit:
        rows = _claim(min(settings.OUTBOX_BATCH, limit - sent))
        if not rows:
            break
        for index, row in enumerate(rows):
            outcome = _deliver(row, nudge=False)
            if outcome is None:  # the broker is away: release the rest for the next flush
                _release([r.pk for r in rows[index + 1:]])
                return sent
            sent += outcome
    return sent


def outbox_pending(*, now: dt.datetime | None = None):
    """Rows not yet accepted by the broker whose claim has lapsed (what a flush would send)."""
    now = now or timezone.now()
    return OutboxMessage.objects.filter(dispatched_at__isnull=True).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def outbox_prune(*, now: dt.datetime | None = None) -> int:
    """Delete dispatched rows older than OUTBOX_KEEP_DAYS; pending rows are work and stay."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.OUTBOX_KEEP_DAYS)
    return OutboxMessage.objects.filter(dispatched_at__lt=cutoff).delete()[0]


# ------------------------------------------------------------------ sending
def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _claim(count: int) -> list[OutboxMessage]:
    now = timezone.now()
    with transaction.atomic():
        rows = list(outbox_pending(now=now).select_for_update(skip_locked=True).order_by("pk")[:count])
        OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(claimed_until=now + _lease())
    return rows


def _release(ids: list[int]) -> None:
    if ids:
        OutboxMessage.objects.filter(pk__in=ids, dispatched_at__isnull=True).update(claimed_until=None)


def _deliver(row: OutboxMessage, *, nudge: bool) -> int | None:
    """Send one claimed row: 1 sent, 0 not sendable (unknown task), None the broker failed."""
    if row.task not in current_app.tasks:
        OutboxMessage.objects.filter(pk=row.pk).update(
            claimed_until=timezone.now() + UNKNOWN_TASK_RETRY, last_error=f"unknown task {row.task!r}",
            attempts=F("attempts") + 1)
        log.error("outbox row %s names an unknown task %r", row.pk, row.task)
        return 0
    error = _publish(row.task, row.args, row.kwargs, row.eta)
    done = {"dispatched_at": timezone.now(), "last_error": ""} if error is None else {"last_error": error}
    OutboxMessage.objects.filter(pk=row.pk).update(claimed_until=None, attempts=F("attempts") + 1, **done)
    _after_send(error, nudge=nudge)
    return None if error else 1


def _deliver_safely(row: OutboxMessage) -> None:
    """The after-commit send of a request: whatever fails, the row is kept and the user's action stands."""
    try:
        _deliver(row, nudge=True)
    except Exception:  # the database went away after the commit: the claim lapses, a flush sends it
        log.exception("outbox row %s left for the flush", row.pk)


def _publish(task_name: str, args: list, kwargs: dict, eta: dt.datetime | None) -> str | None:
    """Hand a task to the broker; None when accepted, else the error."""
    task = current_app.tasks[task_name]
    countdown = max(0.0, (eta - timezone.now()).total_seconds()) if eta else None
    try:
        if countdown is None and not kwargs:
            task.delay(*args)
        else:
            task.apply_async(args, kwargs, countdown=countdown)
    except Exception as exc:  # connection refused, timeouts, authentication: the row stays pending
        log.warning("broker did not take %s: %s", task_name, exc)
        return f"{type(exc).__name__}: {exc}"[:1000]
    return None


def _after_send(error: str | None, *, nudge: bool) -> None:
    """After a failure, remember it; after a success, ask a worker to flush what earlier failures
    left (at once after a failure seen here, else at most every OUTBOX_CHECK_SECONDS)."""
    if error is not None:
        _state["failed"] = True
        return
    if not nudge:
        return
    recently = time.monotonic() - _state["checked"] < settings.OUTBOX_CHECK_SECONDS
    if recently and not _state["failed"]:
        return
    _state["checked"], _state["failed"] = time.monotonic(), False
    if outbox_pending().exists() and _publish(FLUSH_TASK, [], {}, None) is not None:
        _state["failed"] = True


def outbox_state_reset() -> None:
    """Forget this process's memory of failed sends (tests)."""
    _state.update(failed=False, checked=0.0)
