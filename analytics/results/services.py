"""Writes of the analytics app: scheduling, recomputing and storing results.

Scheduling coalesces: a submission sets a 'pending' flag (cache.add) and only the submission
that set it enqueues a task, with a short countdown; the task clears the flag *before* it reads,
so anything committed later schedules the next run. One recompute per questionnaire runs at a
time (a PostgreSQL advisory lock, released by the server if the worker dies; a cache lock
elsewhere). Storing is a compare-and-set on `snapshot_at`: an older run never overwrites a newer
result, and a failed run leaves the last good result in place with the error next to it.
"""
from __future__ import annotations

import logging
import time
import traceback
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from analytics.models import RecomputeRun, ResultSet, Weighting
from analytics.reports import default_group, filter_columns
from analytics.results import selectors
from analytics.results.payloads import CATALOGUE_VERSION, payload_columns, result_payloads_each
from analytics.results.scopes import META_FILTERS, scope_key, scope_resolve
from analytics.results.weights import RAKE_FIELDS
from surveys.dispatch import enqueue, tasks_run_inline
from surveys.models import Questionnaire

logger = logging.getLogger(__name__)
LOCK_NAMESPACE = 5_000_005  # first key of pg_try_advisory_lock(int, int): "analytics recompute"
RECOMPUTE_TASK = "analytics.results_recompute"
BUSY, FAILED, MISSING, OK, UNCHANGED = "busy", "failed", "missing", "ok", "unchanged"


def _key(kind: str, questionnaire_id: int) -> str:
    # the database name too: two databases (staging and production, parallel test runs) may share a Redis
    return f"analytics:recompute:{kind}:{connection.settings_dict['NAME']}:{questionnaire_id}"


def _pending_key(questionnaire_id: int) -> str:
    return _key("pending", questionnaire_id)


def _last_key(questionnaire_id: int) -> str:
    return _key("last-start", questionnaire_id)


# ------------------------------------------------------------------ scheduling
def results_schedule_recompute(*, questionnaire_id: int) -> None:
    """Called by surveys.answering.saves.response_submit: recompute once the transaction has committed."""
    transaction.on_commit(lambda: results_request_recompute(questionnaire_id=questionnaire_id))


def results_request_recompute(*, questionnaire_id: int, countdown: float | None = None) -> bool:
    """Enqueue one recompute unless one is already waiting to start; True when this call enqueued it."""
    if not cache.add(_pending_key(questionnaire_id), time.time(), timeout=settings.ANALYTICS_PENDING_SECONDS):
        return False
    ResultSet.objects.filter(questionnaire_id=questionnaire_id, key=ResultSet.ALL).update(requested_at=timezone.now())
    if countdown is None:  # a short wait batches a burst; during a long burst, runs start at most every interval
        since_last = time.time() - (cache.get(_last_key(questionnaire_id)) or 0)
        countdown = max(settings.ANALYTICS_COALESCE_SECONDS,
                        settings.ANALYTICS_MIN_INTERVAL_SECONDS - since_last)
    return results_enqueue(questionnaire_id=questionnaire_id, countdown=countdown)


def results_enqueue(*, questionnaire_id: int, countdown: float = 0, force: bool = False) -> bool:
    try:
        enqueue(RECOMPUTE_TASK, questionnaire_id, force=force, countdown=countdown, on_commit=False)
        return True
    except Exception:  # a broker outage must not fail the submission that asked for results
        logger.exception("could not enqueue the results recompute of questionnaire %s", questionnaire_id)
        cache.delete(_pending_key(questionnaire_id))
        return False


def results_recompute_queued(*, questionnaire_id: int, force: bool = False) -> str:
    """What the task runs: recompute, or come back later when another run holds the lock."""
    outcome = results_recompute(questionnaire_id=questionnaire_id, force=force, trigger="task")
    if outcome == BUSY and not tasks_run_inline():
        results_enqueue(questionnaire_id=questionnaire_id, countdown=settings.ANALYTICS_BUSY_RETRY_SECONDS,
                        force=force)
    return outcome


def results_recompute_all() -> int:
    """Periodic full recompute (Celery beat): one forced run per questionnaire with results or responses."""
    ids = set(ResultSet.objects.values_list("questionnaire_id", flat=True))
    ids |= set(Questionnaire.objects.filter(versions__responses__status="submitted").values_list("pk", flat=True))
    for questionnaire_id in sorted(ids):
        results_enqueue(questionnaire_id=questionnaire_id, force=True)
    return len(ids)


