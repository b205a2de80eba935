"""Benchmark: read N read-model rows raw (the floor) and with E editors' rows overlaid (docs/editing.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/editing_overlay.py \
        [--rows 200000] [--edited 500]

Runs on a scratch database `<name>_bench_editing` (dropped and recreated on the server of
DATABASE_URL). The read model of instrument B is filled with --rows synthetic submitted rows (every
coded and numeric column filled) in SQL, then --edited of them get an edited row. Both reads are
`readmodel_frame(..., where="status = 'submitted'")`, COPY on PostgreSQL, in the same process and
run, the best of three each: the figure is the overlay's time beside the raw read's, and their ratio.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CODE = "basque-digital-2019"


def scratch(base: str, name: str = "") -> str:
    import psycopg

    name = name or base.rsplit("/", 1)[1] + "_bench_editing"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return base.rsplit("/", 1)[0] + "/" + name


def populate(rows: int, edited: int):
    from django.core.management import call_command
    from django.db import connection

    from surveys.answering.readmodel import META_COLUMNS, edited_table_name, readmodel_ensure, table_name
    from surveys.models import Questionnaire
    from surveys.questionnaire.definitions import instruments_load

    call_command("migrate", verbosity=0)
    instruments_load()
    questionnaire = Questionnaire.objects.get(code=CODE)
    variables = readmodel_ensure(questionnaire)
    fill = {"int": "(random() * 5)::bigint", "num": "random() * 100", "str": "NULL"}
    meta = {"response_id": "n", "firm_id": "n", "wave_id": "1", "version": "1", "status": "'submitted'",
            "mode": "'web'", "language": "'en'", "started_at": "now()", "submitted_at": "now()", "updated_at": "now()"}
    names = [n for n, _ in META_COLUMNS] + [v.name for v in variables]
    values = [meta[n] for n, _ in META_COLUMNS] + [fill[v.type] for v in variables]
    columns = ", ".join(f'"{n}"' for n in names)
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{table_name(CODE)}" ({columns}) SELECT {", ".join(values)} '
                       f"FROM generate_series(1, %s) AS n", [rows])
        step = max(rows // max(edited, 1), 1)
        cursor.execute(f'INSERT INTO "{edited_table_name(CODE)}" ({columns}) SELECT {columns} '
                       f'FROM "{table_name(CODE)}" WHERE response_id %% %s = 0 LIMIT %s', [step, edited])
        cursor.execute(f'ANALYZE "{table_name(CODE)}"')
        cursor.execute(f'ANALYZE "{edited_table_name(CODE)}"')
    return questionnaire, len(names)


def best_of(fn, times: int = 3) -> tuple[float, int]:
    best, n = float("inf"), 0
    for _ in range(times):
        start = time.perf_counter()
        n = len(fn())
        best = min(best, time.perf_counter() - start)
    return best, n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--edited", type=int, default=500)
    parser.add_argument("--scratch", default="", help="name of the scratch database (default <name>_bench_editing)")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = scratch(os.environ["DATABASE_URL"], args.scratch)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from surveys.answering.readmodel import readmodel_frame

    questionnaire, width = populate(args.rows, args.edited)

    def read(values: str):
        return readmodel_frame(questionnaire, where="status = %s", params=["submitted"], values=values)

    raw, n_raw = best_of(lambda: read("raw"))
    overlay, n_edited = best_of(lambda: read("edited"))
    assert n_raw == n_edited == args.rows
    print(f"{args.rows} rows x {width} columns, {args.edited} edited rows")
    print(f"raw read (floor): {raw:.2f} s")
    print(f"edited overlay:   {overlay:.2f} s  ratio {overlay / raw:.2f}")
    from figures import figure_print

    figure_print(f"read with {args.edited} edited rows overlaid, {args.rows:,} responses", overlay, "s", raw,
                 "<=1.2x the raw read", overlay <= 1.2 * raw)


if __name__ == "__main__":
    main()
