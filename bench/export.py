"""Benchmark: export the responses of instrument B in every format as a user runs it, beside the floor
measured in the same run, with each process's peak memory; import 10,000 rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/export.py [--responses 100000]
    # constant memory: the same at a million responses (the floor is skipped above --floor-max rows)
    .venv/bin/python bench/export.py --responses 1000000 --no-import

Runs on a scratch database `<name>_bench_scale_<responses>` on the server of DATABASE_URL (shared
with bench/recompute.py), kept between runs (--fresh drops it first). Data: 2,000 responses made
by `responses_generate` (real firms, invitations, answers through validate_all), then their
read-model rows copied in SQL with new ids, each copy with a firm of its own (bench/scale.py).
The exports read only the read model and the firms, so the copies cost what real responses would.

Each export runs as a user runs it: `manage.py export_responses` in a fresh process, process start
included; seconds are its wall time, peak its maximum resident memory (getrusage of the child).
The floor of each format runs the same way in the same run: a bare script (psycopg + pyarrow, no
Django) that COPYs the same read-model rows as CSV text, parses them with pyarrow and writes them
with the same library (pyarrow for CSV and Parquet, pyreadstat for SPSS and Stata) without labels,
pseudonyms or cleaning. Targets: at most twice the floor; under 1 GB peak at any size.
The import re-reads 10,000 rows of the CSV export whose firms have no response yet, so each row is
validated and created.

Every figure is also printed as one line `BENCH {json}` (figure, value, unit, floor, ratio, target, ok).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import scale  # noqa: E402

CODE = "basque-digital-2019"
TARGET_RATIO = 2.0  # an export may cost at most twice its floor
MEMORY_MB = 1024  # at any number of responses
SEED_RESPONSES = 2000
IMPORT_ROWS = 10_000


def setup_django(database_url: str) -> None:
    scale.setup_django(database_url)


def populate(rows: int) -> None:
    scale.seed(CODE, SEED_RESPONSES)
    scale.grow(CODE, rows)


def bench_line(figure: str, value: float, unit: str, target: str, ok: bool, floor: float | None = None) -> None:
    ratio = round(value / floor, 2) if floor else None
    print("BENCH " + json.dumps({"figure": figure, "value": value, "unit": unit, "floor": floor, "ratio": ratio,
                                 "target": target, "ok": ok}))


FLOOR = r"""
import io, sys, psycopg, pyarrow.csv as pc, pyarrow.parquet as pq, pyreadstat
url, table, fmt, out = sys.argv[1:5]
buffer = io.BytesIO()
select = f"SELECT * FROM {table} WHERE status = 'submitted' ORDER BY response_id"
with psycopg.connect(url) as conn, conn.cursor().copy(f"COPY ({select}) TO STDOUT (FORMAT csv, HEADER)") as copy:
    for block in copy:
        buffer.write(block)
buffer.seek(0)
data = pc.read_csv(buffer)
if fmt == "csv":
    pc.write_csv(data, out)
elif fmt == "parquet":
    pq.write_table(data, out)
else:
    frame = data.to_pandas()
    (pyreadstat.write_sav if fmt == "sav" else pyreadstat.write_dta)(frame, out)
