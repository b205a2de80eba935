"""A worker killed (SIGKILL) in the middle of an export: the job is taken over by a new worker once
its heartbeat is stale, and ends DONE with a complete, readable file and no partial file left."""
from __future__ import annotations

import time

import pandas as pd
import pytest
from django.db import connection

from analytics.data.export.jobs import export_job_create
from analytics.data.export.options import ExportOptions
from analytics.data.tasks import export_jobs_recover_task
from analytics.models import ExportJob
from surveys.answering.generate import responses_generate
from surveys.answering.readmodel import table_name
from surveys.models import Firm
from tests.analytics.conftest import load_instrument
from tests.integration.conftest import Worker, worker_env
from tests.proof.tally import TALLY

CODE = "basque-digital-2019"
ROWS = 20_000  # a CSV of this many responses takes several seconds to write on the CI machine
STALE = 3


def replicate(questionnaire, rows: int) -> None:
    """Many read-model rows fast: generate a few real responses, then copy their rows (bench/export.py)."""
    responses_generate(questionnaire=questionnaire, count=20, seed=7)
    firms = Firm.objects.bulk_create([Firm(identifier=f"KILL-{n}", name=f"Firm {n}") for n in range(rows - 20)],
                                     batch_size=5000)
    table = table_name(CODE)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY response_id')
        names = [c.name for c in cursor.description]
        seeds = cursor.fetchall()
        firm_at, id_at = names.index("firm_id"), names.index("response_id")
        columns = ", ".join(f'"{n}"' for n in names)
        with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for n, firm in enumerate(firms):
                row = list(seeds[n % len(seeds)])
                row[id_at], row[firm_at] = 10_000_000 + n, firm.pk
                copy.write_row(row)


@pytest.fixture
def export_worker(transactional_db, tmp_path, settings):
    from config.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    running = Worker(env={**worker_env(), "MEDIA_ROOT": str(settings.MEDIA_ROOT), "EXPORT_STALE_SECONDS": str(STALE),
                          "EXPORT_HEARTBEAT_SECONDS": "0.5"}, log_path=tmp_path / "worker.log")
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = running.queue
    try:
        yield running.start()
    finally:
        running.stop()
        app.conf.task_default_queue = default_queue


def test_an_export_whose_worker_is_killed_is_restarted_and_completes(export_worker, settings):
    questionnaire = load_instrument(CODE)
    replicate(questionnaire, ROWS)
    job = export_job_create(questionnaire=questionnaire, options=ExportOptions(format="csv"))
    exports = settings.MEDIA_ROOT / "exports"
    # killed while writing: the partial file exists
    export_worker.wait_until(lambda: list(exports.glob("*.part")), timeout=120, interval=0.05)
    export_worker.kill()
    job.refresh_from_db()
    assert job.status == "running", "the export finished before the worker was killed: use more rows"
    TALLY["export worker killed: partial files left by the killed worker"] += len(list(exports.glob("*.part")))

    export_worker.start()
    time.sleep(STALE + 1)  # the heartbeat goes stale
    export_jobs_recover_task.delay()  # what beat runs every minute
    export_worker.wait_until(lambda: ExportJob.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists(),
                             timeout=240)
    job.refresh_from_db()
    TALLY["export worker killed: runs to finish the job"] += job.attempts
    assert (job.status, job.attempts, job.error) == ("done", 2, "")
    assert not list(exports.glob("*.part"))
    files = list(exports.iterdir())
    assert len(files) == 1 and len(pd.read_csv(files[0], low_memory=False)) == job.rows == ROWS
    TALLY["export worker killed: responses missing from the file"] += ROWS - job.rows
