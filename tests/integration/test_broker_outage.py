"""The broker (Redis) stopped while staff create an export and respondents submit: nothing fails,
the work waits in the outbox, and once Redis is back the export runs exactly once and the results
count every submission.
"""
from __future__ import annotations

import pandas as pd
import pytest
from django.test import Client

from analytics.models import ExportJob, ResultSet
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import OutboxMessage, Response
from tests.data.test_jobs import staff
from tests.factories import FirmFactory
from tests.integration.conftest import Worker, worker_env
from tests.integration.test_redis_outage import own_redis, respond  # noqa: F401  (own_redis: a fixture)
from tests.proof.tally import TALLY

DURING, AFTER = 5, 1


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def broker_worker(transactional_db, own_redis, media, tmp_path):  # noqa: F811
    from config.celery import app

    running = Worker(env={**worker_env(), "REDIS_URL": own_redis.url, "MEDIA_ROOT": str(media)},
                     log_path=tmp_path / "worker.log")
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = running.queue
    try:
        yield running.start()
    finally:
        running.stop()
        app.conf.task_default_queue = default_queue


def test_broker_down_work_waits_in_the_outbox_and_runs_once_when_it_is_back(broker_worker, own_redis,  # noqa: F811
                                                                            mini_version, media):
    from surveys.outbox import outbox_state_reset

    outbox_state_reset()
    wave = wave_default(questionnaire=mini_version.questionnaire)
    cases = [invitation_issue(wave=wave, firm=FirmFactory()) for _ in range(DURING + AFTER)]
    analyst = Client(raise_request_exception=False)
    analyst.force_login(staff("add_exportjob", "view_exportjob"))

    own_redis.stop()
    codes = [analyst.post("/staff/data/mini-test/exports/new/", {"format": "csv", "language": "en"}).status_code]
    for _, token, _ in cases[:DURING]:
        codes += respond(token, submit=True)
    TALLY["broker outage: requests while the broker is down"] += len(codes)
    TALLY["broker outage: 5xx answers"] += sum(code >= 500 for code in codes)
    assert all(code < 500 for code in codes), codes
    assert codes[0] == 302  # the export was accepted
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED
    pending = set(OutboxMessage.objects.filter(dispatched_at__isnull=True).values_list("task", flat=True))
    assert {"analytics.export_job_run", "analytics.results_recompute"} <= pending
    submitted = Response.objects.filter(invitation__wave=wave, status="submitted")
    lost = DURING - submitted.filter(answers__Q1=1990).count()
    TALLY["broker outage: answers lost"] += lost
    assert lost == 0

    own_redis.start()
    if not broker_worker.alive:  # a worker may exit when its broker vanishes; its supervisor restarts it
        broker_worker.start()
    for _, token, _ in cases[DURING:]:  # the next submission's send nudges a flush of what waited
        assert all(code < 500 for code in respond(token, submit=True))
    broker_worker.wait_until(lambda: not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists(),
                             timeout=60)
    broker_worker.wait_until(lambda: ExportJob.objects.filter(pk=job.pk, status="done").exists(), timeout=90)
    broker_worker.wait_until(lambda: ResultSet.objects.filter(
        questionnaire=mini_version.questionnaire, key=ResultSet.ALL, n_responses=DURING + AFTER).exists(),
        timeout=60)
    job.refresh_from_db()
    files = list((media / "exports").iterdir())
    TALLY["broker outage: export runs after the broker came back"] += job.attempts
    assert job.attempts == 1 and len(files) == 1 and files[0].suffix == ".csv"
    assert len(pd.read_csv(files[0])) == job.rows
