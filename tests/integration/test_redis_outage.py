"""Redis stopped while respondents save and submit: no 500, no answer lost, results catch up.

The cache (rate limits, the results scheduler's flags) and the Celery broker both live on a
redis-server this test starts on its own port and kills in the middle of the fieldwork.
"""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from analytics.models import ResultSet
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Response
from tests.factories import FirmFactory
from tests.integration.conftest import Worker, worker_env
from tests.integration.redis_server import RedisServer
from tests.proof.conftest import PAGE1, PAGE2, PAGE3
from tests.proof.tally import TALLY

PER_PHASE = 8


@pytest.fixture
def own_redis(tmp_path, settings):
    from django.core.cache import caches

    from config.celery import app

    server = RedisServer(tmp_path).start()
    settings.CACHES = {"default": {"BACKEND": "surveys.cache.FailOpenRedisCache", "LOCATION": server.url,
                                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}}}
    saved = app.conf.broker_url
    app.conf.broker_url, app._pool, app.amqp._producer_pool = server.url, None, None
    yield server
    server.stop()
    app.conf.broker_url, app._pool, app.amqp._producer_pool = saved, None, None
    caches["default"].close()


@pytest.fixture
def own_worker(transactional_db, own_redis, tmp_path):
    from config.celery import app

    running = Worker(env={**worker_env(), "REDIS_URL": own_redis.url}, log_path=tmp_path / "worker.log")
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = running.queue
    try:
        yield running.start()
    finally:
        running.stop()
        app.conf.task_default_queue = default_queue


def respond(token: str, *, submit: bool) -> list[int]:
    """One respondent's visit as a browser makes it; returns the status codes seen."""
    client = Client(raise_request_exception=False)
    codes = [client.get(reverse("surveys:welcome", args=[token])).status_code]
    for revision, (module, page) in enumerate([("M1", PAGE1), ("M2", PAGE2), ("M3", PAGE3)]):
        codes.append(client.post(reverse("surveys:page", args=[token, module]),
                                 {**page, "page_revision": revision}).status_code)
        codes.append(client.post(reverse("surveys:relevance", args=[token, module]), page).status_code)
    codes.append(client.get(reverse("surveys:review", args=[token])).status_code)
    if submit:
        codes.append(client.post(reverse("surveys:submit", args=[token])).status_code)
        codes.append(client.get(reverse("surveys:thanks", args=[token])).status_code)
    codes.append(client.get(reverse("surveys:welcome", args=["not-a-token"])).status_code)  # rate-limited path
    return codes


def test_redis_stopped_while_respondents_save_and_submit(own_worker, own_redis, mini_version):
    wave = wave_default(questionnaire=mini_version.questionnaire)
    cases = [invitation_issue(wave=wave, firm=FirmFactory()) for _ in range(3 * PER_PHASE)]
    submitted = []
    for phase, batch in enumerate([cases[:PER_PHASE], cases[PER_PHASE:2 * PER_PHASE], cases[2 * PER_PHASE:]]):
        if phase == 1:
            own_redis.stop()
        if phase == 2:
            own_redis.start()
        for n, (invitation, token, _) in enumerate(batch):
            codes = respond(token, submit=n % 4 != 3)  # one in four stops before submitting
            TALLY[f"redis outage phase {phase}: respondent requests"] += len(codes)
            TALLY[f"redis outage phase {phase}: 5xx answers"] += sum(code >= 500 for code in codes)
            assert all(code < 500 for code in codes), (phase, codes)
            if n % 4 != 3:
                submitted.append(invitation.pk)
    stored = {r.invitation_id: r for r in Response.objects.filter(invitation__wave=wave)}
    for invitation, _, _ in cases:
        response = stored[invitation.pk]
        expected = "submitted" if invitation.pk in submitted else "started"
        lost = response.status != expected or response.answers.get("Q1") != 1990 or response.answers.get("Q11") != 3
        TALLY["redis outage: answers lost"] += lost
        TALLY["redis outage: responses checked"] += 1
        assert not lost, (invitation.pk, response.status, response.answers)
    # the submissions after the outage asked for results again: the worker counts every submission.
    # A worker may exit when its broker vanishes; its supervisor (systemd, serve-prod) starts it again,
    # and the start-up resume re-runs what was asked for meanwhile.
    if not own_worker.alive:
        own_worker.start()
    own_worker.wait_until(lambda: ResultSet.objects.filter(
        questionnaire=mini_version.questionnaire, key=ResultSet.ALL, n_responses=len(submitted)).exists(), timeout=60)
