"""Full recompute of every report of instrument B at scale, beside the floor measured in the same run.

Target: at most 20 s and 2 GB peak for 1,000,000 responses (the project's 2-core machine).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/recompute.py \\
        [--responses 100000] [--runs 1] [--changed 1000] [--copy-floor]
    .venv/bin/python bench/recompute.py --responses 1000000      # the figure of the target

Runs on a scratch database `<name>_bench_scale_<responses>` on the server of DATABASE_URL (kept
between runs and shared with bench/export.py; --fresh drops it first): 2,000 responses generated
through the web's validation path, then their read-model rows copied in SQL with new ids and firms
(bench/scale.py). Results snapshots (analytics/results/snapshots.py) go to ANALYTICS_SNAPSHOT_DIR,
by default bench/out/snapshots.

Each recompute runs in a fresh process, as the worker would after a restart (nothing in memory),
timed around `results_recompute(force=True)`, its peak resident memory taken by getrusage:
1. cold: the snapshot removed first, so every row is read from PostgreSQL (COPY as CSV, parsed by
   Arrow) and the snapshot written (reported, no target);
2. then --changed rows are written again (each stamped with a new transaction id) and the timed
   runs read the snapshot and only those rows: the figure of the target.
The floor, in a fresh process too: the bare read of the same columns from the snapshot file into
pandas (no database, no reports). --copy-floor also times the bare COPY of those columns (a minute
at a million rows), the floor of the cold run.

Every figure is also printed as one line `BENCH {json}` (figure, value, unit, floor, ratio, target, ok).
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import scale  # noqa: E402

SURVEY = "basque-digital-2019"
SEED_RESPONSES = 2000
TARGET_SECONDS, TARGET_MB = 20.0, 2048  # at 1,000,000 responses

COPY_FLOOR = r"""
import io, resource, sys, time, psycopg, pyarrow.csv as pc
url, table, columns = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
started = time.perf_counter()
buffer = io.BytesIO()
select = f"SELECT {', '.join(chr(34) + c + chr(34) for c in columns)} FROM {table} WHERE status = 'submitted'"
with psycopg.connect(url) as conn, conn.cursor().copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
    for block in copy:
        buffer.write(block)
