"""Benchmark: `generate_responses` of instrument B, every response drawn page by page through the web's
validation and stored with its firm, invitation and read-model row; the time for 1,000,000 is
extrapolated from the measured rate unless --count is 1,000,000.

    python bench/generate_responses.py [--count 5000] [--pool 0] [--grow]   (DATABASE_URL if set, else SQLite)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/generate_responses.py --count 1000000 \
        --pool 10000 --grow

--pool N draws N distinct answer sets and gives every further response one of them (the
generator's bootstrap mode, for benchmark data); without it every response is drawn afresh.

Floor, same run: the same rows (firms, invitations, responses, read-model rows, read back beforehand)
written again into empty copies of the four tables with their indexes, by COPY on PostgreSQL and
executemany on SQLite: the writing without generation or validation. Without --grow the run uses a
throwaway database; with --grow it generates into DATABASE_URL's own database, so every run adds
responses (new firms, tax ids, pseudonyms and tokens).
"""
import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
TARGET_SECONDS_PER_MILLION = 3600  # a million responses for the benchmarks within the hour


def floor_write(tables: dict[str, str]) -> float:
    """Write the rows each `table` holds for the generated ids (its WHERE clause) into an empty copy."""
    from django.db import connection, transaction

    rows = {}
    with connection.cursor() as cursor:
        for table, where in tables.items():
            cursor.execute(f"SELECT * FROM {table} WHERE {where}")
            rows[table] = cursor.fetchall()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, data in rows.items():
            copy_name = f"floor_{table}"
            if connection.vendor == "postgresql":
                cursor.execute(f"CREATE TEMP TABLE {copy_name} (LIKE {table} INCLUDING ALL)")
                with cursor.copy(f"COPY {copy_name} FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
            else:
                cursor.execute(f"CREATE TEMP TABLE {copy_name} AS SELECT * FROM {table} WHERE 0")
                if data:
                    marks = ", ".join(["%s"] * len(data[0]))
                    cursor.executemany(f"INSERT INTO {copy_name} VALUES ({marks})", data)
            cursor.execute(f"DROP TABLE {copy_name}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--survey", default="basque-digital-2019")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pool", type=int, default=0, help="distinct answer sets to draw and reuse (0: all drawn)")
    parser.add_argument("--grow", action="store_true", help="generate into DATABASE_URL's database, adding data")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from figures import cpu_seconds, figure_print

    from surveys.answering.generate import responses_generate
    from surveys.answering.readmodel import table_name
    from surveys.models import Questionnaire, Response

    names = None if args.grow else setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        if args.grow:
            call_command("migrate", verbosity=0)
        call_command("load_instruments", verbosity=0)
        questionnaire = Questionnaire.objects.get(code=args.survey)
        last = Response.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        started, cpu = time.perf_counter(), cpu_seconds()
        responses_generate(questionnaire=questionnaire, count=args.count, seed=args.seed, pool=args.pool)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        new = f"id > {last}"
        floor = floor_write({
            "surveys_firm": f"id IN (SELECT firm_id FROM surveys_invitation WHERE id IN "
                            f"(SELECT invitation_id FROM surveys_response WHERE {new}))",
            "surveys_invitation": f"id IN (SELECT invitation_id FROM surveys_response WHERE {new})",
            "surveys_response": new, table_name(questionnaire.code): f"response_id > {last}"})
        total = Response.objects.filter(version__questionnaire=questionnaire).count()
        print(f"generate_responses {args.survey} count={args.count} pool={args.pool}: {seconds:.1f} s "
              f"({1000 * seconds / args.count:.2f} ms per response) on {connection.vendor}; "
              f"{total:,} responses of {args.survey} in the database")
        rate, floor_rate = args.count / seconds, args.count / floor
        mode = f", pool {args.pool:,}" if args.pool else ""
        figure_print(f"generate_responses: {args.count:,} responses{mode}", rate, "responses/s", floor_rate,
                     "report", True)
        million = 1_000_000 / rate
        label = f"1,000,000 responses{mode}" + ("" if args.count == 1_000_000 else " (extrapolated from the rate)")
        figure_print(f"generate_responses: {label}", million, "s", 1_000_000 / floor_rate,
                     f"<={TARGET_SECONDS_PER_MILLION} s", million <= TARGET_SECONDS_PER_MILLION)
        # What the same takes on an idle machine: CPU seconds of this process and its PostgreSQL backend.
        cpu_million = cpu * 1_000_000 / args.count
        figure_print(f"generate_responses: {label}, CPU seconds (client + PostgreSQL backend)", cpu_million, "s",
                     1_000_000 / floor_rate, f"<={TARGET_SECONDS_PER_MILLION} s",
                     cpu_million <= TARGET_SECONDS_PER_MILLION)
    finally:
        if names is not None:
            teardown_databases(names, verbosity=0)


if __name__ == "__main__":
    main()