def results_resume_pending() -> int:
    """On worker start: re-run what a lost worker left unfinished (asked for, but not stored since)."""
    asked = ResultSet.objects.filter(key=ResultSet.ALL, requested_at__isnull=False).filter(
        Q(snapshot_at__isnull=True) | Q(snapshot_at__lt=F("requested_at"))).values_list("questionnaire_id", flat=True)
    running = RecomputeRun.objects.filter(status=RecomputeRun.Status.RUNNING).values_list("questionnaire_id", flat=True)
    ids = sorted(set(asked) | set(running))
    for questionnaire_id in ids:
        results_enqueue(questionnaire_id=questionnaire_id)
    return len(ids)


# ------------------------------------------------------------------ recomputing
@contextmanager
def _recompute_lock(questionnaire_id: int):
    if connection.vendor == "postgresql":  # released by the server when the worker's connection dies
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, questionnaire_id])
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, questionnaire_id])
        return
    key, token = _key("lock", questionnaire_id), uuid.uuid4().hex
    held = cache.add(key, token, timeout=settings.ANALYTICS_LOCK_SECONDS)
    try:
        yield held
    finally:
        if held and cache.get(key) == token:
            cache.delete(key)


def results_recompute(*, questionnaire_id: int, force: bool = False, trigger: str = "") -> str:
    """Recompute every stale result set of a questionnaire; returns ok/unchanged/failed/busy/missing."""
    questionnaire = Questionnaire.objects.filter(pk=questionnaire_id).first()
    if questionnaire is None:  # deleted since it was scheduled
        return MISSING
    with _recompute_lock(questionnaire_id) as held:
        if not held:
            return BUSY
        cache.delete(_pending_key(questionnaire_id))  # before reading: later commits schedule a new run
        cache.set(_last_key(questionnaire_id), time.time(), timeout=3600)
        return _recompute_locked(questionnaire, force=force, trigger=trigger)


def _recompute_locked(questionnaire: Questionnaire, *, force: bool, trigger: str) -> str:
    started = timezone.now()
    RecomputeRun.objects.filter(questionnaire=questionnaire, status=RecomputeRun.Status.RUNNING).update(
        status=RecomputeRun.Status.INTERRUPTED, finished_at=started, error="The worker stopped before finishing.")
    result_sets_ensure(questionnaire=questionnaire)
    summary = selectors.results_summary(questionnaire=questionnaire)
    fingerprint = f"{selectors.results_fingerprint(summary)}|{_config_stamp(questionnaire)}"
    sets = ResultSet.objects.filter(questionnaire=questionnaire)
    empty = set(sets.filter(payload__isnull=True).values_list("pk", flat=True))
    stale = [s for s in sets.defer("payload") if force or s.pk in empty or s.fingerprint != fingerprint]
    stale.sort(key=lambda s: (s.key != ResultSet.ALL, not s.is_default, s.pk))  # what a submission waits for first
    if not stale:
        RecomputeRun.objects.create(questionnaire=questionnaire, trigger=trigger, started_at=started,
                                    finished_at=timezone.now(), status=RecomputeRun.Status.UNCHANGED, duration_ms=0)
        return UNCHANGED
    run = RecomputeRun.objects.create(questionnaire=questionnaire, trigger=trigger, started_at=started)
    clock = time.perf_counter()
    written = 0
    try:
        # the columns of every set, stale or not, so the next run's refresh finds the same frame
        columns = payload_columns(questionnaire=questionnaire, result_sets=list(sets))
        frame = selectors.results_frame(questionnaire=questionnaire, full=force, summary=summary, columns=columns)
        # each set stored as soon as it is computed: the result of all responses first
        for result_set_id, payload in result_payloads_each(questionnaire=questionnaire, frame=frame,
                                                           result_sets=stale):
            written += results_store(result_set_id=result_set_id, payload=payload, snapshot_at=started,
                                     fingerprint=fingerprint,
                                     duration_ms=int(1000 * (time.perf_counter() - clock)))
    except Exception as exc:
        _record_failure(questionnaire, run, started, exc)
        if isinstance(exc, OperationalError):
            raise  # the task retries transient database errors
        return FAILED
    duration = int(1000 * (time.perf_counter() - clock))
    RecomputeRun.objects.filter(pk=run.pk).update(status=RecomputeRun.Status.OK, finished_at=timezone.now(),
                                                  n_responses=len(frame), sets_written=written, duration_ms=duration)
    return OK


def _config_stamp(questionnaire: Questionnaire) -> str:
    weighting = Weighting.objects.filter(questionnaire=questionnaire).values_list("updated_at", flat=True).first()
    stamp = f"{CATALOGUE_VERSION}:{weighting.isoformat() if weighting else '-'}"
    # tables declared in the definition change with a new version: its checksum makes the results stale
    latest = questionnaire.versions.order_by("-number").values_list("checksum", "definition__tables").first()
    return f"{stamp}:{latest[0][:12]}" if latest and latest[1] else stamp


