"""Full recompute of every report for 10,000 and 100,000 responses of instrument B, the delay from a
submit to the updated result with a Celery worker running, and peak memory.

Targets (project's 2-core machine): recompute <= 5 s for 100,000 responses, submit -> updated
result <= 2 s with a worker, memory < 2 GB.

Run (PostgreSQL + Redis, as deployed):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/recompute.py [--counts 10000,100000] [--runs 3] [--submits 5]

It creates its own database (test_bench_analytics) and uses Redis database 13 for broker and cache,
so it neither touches nor competes with other test runs. 10,000 responses are generated through
the web's validation path (surveys.answering.generate); larger counts are reached by copying those
read-model rows with new ids straight into the table (synthetic, for speed; printed as such).
Each recompute runs in a fresh process (`--child`), which reports its own peak RSS.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
SURVEY = "basque-digital-2019"
BENCH_DB, BENCH_REDIS_DB = "bench_analytics", 13
GENERATED = 10_000


def _with_path(url: str, path: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=path))


def child(survey: str) -> None:
    """One forced recompute in this process: timings of read and compute, peak RSS."""
    import django

    django.setup()
    from analytics.models import ResultSet
    from analytics.results import selectors
    from analytics.results.services import results_recompute
    from surveys.models import Questionnaire

    questionnaire = Questionnaire.objects.get(code=survey)
    started = time.perf_counter()
    frame = selectors.results_frame(questionnaire=questionnaire)  # the read alone, for the breakdown
    read = time.perf_counter() - started
    del frame
    started = time.perf_counter()
    outcome = results_recompute(questionnaire_id=questionnaire.pk, force=True, trigger="bench")
    total = time.perf_counter() - started
    result = ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL)
    print(json.dumps({"outcome": outcome, "seconds": total, "read_seconds": read, "n": result.n_responses,
                      "reports": len(result.payload["reports"]), "blocks": sum(
                          len(r["blocks"]) for r in result.payload["reports"].values()),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run_child(env: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", SURVEY], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=False)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def grow(questionnaire, target: int) -> int:
    """Copy the generated read-model rows with new ids until the table holds `target` submitted rows.

    Generated (real) responses have ids below BAND; each copy goes into a band of its own above
    every id in the table, so the table can be grown again and again without duplicate ids."""
    from django.db import connection

    from surveys.answering.readmodel import table_name

    table = table_name(questionnaire.code)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        count = cursor.fetchone()[0]
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        rest = ", ".join(f'"{c}"' for c in columns if c != "response_id")
        while count < target:
            cursor.execute(f'SELECT MAX(response_id) FROM "{table}"')
            shift = (cursor.fetchone()[0] // BAND + 1) * BAND
            cursor.execute(f'INSERT INTO "{table}" ("response_id", {rest}) SELECT response_id + %s, {rest} '
                           f'FROM "{table}" WHERE response_id < %s ORDER BY response_id LIMIT %s',
                           [shift, BAND, target - count])
            count += cursor.rowcount
        cursor.execute(f'ANALYZE "{table}"')
    return count


BAND = 10_000_000


def submit_one(questionnaire, spec, rng, n: int) -> None:
    from django.db import transaction

    from surveys.answering.generate import answers_generate
    from surveys.answering.readmodel import readmodel_upsert
    from surveys.answering.saves import response_submit
    from surveys.fieldwork.invitations import invitation_issue, wave_default
    from surveys.models import Firm, Response

    with transaction.atomic():
        firm = Firm.objects.create(identifier=f"BENCH-SUBMIT-{time.time_ns()}-{n}", name=f"Bench firm {n}")
        invitation, _, _ = invitation_issue(wave=wave_default(questionnaire=questionnaire), firm=firm)
        response = invitation.response
        response.answers = answers_generate(spec, rng)
        response.derived = spec.env(response.answers).derived()
        response.status = Response.Status.STARTED
        response.save()
        readmodel_upsert([response], questionnaire)
    response_submit(response_id=response.pk)  # commits, then schedules the recompute


def submit_delays(questionnaire, count: int, gap: float) -> list[float]:
    import random

    from analytics.models import ResultSet
    from surveys.questionnaire.spec import spec_for_version

    spec = spec_for_version(questionnaire.latest_version())
    rng = random.Random(5)
    delays = []
    for n in range(count):
        before = ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL).n_responses or 0
        submit_one(questionnaire, spec, rng, n)
        started = time.perf_counter()
        while (ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL).n_responses or 0) <= before:
            if time.perf_counter() - started > 60:
                raise TimeoutError("no updated result within 60 s")
            time.sleep(0.01)
        delays.append(time.perf_counter() - started)
        time.sleep(gap)  # isolated submissions: longer than ANALYTICS_MIN_INTERVAL_SECONDS
    return delays


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-l", "info",
               "-n", f"bench-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"worker did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)
    return process


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3, help="recomputes per size (fresh process each)")
    parser.add_argument("--submits", type=int, default=5, help="submissions timed per size (needs REDIS_URL)")
    parser.add_argument("--child", metavar="SURVEY")
    args = parser.parse_args()
    if args.child:
        return child(args.child)

    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = _with_path(os.environ["DATABASE_URL"], "/" + BENCH_DB)
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = _with_path(os.environ["REDIS_URL"], f"/{BENCH_REDIS_DB}")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from surveys.answering.generate import responses_generate
    from surveys.models import Questionnaire

    names = setup_databases(verbosity=0, interactive=False)
    worker = None
    try:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if connection.vendor == "postgresql":
            env["DATABASE_URL"] = _with_path(os.environ["DATABASE_URL"], "/" + connection.settings_dict["NAME"])
        call_command("load_instruments", verbosity=0)
        questionnaire = Questionnaire.objects.get(code=SURVEY)
        started = time.perf_counter()
        responses_generate(questionnaire=questionnaire, count=GENERATED, seed=1)
        print(f"setup: {GENERATED} responses of {SURVEY} generated through validate_page in "
              f"{time.perf_counter() - started:.1f} s on {connection.vendor}")
        use_worker = bool(settings.REDIS_URL) and args.submits > 0
        if use_worker:
            from config.celery import app

            app.control.purge()
        for count in [int(c) for c in args.counts.split(",")]:
            total = grow(questionnaire, count) if count > GENERATED else GENERATED
            how = "generated" if count <= GENERATED else (f"{GENERATED} generated + {total - GENERATED} synthetic "
                                                          "copies of their read-model rows (bulk-inserted)")
            runs = [run_child(env) for _ in range(args.runs)]
            seconds = [r["seconds"] for r in runs]
            print(f"recompute N={runs[0]['n']} ({how}): {runs[0]['reports']} reports, {runs[0]['blocks']} tables; "
                  f"median {statistics.median(seconds):.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f}) "
                  f"of which read {statistics.median(r['read_seconds'] for r in runs):.2f} s; "
                  f"peak RSS {max(r['peak_rss_mb'] for r in runs):.0f} MB")
            if use_worker:
                if worker is None:
                    worker = start_worker(env, Path("/tmp") / f"bench-recompute-worker-{os.getpid()}.log")
                gap = settings.ANALYTICS_MIN_INTERVAL_SECONDS + 0.5
                submit_delays(questionnaire, 1, gap)  # warm-up: the worker's first run reads every row
                delays = submit_delays(questionnaire, args.submits, gap)
                print(f"submit -> updated result with a worker, N={runs[0]['n']}: median "
                      f"{statistics.median(delays):.2f} s, max {max(delays):.2f} s over {len(delays)} submissions "
                      f"{gap:.1f} s apart (coalescing countdown {settings.ANALYTICS_COALESCE_SECONDS} s included; "
                      f"the worker reads only the rows changed since its previous run)")
        if not use_worker:
            print("submit -> result: skipped (set REDIS_URL to time it with a Celery worker)")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        connection.close()
        teardown_databases(names, verbosity=0)


if __name__ == "__main__":
    main()
