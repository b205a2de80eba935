"""Recompute mechanics: idempotent runs, compare-and-set, failures, burst coalescing, resuming."""
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.utils import timezone

from analytics.models import RecomputeRun, ResultSet
from analytics.results.services import (
    LOCK_NAMESPACE,
    _pending_key,
    _recompute_lock,
    result_set_for,
    results_recompute,
    results_resume_pending,
    results_schedule_recompute,
    results_store,
    results_weighting_set,
)
from tests.analytics.conftest import rm_insert
from tests.analytics.datasets import italian_table2_rows

DELAY = "analytics.results.tasks.results_recompute_task.apply_async"


@pytest.fixture
def italian(instrument_a):
    rm_insert(instrument_a, italian_table2_rows())
    return instrument_a


def _main(questionnaire) -> ResultSet:
    return ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL)


def test_recompute_twice_gives_the_same_result_and_the_second_run_is_a_no_op(italian):
    assert results_recompute(questionnaire_id=italian.pk) == "ok"
    first = _main(italian)
    assert results_recompute(questionnaire_id=italian.pk) == "unchanged"
    assert _main(italian).payload == first.payload and _main(italian).computed_at == first.computed_at
    assert results_recompute(questionnaire_id=italian.pk, force=True) == "ok"
    assert _main(italian).payload == first.payload
    assert first.n_responses == 259
    assert list(RecomputeRun.objects.filter(questionnaire=italian).values_list("status", flat=True)) == [
        "ok", "unchanged", "ok"]


def test_new_submitted_rows_change_the_result(italian):
    results_recompute(questionnaire_id=italian.pk)
    rm_insert(italian, italian_table2_rows()[:10])
    rm_insert(italian, italian_table2_rows()[:5], status="started")  # not submitted: not counted
    assert results_recompute(questionnaire_id=italian.pk) == "ok"
    assert _main(italian).n_responses == 269


def test_an_older_run_never_overwrites_a_newer_result(italian):
    results_recompute(questionnaire_id=italian.pk)
    main = _main(italian)
    newer, older = main.snapshot_at, main.snapshot_at - timezone.timedelta(seconds=5)
    assert not results_store(result_set_id=main.pk, payload={"n": 1, "reports": {}}, snapshot_at=older)
    assert not results_store(result_set_id=main.pk, payload={"n": 1, "reports": {}}, snapshot_at=newer)
    assert _main(italian).n_responses == 259
    assert results_store(result_set_id=main.pk, payload={"n": 2, "reports": {}},
                         snapshot_at=newer + timezone.timedelta(seconds=1))
    assert _main(italian).n_responses == 2


def test_a_failed_run_keeps_the_last_good_result_and_records_the_error(italian):
    results_recompute(questionnaire_id=italian.pk)
    good = _main(italian)
    results_weighting_set(questionnaire=italian, population={"D1": 10}, stratum_column="NO_SUCH_COLUMN")
    rm_insert(italian, italian_table2_rows()[:3])
    assert results_recompute(questionnaire_id=italian.pk) == "failed"
    after = _main(italian)
    assert after.payload == good.payload and after.n_responses == 259
    assert after.has_error() and "NO_SUCH_COLUMN" in after.last_error
    run = RecomputeRun.objects.filter(questionnaire=italian).first()
    assert run.status == "failed" and "WeightingError" in run.error


@contextmanager
def _another_worker_holds_the_lock(questionnaire_id: int):
    """The lock as another process would hold it (PostgreSQL: another session; elsewhere: the cache)."""
    if connection.vendor != "postgresql":
        with _recompute_lock(questionnaire_id) as held:
            assert held
            yield
        return
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, questionnaire_id])
            assert cursor.fetchone()[0]
        yield
        with other.cursor() as cursor:  # the server also drops it when the session ends, but asynchronously
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, questionnaire_id])
    finally:
        other.close()


def test_one_recompute_per_questionnaire_at_a_time(italian):
    with _another_worker_holds_the_lock(italian.pk):
        assert results_recompute(questionnaire_id=italian.pk) == "busy"
    assert results_recompute(questionnaire_id=italian.pk) == "ok"


def test_a_burst_of_submissions_enqueues_one_recompute(italian, django_capture_on_commit_callbacks):
    with patch(DELAY) as delay, django_capture_on_commit_callbacks(execute=True):
        for _ in range(200):
            results_schedule_recompute(questionnaire_id=italian.pk)
    assert delay.call_count == 1
    assert delay.call_args.kwargs["countdown"] > 0  # waits a little so the burst is batched
    with patch(DELAY) as delay:
        results_recompute(questionnaire_id=italian.pk)  # the run clears the flag before it reads
        with django_capture_on_commit_callbacks(execute=True):
            results_schedule_recompute(questionnaire_id=italian.pk)
            results_schedule_recompute(questionnaire_id=italian.pk)
    assert delay.call_count == 1


