"""Data at scale for the benchmarks: a scratch database of its own, a few thousand real responses,
then their read-model rows copied in SQL until the table holds the wanted count.

    from bench import scale
    url = scale.scratch_database(base_url, "export", fresh=False)   # <base>_bench_export, kept between runs
    scale.setup_django(url)
    scale.seed(code, responses=2000)    # generated through the web's validation (once)
    scale.grow(code, 1_000_000)         # INSERT ... SELECT copies with new ids and new firms

Each copy gets a response id above every id in the table and a firm of its own (fresh identifier and
pseudonym), made in the same statement, so the table can be grown again and again without a
duplicate id, and an export's join to the firms costs what it would with real firms. Only the read
model and the firms are copied: analytics and exports read nothing else.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BAND = 10_000_000  # generated (real) responses have ids below this; copies go in bands above it
STEP = 200_000  # rows per INSERT ... SELECT (one transaction each: bounded WAL and memory)


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def scratch_database(base_url: str, suffix: str, *, fresh: bool) -> str:
    """`<database of base_url>_bench_<suffix>` on the same server, created if missing (dropped first with `fresh`)."""
    import psycopg

    name = urlsplit(base_url).path.lstrip("/") + "_bench_" + suffix
    with psycopg.connect(with_database(base_url, "postgres"), autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(base_url, name)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def seed(code: str, responses: int, seed_value: int = 2026) -> int:
    """Migrate, load the instruments and generate `responses` real responses, unless already there."""
    from django.core.management import call_command

    from surveys.answering.generate import responses_generate
    from surveys.models import Questionnaire, Response
    from surveys.questionnaire.definitions import instruments_load

    call_command("migrate", verbosity=0)
    instruments_load()
    questionnaire = Questionnaire.objects.get(code=code)
    have = Response.objects.filter(version__questionnaire=questionnaire, status="submitted").count()
    if have < responses:
        started = time.perf_counter()
        responses_generate(questionnaire=questionnaire, count=responses - have, seed=seed_value + have)
        print(f"generated {responses - have} responses of {code} in {time.perf_counter() - started:.1f} s")
    return max(have, responses)


def rows(code: str, where: str = "") -> int:
    from django.db import connection

    from surveys.answering.readmodel import table_name

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table_name(code)}"' + (f" WHERE {where}" if where else ""))
        return cursor.fetchone()[0]


def grow(code: str, target: int) -> int:
    """Copy the generated submitted read-model rows (ids below BAND), with new ids and new firms, until
    the table holds `target` submitted rows; returns the count. Each step is one SQL statement."""
    from django.db import connection, transaction

    from surveys.answering.readmodel import readmodel_ensure, table_name
    from surveys.models import Firm, Questionnaire

    readmodel_ensure(Questionnaire.objects.get(code=code))  # its indexes too, before anything is timed
    table, firms = table_name(code), Firm._meta.db_table
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
    rest = [c for c in columns if c not in ("response_id", "firm_id")]
    rest_sql = ", ".join(f'"{c}"' for c in rest)
    source_sql = ", ".join(f'src."{c}"' for c in rest)
    count = rows(code, "status = 'submitted'")
    started, grown = time.perf_counter(), 0
    while count < target:
        batch = min(STEP, target - count)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(response_id), 0) FROM "{table}"')
            shift = (cursor.fetchone()[0] // BAND + 1) * BAND
            cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE response_id < %s AND status = %s',
                           [BAND, "submitted"])
            seeds = cursor.fetchone()[0]
            if not seeds:
                raise RuntimeError(f"no generated submitted responses of {code} to copy")
            # one firm per copy, numbered by its new response id: identifiers and pseudonyms never collide
            cursor.execute(f"""
                WITH seeds AS (
                    SELECT *, row_number() OVER (ORDER BY response_id) - 1 AS seed_at FROM "{table}"
                    WHERE response_id < %(band)s AND status = 'submitted'
                ), src AS (
                    SELECT seeds.*, %(shift)s + g AS new_id
                    FROM generate_series(0, %(batch)s - 1) g JOIN seeds ON seeds.seed_at = g %% %(seeds)s
                ), firms AS (
                    INSERT INTO "{firms}" (identifier, pseudonym, name, language, country, region, district,
                        industry_code, market, cluster, contact_name, email, phone, attributes, created_at, updated_at)
                    SELECT 'BENCH-' || new_id, 'B' || upper(to_hex(new_id)), 'Bench firm ' || new_id, 'en',
                        '', '', '', '', '', '', '', '', '', '{{}}'::jsonb, now(), now()
                    FROM src RETURNING id, identifier
                )
                INSERT INTO "{table}" (response_id, firm_id, {rest_sql})
                SELECT src.new_id, firms.id, {source_sql}
                FROM src JOIN firms ON firms.identifier = 'BENCH-' || src.new_id
            """, {"shift": shift, "batch": batch, "band": BAND, "seeds": seeds})
            count += cursor.rowcount
            grown += cursor.rowcount
    if grown:
        with connection.cursor() as cursor:
            cursor.execute(f'VACUUM ANALYZE "{table}"')
        print(f"grew {code} by {grown} copied read-model rows (and as many firms) to {count} "
              f"in {time.perf_counter() - started:.1f} s")
    return count