buffer.seek(0)
frame = pc.read_csv(buffer, read_options=pc.ReadOptions(column_names=columns)).to_pandas()
print(len(frame), time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

SNAPSHOT_FLOOR = r"""
import resource, sys, time, pyarrow.feather as feather
path, columns = sys.argv[1], sys.argv[2].split(",")
started = time.perf_counter()
frame = feather.read_table(path, columns=columns, memory_map=False).to_pandas(split_blocks=True, self_destruct=True)
print(len(frame), time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def child() -> None:
    """One forced recompute in this process (nothing cached): seconds, rows, columns read, peak RSS."""
    import django

    django.setup()
    from analytics.models import ResultSet
    from analytics.results import selectors, snapshots
    from analytics.results.payloads import payload_columns
    from analytics.results.services import result_sets_ensure, results_recompute
    from surveys.models import Questionnaire

    questionnaire = Questionnaire.objects.get(code=SURVEY)
    path = snapshots.snapshot_path(questionnaire=questionnaire, values=selectors.VALUES)
    if "--cold" in sys.argv:
        path.unlink(missing_ok=True)
    started = time.perf_counter()
    outcome = results_recompute(questionnaire_id=questionnaire.pk, force=True, trigger="bench")
    seconds = time.perf_counter() - started
    result = ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL)
    columns = payload_columns(questionnaire=questionnaire, result_sets=result_sets_ensure(questionnaire=questionnaire))
    print(json.dumps({"outcome": outcome, "seconds": seconds, "n": result.n_responses, "columns": columns,
                      "snapshot": str(path), "snapshot_mb": path.stat().st_size / 2**20 if path.exists() else 0,
                      "reports": len(result.payload["reports"]),
                      "blocks": sum(len(r["blocks"]) for r in result.payload["reports"].values()),
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run(command: list[str], env: dict) -> str:
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1, help="recomputes (fresh process each); the median is shown")
    parser.add_argument("--fresh", action="store_true", help="drop the scratch database first")
    parser.add_argument("--changed", type=int, default=1000, help="rows written again after the cold run")
    parser.add_argument("--copy-floor", action="store_true", help="also time the bare COPY (the cold run's floor)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cold", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres")
    url = scale.scratch_database(base, f"scale_{args.responses}", fresh=args.fresh)
    os.environ["REDIS_URL"] = ""  # tasks in-process: this measures the recompute, not the broker
    scale.setup_django(url)
    scale.seed(SURVEY, SEED_RESPONSES)
    count = scale.grow(SURVEY, args.responses)
    from bench.figures import figure_print
    from surveys.answering.readmodel import table_name

    snapshots_dir = os.environ.get("ANALYTICS_SNAPSHOT_DIR") or str(ROOT / "bench" / "out" / "snapshots")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": "",
           "ANALYTICS_SNAPSHOT_DIR": snapshots_dir}
    load = os.getloadavg()[0]
    cold = json.loads(run([sys.executable, __file__, "--child", "--cold"], env))
    columns = ",".join(cold["columns"])
    changed = rows_rewrite(table_name(SURVEY), args.changed)
    runs, floors = [], []
    for _ in range(args.runs):
        runs.append(json.loads(run([sys.executable, __file__, "--child"], env)))
        rows, seconds, peak = run([sys.executable, "-c", SNAPSHOT_FLOOR, runs[-1]["snapshot"], columns], env).split()
        floors.append({"rows": int(rows), "seconds": float(seconds), "peak_mb": float(peak)})
    seconds = statistics.median(r["seconds"] for r in runs)
    floor = statistics.median(f["seconds"] for f in floors)
    peak = max(r["peak_mb"] for r in runs)
    floor_peak = max(f["peak_mb"] for f in floors)
    first = runs[0]
    print(f"recompute of {SURVEY}, N={first['n']} submitted ({count} in the read model: {SEED_RESPONSES} generated, "
          f"the rest copied): {first['reports']} reports, {first['blocks']} tables, "
          f"{len(first['columns'])} columns read; snapshot {first['snapshot_mb']:.0f} MB")
    print(f"  cold (no snapshot: every row read from PostgreSQL, snapshot written) {cold['seconds']:.2f} s, "
          f"peak RSS {cold['peak_mb']:.0f} MB")
    print(f"  with the snapshot and {changed} rows written since: {seconds:.2f} s (median of {len(runs)}), "
          f"peak RSS {peak:.0f} MB; floor (bare read of the snapshot's columns) {floor:.2f} s, {floor_peak:.0f} MB; "
          f"load average {load:.1f} -> {os.getloadavg()[0]:.1f} (2 cores)")
    at_target = first["n"] >= 1_000_000
    scaled = "" if at_target else f" (target stated at 1,000,000; this run {first['n']})"
    figure_print(f"recompute {first['n']} responses", seconds, "s", floor, f"<={TARGET_SECONDS:g} s{scaled}",
                 seconds <= TARGET_SECONDS)
    figure_print(f"recompute {first['n']} responses peak RSS", peak, "MB", floor_peak,
                 f"<={TARGET_MB} MB{scaled}", peak <= TARGET_MB)
    if args.copy_floor:
        rows, copy_seconds, copy_peak = run([sys.executable, "-c", COPY_FLOOR, url, table_name(SURVEY), columns],
                                            env).split()
        figure_print(f"recompute {first['n']} responses, cold (no snapshot)", cold["seconds"], "s",
                     float(copy_seconds), "report", True)


def rows_rewrite(table: str, count: int) -> int:
    """Write `count` submitted rows again, unchanged (a new transaction id each: rows the recompute must
    read from the database beside the snapshot)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET status = status WHERE response_id IN (SELECT response_id FROM "{table}" '
                       "WHERE status = 'submitted' ORDER BY random() LIMIT %s)", [count])
        return cursor.rowcount


if __name__ == "__main__":
    main()
