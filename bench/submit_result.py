"""From a respondent's submit to the dashboard's updated result, with a real Celery worker.

Target: p95 at most 2 s with 300,000 submitted responses of instrument B.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/<n> \\
        .venv/bin/python bench/submit_result.py [--responses 300000] [--submits 20]

Runs on a scratch database `<name>_bench_submit_<responses>` (kept between runs; --fresh drops it)
grown as in bench/scale.py, and on the Redis database of REDIS_URL (give it one of its own: the
queue is purged). Starts `celery -A config worker -P solo` as deployed, warms it up with one
submission (its first run reads the results snapshot, or every row when there is none; later runs
refresh the frame the worker holds with the rows changed since; snapshots in ANALYTICS_SNAPSHOT_DIR,
by default bench/out/snapshots), then
submits one response at a time through the service a respondent's last click calls
(`response_submit`, which schedules the recompute after commit) and times until the stored result
of all responses counts it. Submissions are spaced by more than ANALYTICS_MIN_INTERVAL_SECONDS,
so each is isolated (a burst is coalesced into fewer runs, each as long).

The floor, measured in the same run for each submission: the time until the worker *started*
the run (countdown, broker and pick-up: what a task that did nothing would cost).

Every figure is also printed as one line `BENCH {json}` (figure, value, unit, floor, ratio, target, ok).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import scale  # noqa: E402

SURVEY = "basque-digital-2019"
SEED_RESPONSES = 2000
TARGET_SECONDS = 2.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def submit_one(questionnaire, spec, rng, n: int) -> int:
    """A response answered in full (generated answers through the read model, as page saves leave
    it), then submitted by the respondent's service call; returns its id."""
    from django.db import transaction

    from surveys.answering.generate import answers_generate
    from surveys.answering.readmodel import readmodel_upsert
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
    return response.pk


def wait_counted(questionnaire, before: int, timeout: float) -> None:
    from analytics.models import ResultSet

    started = time.perf_counter()
    while (ResultSet.objects.filter(questionnaire=questionnaire, key=ResultSet.ALL)
           .values_list("n_responses", flat=True).first() or 0) <= before:
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"no updated result within {timeout:.0f} s")
        time.sleep(0.01)


def timed_submit(questionnaire, spec, rng, n: int, timeout: float) -> tuple[float, float]:
    """(seconds to the updated result, seconds to the worker's start of the run) of one submission."""
    from django.utils import timezone

    from analytics.models import RecomputeRun, ResultSet
    from surveys.answering.saves import response_submit

    response_id = submit_one(questionnaire, spec, rng, n)
    before = ResultSet.objects.filter(questionnaire=questionnaire, key=ResultSet.ALL).values_list(
        "n_responses", flat=True).first() or 0
    clock, moment = time.perf_counter(), timezone.now()
    response_submit(response_id=response_id)  # commits, then the recompute is scheduled
    wait_counted(questionnaire, before, timeout)
    seconds = time.perf_counter() - clock
    run = RecomputeRun.objects.filter(questionnaire=questionnaire, started_at__gte=moment).order_by(
        "started_at").first()
    picked = (run.started_at - moment).total_seconds() if run else seconds
    return seconds, picked


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-l", "info",
               "-n", f"bench-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while " ready." not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"worker did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=300_000)
    parser.add_argument("--submits", type=int, default=20)
    parser.add_argument("--fresh", action="store_true", help="drop the scratch database first")
    args = parser.parse_args()
    base, redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not base.startswith("postgres") or not redis:
        print("submit -> result: skipped (needs DATABASE_URL on PostgreSQL and REDIS_URL, a Redis database of "
              "its own, to run a Celery worker)")
        return
    url = scale.scratch_database(base, f"submit_{args.responses}", fresh=args.fresh)
    scale.setup_django(url)
    from django.conf import settings

    from bench.figures import figure_print
    from config.celery import app
    from surveys.models import Questionnaire
    from surveys.questionnaire.spec import spec_for_version

    scale.seed(SURVEY, SEED_RESPONSES)
    scale.grow(SURVEY, args.responses)
    questionnaire = Questionnaire.objects.get(code=SURVEY)
    spec = spec_for_version(questionnaire.latest_version())
    rng = random.Random(5)
    app.control.purge()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-submit-worker-{os.getpid()}.log"
    snapshots_dir = os.environ.get("ANALYTICS_SNAPSHOT_DIR") or str(ROOT / "bench" / "out" / "snapshots")
    worker = start_worker({**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1",
                           "ANALYTICS_SNAPSHOT_DIR": snapshots_dir}, log)
    gap = settings.ANALYTICS_MIN_INTERVAL_SECONDS + 0.5
    try:
        started = time.perf_counter()
        timed_submit(questionnaire, spec, rng, 0, timeout=1800)  # warm-up: the worker reads every row once
        print(f"warm-up (first run of the worker reads all rows): {time.perf_counter() - started:.1f} s", flush=True)
        load = os.getloadavg()[0]
        times, picks = [], []
        for n in range(1, args.submits + 1):
            time.sleep(gap)
            seconds, picked = timed_submit(questionnaire, spec, rng, n, timeout=300)
            times.append(seconds)
            picks.append(picked)
            print(f"  submit {n}: result after {seconds:.2f} s (worker started after {picked:.2f} s)", flush=True)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    p95, floor = percentile(times, 0.95), percentile(picks, 0.95)
    print(f"submit -> updated result, N={args.responses}: median {statistics.median(times):.2f} s, p95 {p95:.2f} s, "
          f"max {max(times):.2f} s over {len(times)} submissions {gap:.1f} s apart; floor (worker started) p95 "
          f"{floor:.2f} s; load average {load:.1f} -> {os.getloadavg()[0]:.1f} (2 cores)")
    figure_print(f"submit -> updated result p95 at {args.responses} responses", p95, "s", floor,
                 f"<={TARGET_SECONDS:g} s", p95 <= TARGET_SECONDS)
    figure_print(f"submit -> updated result median at {args.responses} responses", statistics.median(times), "s",
                 statistics.median(picks), "report", True)


if __name__ == "__main__":
    main()