def test_scheduling_waits_for_the_commit(italian, django_capture_on_commit_callbacks):
    with patch(DELAY) as delay, django_capture_on_commit_callbacks(execute=False) as callbacks:
        results_schedule_recompute(questionnaire_id=italian.pk)
        assert delay.call_count == 0
    assert len(callbacks) == 1


def test_submitting_a_response_runs_the_recompute_after_commit(instrument_b, django_capture_on_commit_callbacks):
    """Eager mode (no REDIS_URL): the task runs in-process once the submission has committed."""
    import random

    from surveys.answering.generate import answers_generate
    from surveys.answering.readmodel import readmodel_upsert
    from surveys.answering.saves import response_submit
    from surveys.fieldwork.invitations import invitation_issue, wave_default
    from surveys.questionnaire.spec import spec_for_version
    from tests.factories import FirmFactory

    invitation, _, _ = invitation_issue(wave=wave_default(questionnaire=instrument_b), firm=FirmFactory())
    response = invitation.response
    spec = spec_for_version(response.version)
    response.answers = answers_generate(spec, random.Random(1))
    response.derived, response.status = spec.env(response.answers).derived(), "started"
    response.save()
    readmodel_upsert([response], instrument_b)
    with django_capture_on_commit_callbacks(execute=True):
        response_submit(response_id=response.pk)
    assert _main(instrument_b).n_responses == 1


def test_a_worker_that_starts_resumes_work_a_lost_worker_left(italian):
    results_recompute(questionnaire_id=italian.pk)
    RecomputeRun.objects.create(questionnaire=italian, started_at=timezone.now(), status="running")
    with patch(DELAY) as delay:
        assert results_resume_pending() == 1
    delay.assert_called_once()
    assert results_recompute(questionnaire_id=italian.pk, force=True) == "ok"
    assert RecomputeRun.objects.filter(status="interrupted").count() == 1
    ResultSet.objects.filter(pk=_main(italian).pk).update(requested_at=timezone.now())
    with patch(DELAY) as delay:
        assert results_resume_pending() == 1


def test_an_analysts_filtered_view_is_stored_next_to_the_default(italian):
    rm_insert(italian, [{"A_OFFSHORING": 1, "A_INDUSTRY": "MECH"}], mode="cati")
    view = result_set_for(questionnaire=italian, filters={"industry": ["MECH"], "mode": ["cati"]})
    assert view.key == "A_INDUSTRY=MECH;mode=cati"
    results_recompute(questionnaire_id=italian.pk)
    view.refresh_from_db()
    assert view.n_responses == 1 and _main(italian).n_responses == 260
    grouped = result_set_for(questionnaire=italian, filters={}, group="A_INDUSTRY")
    results_recompute(questionnaire_id=italian.pk)
    grouped.refresh_from_db()
    assert grouped.payload["reports"]["items-by-group"]["title"] == "All items by A_INDUSTRY"
    with pytest.raises(ValueError):
        result_set_for(questionnaire=italian, filters={"NOPE": ["1"]})


def test_pending_flag_is_cleared_when_the_broker_is_down(italian, django_capture_on_commit_callbacks):
    with patch(DELAY, side_effect=ConnectionError("broker down")), \
            django_capture_on_commit_callbacks(execute=True):
        results_schedule_recompute(questionnaire_id=italian.pk)  # the submission itself does not fail
    assert cache.get(_pending_key(italian.pk)) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the incremental read is used on PostgreSQL only")
def test_the_worker_reads_only_changed_rows_and_falls_back_to_a_full_read(italian):
    from analytics.results.selectors import results_frame
    from surveys.answering.readmodel import table_name

    assert len(results_frame(questionnaire=italian)) == 259
    new = rm_insert(italian, [{"A_OFFSHORING": 1, "A1_10": 1}] * 3)
    table = table_name(italian.code)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "A1_10" = 0, updated_at = NOW() WHERE response_id = %s', [new[0]])
    frame = results_frame(questionnaire=italian)
    assert len(frame) == 262 and frame.loc[frame.response_id == new[0], "A1_10"].item() == 0
    with connection.cursor() as cursor:  # an old row leaves the submitted set: the delta cannot see it
        cursor.execute(f'DELETE FROM "{table}" WHERE response_id = (SELECT MIN(response_id) FROM "{table}")')
    assert len(results_frame(questionnaire=italian)) == 261
