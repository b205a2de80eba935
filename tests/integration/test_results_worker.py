"""Results recomputed by a real Celery worker: submit -> N, bursts coalesce, a killed worker loses nothing."""
from __future__ import annotations

import random
import time

import pytest
from django.conf import settings
from django.db import connection, transaction

from analytics.models import RecomputeRun, ResultSet
from analytics.results.services import results_recompute
from surveys.answering.generate import answers_generate, responses_generate
from surveys.answering.readmodel import readmodel_upsert, table_name
from surveys.answering.saves import response_submit
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Firm, Response
from surveys.questionnaire.spec import spec_for_version
from tests.analytics.conftest import load_instrument

CODE = "basque-digital-2019"


@pytest.fixture
def basque(transactional_db):
    questionnaire = load_instrument(CODE)
    responses_generate(questionnaire=questionnaire, count=20, seed=2)
    assert results_recompute(questionnaire_id=questionnaire.pk) == "ok"
    return questionnaire


def started_responses(questionnaire, count: int, seed: int = 9) -> list[int]:
    """Responses answered but not yet submitted (the state a respondent's last page leaves)."""
    spec = spec_for_version(questionnaire.latest_version())
    rng, ids = random.Random(seed), []
    wave = wave_default(questionnaire=questionnaire)
    with transaction.atomic():
        for n in range(count):
            firm = Firm.objects.create(identifier=f"INT-RESULTS-{seed}-{n}", name=f"Firm {n}")
            response = invitation_issue(wave=wave, firm=firm)[0].response
            response.answers = answers_generate(spec, rng)
            response.derived = spec.env(response.answers).derived()
            response.status = Response.Status.STARTED
            response.save()
            readmodel_upsert([response], questionnaire)
            ids.append(response.pk)
    return ids


def n_stored(questionnaire) -> int:
    return ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL).n_responses


def test_a_submission_updates_the_dashboards_n_within_seconds(worker, basque):
    (response_id,) = started_responses(basque, 1)
    response_submit(response_id=response_id)
    started = time.monotonic()
    worker.wait_until(lambda: n_stored(basque) == 21, timeout=15)
    assert time.monotonic() - started < 5


def test_a_burst_of_200_submissions_causes_a_handful_of_recomputes(worker, basque):
    ids = started_responses(basque, 200)
    before = RecomputeRun.objects.filter(questionnaire=basque).count()
    started = time.monotonic()
    for response_id in ids:
        response_submit(response_id=response_id)
    burst = time.monotonic() - started
    worker.wait_until(lambda: n_stored(basque) == 220, timeout=60)
    time.sleep(1.5)  # a straggling run would show up here
    runs = RecomputeRun.objects.filter(questionnaire=basque).count() - before
    print(f"200 submissions over {burst:.1f} s -> {runs} recomputes")
    # one run at once, then at most one per ANALYTICS_MIN_INTERVAL_SECONDS while the burst lasts
    most = burst / settings.ANALYTICS_MIN_INTERVAL_SECONDS + 3
    assert 1 <= runs <= most, f"{runs} recomputes for 200 submissions over {burst:.1f} s"


def _grow(questionnaire, target: int) -> None:
    """Copy the read-model rows with new ids (synthetic) so that a recompute takes a few seconds."""
    table = table_name(questionnaire.code)
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        rest = ", ".join(f'"{c}"' for c in columns if c != "response_id")
        for copy in range(1, target // 20):
            cursor.execute(f'INSERT INTO "{table}" ("response_id", {rest}) SELECT response_id + %s, {rest} '
                           f'FROM "{table}" WHERE response_id < 10000000', [copy * 10_000_000])


def test_killing_the_worker_mid_recompute_keeps_the_previous_result_and_a_restart_completes_it(worker, basque):
    _grow(basque, 30_000)
    results_recompute(questionnaire_id=basque.pk)
    previous = ResultSet.objects.get(questionnaire=basque, key=ResultSet.ALL)
    (response_id,) = started_responses(basque, 1)
    response_submit(response_id=response_id)
    worker.wait_until(lambda: RecomputeRun.objects.filter(questionnaire=basque, status="running").exists(),
                      timeout=15, interval=0.02)
    worker.kill()
    time.sleep(0.5)
    kept = ResultSet.objects.get(pk=previous.pk)
    assert kept.n_responses == previous.n_responses and kept.snapshot_at == previous.snapshot_at
    assert kept.payload["reports"]["bq-fig-12"] == previous.payload["reports"]["bq-fig-12"]

    worker.start()  # the new worker resumes the unfinished recompute by itself
    worker.wait_until(lambda: n_stored(basque) == previous.n_responses + 1, timeout=60)
    statuses = list(RecomputeRun.objects.filter(questionnaire=basque).values_list("status", flat=True))
    assert "interrupted" in statuses and statuses[0] == "ok"
