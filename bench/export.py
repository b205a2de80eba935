"""Benchmark: export 100,000 responses of instrument B in every format; import 10,000 rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/export.py [--rows 100000]

Runs on a scratch database `bench_export` (dropped and recreated on the server of DATABASE_URL).
Data: 2,000 responses made by `surveys.answering.generate.responses_generate` (real firms, invitations,
answers through validate_all), then their read-model rows replicated to --rows with COPY, each
replica with a firm of its own (bulk-created, so every row has a real pseudonym). The exports read
only the read model and the firms, so the replicas cost what real responses would.
Each format runs in a fresh process: seconds are wall time of `export_write`, peak is that
process's maximum resident memory (Django and pandas included). The import re-reads 10,000 rows
of the CSV export whose firms have no response yet, so each row is validated and created.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CODE = "basque-digital-2019"
TARGETS = {"csv": 10, "sav": 20, "parquet": 10, "dta": 20, "xlsx": 90}
SEED_RESPONSES = 2000
IMPORT_ROWS = 10_000


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def scratch_url(base: str) -> str:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_export WITH (FORCE)")
        conn.execute("CREATE DATABASE bench_export")
    return base.rsplit("/", 1)[0] + "/bench_export"


def populate(rows: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from surveys.answering.generate import responses_generate
    from surveys.answering.readmodel import table_name
    from surveys.models import Firm, Questionnaire
    from surveys.questionnaire.definitions import instruments_load

    call_command("migrate", verbosity=0)
    instruments_load()
    questionnaire = Questionnaire.objects.get(code=CODE)
    started = time.perf_counter()
    responses_generate(questionnaire=questionnaire, count=SEED_RESPONSES, seed=2026)
    print(f"generated {SEED_RESPONSES} responses in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    extra = rows - SEED_RESPONSES
    firms = Firm.objects.bulk_create([Firm(identifier=f"BENCH-{n}", name=f"Bench firm {n}") for n in range(extra)],
                                     batch_size=5000)
    table = table_name(CODE)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY response_id')
        names = [c.name for c in cursor.description]
        seeds = cursor.fetchall()
        firm_at, id_at = names.index("firm_id"), names.index("response_id")
        with cursor.copy(f'COPY "{table}" ({", ".join(chr(34) + n + chr(34) for n in names)}) FROM STDIN') as copy:
            for n, firm in enumerate(firms):
                row = list(seeds[n % len(seeds)])
                row[id_at], row[firm_at] = 10_000_000 + n, firm.pk
                copy.write_row(row)
    print(f"replicated to {rows} read-model rows (+{extra} firms) in {time.perf_counter() - started:.1f} s")


def run_one(fmt: str, out: Path) -> None:
    from analytics.data.export.jobs import export_write
    from analytics.data.export.options import ExportOptions
    from surveys.models import Questionnaire

    questionnaire = Questionnaire.objects.get(code=CODE)
    started, cpu = time.perf_counter(), time.process_time()
    rows = export_write(questionnaire=questionnaire, options=ExportOptions(format=fmt), path=out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"format": fmt, "rows": rows, "seconds": round(seconds, 2), "cpu": round(cpu, 2),
                      "peak_mb": round(peak_mb), "size_mb": round(out.stat().st_size / 1e6, 1)}))


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
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,sav,parquet,dta,xlsx")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--workdir", default="/tmp/bench_export")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--import-from", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    if args.one or args.import_from:
        setup_django(args.database_url)
        if args.one:
            run_one(args.one, work / f"export.{args.one}")
        else:
            run_import(Path(args.import_from), work / "import.csv")
        return
    if not args.database_url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres")
    load = f"{os.getloadavg()[0]:.1f}"
    url = scratch_url(args.database_url)
    setup_django(url)
    populate(args.rows)
    results = [child(["--one", fmt, "--workdir", str(work)], url) for fmt in args.formats.split(",")]
    if "csv" in args.formats:
        results.append(child(["--import-from", str(work / "export.csv"), "--workdir", str(work)], url))
    print(f"\nload average before: {load}, after: {os.getloadavg()[0]:.1f} (2 cores; CPU s = this process only)")
    print(f"{'format':8} {'rows':>8} {'seconds':>8} {'CPU s':>7} {'target':>7} {'peak MB':>8} {'file MB':>8}")
    for r in results:
        target = TARGETS.get(r["format"], 30)
        verdict = "ok" if r["seconds"] <= target and r["peak_mb"] < 1536 else "OVER"
        print(f"{r['format']:8} {r['rows']:>8} {r['seconds']:>8.2f} {r['cpu']:>7.2f} {target:>7} {r['peak_mb']:>8} "
              f"{r.get('size_mb', ''):>8}  {verdict}")
        if "reimport_seconds" in r:
            print(f"{'':8} re-import of the same file (10,000 unchanged): {r['reimport_seconds']:.2f} s")


if __name__ == "__main__":
    main()