print(data.num_rows)
import resource
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def timed_process(command: list[str], env: dict | None = None) -> dict:
    """Wall time of one child process; its last line of output is its own peak resident memory in MB."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(command[:4])} failed:\n{done.stderr}")
    *lines, peak = done.stdout.strip().splitlines()
    return {"seconds": round(seconds, 2), "peak_mb": round(float(peak)), "out": "\n".join(lines)}


def run_format(fmt: str, url: str, work: Path, with_floor: bool) -> dict:
    from surveys.answering.readmodel import table_name

    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = work / f"export.{fmt}"
    export = timed_process([sys.executable, "-c", _EXPORT, fmt, str(out)], env=env)
    floor = timed_process([sys.executable, "-c", FLOOR, url, table_name(CODE), fmt, str(work / f"floor.{fmt}")]
                          ) if with_floor else {"seconds": None, "peak_mb": None}
    result = {"format": fmt, "rows": int(export["out"].split()[0]), "seconds": export["seconds"],
              "peak_mb": export["peak_mb"], "size_mb": round(out.stat().st_size / 1e6, 1),
              "floor": floor["seconds"], "floor_peak_mb": floor["peak_mb"]}
    print(f"  {fmt}: {result['seconds']:.2f} s, {result['peak_mb']} MB (floor "
          f"{result['floor'] if with_floor else '-'} s)", flush=True)
    return result


# `manage.py export_responses` with its peak memory measured by the OS (a fresh process: imports included)
_EXPORT = """
import resource, sys
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "export_responses", "--survey", "basque-digital-2019",
                           "--format", sys.argv[1], "-o", sys.argv[2]])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def run_import(csv_path: Path, out: Path) -> None:
    from analytics.data.imports import responses_import_path
    from surveys.models import Questionnaire

    with open(csv_path, encoding="utf-8", newline="") as source, open(out, "w", encoding="utf-8", newline="") as sink:
        reader, writer = csv.reader(source), csv.writer(sink)
        writer.writerow(next(reader))
        for n, row in enumerate(reader):
            if SEED_RESPONSES <= n < SEED_RESPONSES + IMPORT_ROWS:
                writer.writerow(row)
    questionnaire = Questionnaire.objects.get(code=CODE)
    # The analytics recompute an import schedules after commit is the analytics' own cost (its bench).
    import analytics.data.imports.service

    analytics.data.imports.service.schedule_results = lambda questionnaire_id: None
    timings = {}
    for attempt in ("import", "re-import"):
        started, cpu = time.perf_counter(), time.process_time()
        report = responses_import_path(questionnaire=questionnaire, path=out)
        timings[attempt] = round(time.perf_counter() - started, 2)
        timings[attempt + " cpu"] = round(time.process_time() - cpu, 2)
        assert report.imported, report.summary() + "; " + "; ".join(map(str, report.problems[:5]))
        print(f"  {attempt}: {report.summary()}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"format": "import", "rows": IMPORT_ROWS, "seconds": timings["import"],
                      "cpu": timings["import cpu"], "reimport_seconds": timings["re-import"],
                      "peak_mb": round(peak_mb)}))


def child(args: list[str], url: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--database-url", url, *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", "--rows", dest="rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,sav,dta,parquet", help="also xlsx (about 90 s per 100,000 rows)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--workdir", help="where the files go (default: a new temporary directory)")
    parser.add_argument("--no-import", action="store_true", help="skip the import of 10,000 rows")
    parser.add_argument("--fresh", action="store_true", help="drop the scratch database first")
    parser.add_argument("--floor-max", type=int, default=200_000,
                        help="run the floors only up to this many rows (the floor holds every row in memory)")
    parser.add_argument("--import-from", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench_export_"))
    work.mkdir(parents=True, exist_ok=True)
    if args.import_from:
        setup_django(args.database_url)
        run_import(Path(args.import_from), work / "import.csv")
        return
    if not args.database_url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres")
    load = f"{os.getloadavg()[0]:.1f}"
    url = scale.scratch_database(args.database_url, f"scale_{args.rows}", fresh=args.fresh)
    setup_django(url)
    populate(args.rows)
    with_floor = args.rows <= args.floor_max
    results = [run_format(fmt, url, work, with_floor) for fmt in args.formats.split(",")]
    if "csv" in args.formats and not args.no_import:
        results.append(child(["--import-from", str(work / "export.csv"), "--workdir", str(work)], url))
    print(f"\nload average before: {load}, after: {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"{'format':8} {'rows':>8} {'seconds':>8} {'floor s':>8} {'ratio':>6} {'target':>7} {'peak MB':>8} "
          f"{'floor MB':>8} {'file MB':>8}")
    for r in results:
        if "floor" not in r:
            print(f"{r['format']:8} {r['rows']:>8} {r['seconds']:>8.2f} (re-import of the same 10,000 unchanged: "
                  f"{r['reimport_seconds']:.2f} s; no floor)")
            bench_line(f"import {r['rows']} rows", r["seconds"], "s", "", True)
            continue
        ratio = r["seconds"] / r["floor"] if r["floor"] else None
        fast = ratio is None or ratio <= TARGET_RATIO
        small = r["peak_mb"] < MEMORY_MB
        print(f"{r['format']:8} {r['rows']:>8} {r['seconds']:>8.2f} {r['floor'] or 0:>8.2f} "
              f"{ratio or 0:>6.2f} {'<= ' + str(TARGET_RATIO):>7} {r['peak_mb']:>8} {r['floor_peak_mb'] or '-':>8} "
              f"{r['size_mb']:>8}  {'ok' if fast and small else 'OVER'}")
        if r["floor"]:
            bench_line(f"export {r['format']} {r['rows']} responses", r["seconds"], "s",
                       f"<={TARGET_RATIO:g}x floor", fast, floor=r["floor"])
        bench_line(f"export {r['format']} {r['rows']} responses peak RSS", r["peak_mb"], "MB",
                   f"<{MEMORY_MB} MB", small, floor=r["floor_peak_mb"])


if __name__ == "__main__":
    main()