def results_store(*, result_set_id: int, payload: dict, snapshot_at, fingerprint: str = "",
                  duration_ms: int | None = None) -> bool:
    """Compare-and-set: store only when no run that began later has stored its result already."""
    stale = Q(snapshot_at__isnull=True) | Q(snapshot_at__lt=snapshot_at)
    return ResultSet.objects.filter(stale, pk=result_set_id).update(
        payload=payload, n_responses=payload.get("n"), snapshot_at=snapshot_at, computed_at=timezone.now(),
        fingerprint=fingerprint, duration_ms=duration_ms, last_error="") == 1


def _record_failure(questionnaire: Questionnaire, run: RecomputeRun, started, exc: Exception) -> None:
    logger.exception("results recompute of %s failed", questionnaire.code)
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:]
    now = timezone.now()
    ResultSet.objects.filter(questionnaire=questionnaire).filter(
        Q(snapshot_at__isnull=True) | Q(snapshot_at__lt=started)).update(last_error=text, last_error_at=now)
    RecomputeRun.objects.filter(pk=run.pk).update(status=RecomputeRun.Status.FAILED, finished_at=now, error=detail)


# ------------------------------------------------------------------ result sets (scopes)
def result_sets_ensure(*, questionnaire: Questionnaire) -> list[ResultSet]:
    """The system's scopes: all waves, and each wave when there is more than one."""
    group = default_group(questionnaire.code)
    wanted = [(ResultSet.ALL, {})]
    waves = selectors.waves_with_responses(questionnaire=questionnaire)
    if len(waves) > 1:
        wanted += [(scope_key({"wave": [w.code]}), {"wave": [w.code]}) for w in waves]
    for key, filters in wanted:
        ResultSet.objects.get_or_create(questionnaire=questionnaire, key=key,
                                        defaults={"filters": filters, "group": group, "is_default": True})
    return list(ResultSet.objects.filter(questionnaire=questionnaire))


def result_set_for(*, questionnaire: Questionnaire, filters: dict, group: str = "", user=None) -> ResultSet:
    """The stored scope for an analyst's filters and grouping, created (empty, then computed) on first use."""
    filters, group, key = scope_resolve(questionnaire.code, filters, group)
    allowed = set(META_FILTERS) | set(filter_columns(questionnaire.code).values()) | set(
        selectors.variable_meta(questionnaire=questionnaire))
    unknown = sorted(set(filters) - allowed) + ([group] if group and group not in allowed else [])
    if unknown:
        raise ValueError(f"unknown filter or grouping variable: {', '.join(unknown)}")
    result_set, created = ResultSet.objects.get_or_create(
        questionnaire=questionnaire, key=key,
        defaults={"filters": filters, "group": group or default_group(questionnaire.code), "created_by": user,
                  "is_default": key == ResultSet.ALL})
    if created:
        _prune_views(questionnaire)
    return result_set


def _prune_views(questionnaire: Questionnaire) -> None:
    keep = settings.ANALYTICS_MAX_VIEWS
    extra = ResultSet.objects.filter(questionnaire=questionnaire, is_default=False).order_by("-created_at")[keep:]
    ResultSet.objects.filter(pk__in=list(extra.values_list("pk", flat=True))).delete()


# ------------------------------------------------------------------ weighting (population snapshot, issue 4)
def results_weighting_set(*, questionnaire: Questionnaire, population: dict | None = None, stratum_column: str = "",
                          weight_column: str = "", source: str = "", rake_by: list[str] | None = None) -> Weighting:
    """Weights for a questionnaire's results: {stratum: N_h} with a stratum column, a weight column, or
    (with neither) the platform's drawn samples, raked to the register margins in `rake_by` if given."""
    if population and not stratum_column:
        raise ValueError("a population {stratum: N_h} needs its stratum column")
    unknown = sorted(set(rake_by or []) - set(RAKE_FIELDS))
    if unknown:
        raise ValueError(f"cannot rake by {', '.join(unknown)}; use {', '.join(sorted(RAKE_FIELDS))}")
    weighting, _ = Weighting.objects.update_or_create(
        questionnaire=questionnaire, defaults={"population": {str(k): v for k, v in (population or {}).items()},
                                               "stratum_column": stratum_column, "weight_column": weight_column,
                                               "source": source, "rake_by": list(rake_by or [])})
    transaction.on_commit(lambda: results_request_recompute(questionnaire_id=questionnaire.pk, countdown=0))
    return weighting


def results_weighting_clear(*, questionnaire: Questionnaire) -> None:
    Weighting.objects.filter(questionnaire=questionnaire).delete()
    transaction.on_commit(lambda: results_request_recompute(questionnaire_id=questionnaire.pk, countdown=0))
