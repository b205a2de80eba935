"""Export jobs whose worker died are taken over: heartbeat, recovery by beat, a cap on restarts."""
import datetime as dt
import time

import pandas as pd
import pytest
from django.utils import timezone

from analytics.data.export.jobs import _heartbeat, export_job_create, export_job_run, export_jobs_recover
from analytics.data.export.options import ExportOptions
from analytics.models import ExportJob
from surveys.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def job(mini_responses, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # created, its task not run
        return export_job_create(questionnaire=mini_responses[0].version.questionnaire,
                                 options=ExportOptions(format="csv"))


def worker_died(job: ExportJob, media, *, seconds_ago: int, attempts: int = 1):
    """What a worker killed while writing leaves: the job running, an old heartbeat, a partial file."""
    then = timezone.now() - dt.timedelta(seconds=seconds_ago)
    ExportJob.objects.filter(pk=job.pk).update(status="running", started_at=then, heartbeat_at=then,
                                               attempts=attempts, progress=40)
    (media / "exports").mkdir(parents=True, exist_ok=True)
    partial = media / "exports" / f"mini-test-20260101-000000-{job.key.hex[:8]}.csv.part"
    partial.write_text("response_id,Q1\n1,19")
    return partial


def test_a_job_whose_heartbeat_stopped_is_restarted_and_finishes(job, media, settings,
                                                                  django_capture_on_commit_callbacks):
    partial = worker_died(job, media, seconds_ago=settings.EXPORT_STALE_SECONDS + 5)
    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_recover()["restarted"] == 1
    job.refresh_from_db()
    assert (job.status, job.rows, job.attempts) == ("done", 3, 2)
    assert not partial.exists() and not list((media / "exports").glob("*.part"))
    assert len(pd.read_csv(media / job.file.name)) == 3  # complete and readable


def test_a_job_with_a_fresh_heartbeat_is_left_to_its_worker(job, media, settings):
    partial = worker_died(job, media, seconds_ago=settings.EXPORT_STALE_SECONDS - 30)
    assert export_jobs_recover() == {"restarted": 0, "failed": 0, "resent": 0}
    assert export_job_run(job_id=job.pk) is None  # a second delivery of its task does nothing
    job.refresh_from_db()
    assert job.status == "running" and partial.exists()


def test_a_redelivered_task_takes_over_a_job_whose_worker_died(job, media, settings):
    partial = worker_died(job, media, seconds_ago=settings.EXPORT_STALE_SECONDS + 5)
    assert export_job_run(job_id=job.pk).status == "done"
    assert not partial.exists()


def test_a_job_that_keeps_killing_its_worker_fails_after_the_last_attempt(job, media, settings):
    partial = worker_died(job, media, seconds_ago=settings.EXPORT_STALE_SECONDS + 5,
                          attempts=settings.EXPORT_MAX_ATTEMPTS)
    assert export_job_run(job_id=job.pk) is None  # no more takeovers
    assert export_jobs_recover()["failed"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and "stopped 3 times" in job.error and not partial.exists()


def test_a_job_sent_long_ago_that_never_started_is_sent_again(job, settings, django_capture_on_commit_callbacks):
    long_ago = timezone.now() - dt.timedelta(seconds=settings.EXPORT_QUEUED_STALE_SECONDS + 60)
    ExportJob.objects.filter(pk=job.pk).update(created_at=long_ago)
    sent = OutboxMessage.objects.create(task="analytics.export_job_run", args=[job.pk], dispatched_at=long_ago)
    OutboxMessage.objects.filter(pk=sent.pk).update(created_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_recover()["resent"] == 1
    assert ExportJob.objects.get(pk=job.pk).status == "done"


def test_a_job_whose_task_still_waits_in_the_outbox_is_left_to_the_flush(job, settings):
    long_ago = timezone.now() - dt.timedelta(seconds=settings.EXPORT_QUEUED_STALE_SECONDS + 60)
    ExportJob.objects.filter(pk=job.pk).update(created_at=long_ago)
    OutboxMessage.objects.create(task="analytics.export_job_run", args=[job.pk])  # broker away since
    assert export_jobs_recover()["resent"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_job_running_in_a_worker_keeps_its_heartbeat_fresh(mini_version, settings):
    from config.celery import app

    settings.EXPORT_HEARTBEAT_SECONDS = 0.05
    job = ExportJob.objects.create(questionnaire=mini_version.questionnaire, format="csv", status="running",
                                   heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    previous, app.conf.task_always_eager = app.conf.task_always_eager, False  # as in a worker
    try:
        with _heartbeat(job.pk):
            time.sleep(0.5)  # a long read with no progress report
    finally:
        app.conf.task_always_eager = previous
    job.refresh_from_db()
    assert timezone.now() - job.heartbeat_at < dt.timedelta(seconds=1)
