"""Benchmark: read the API's response feed of instrument B from the start, 1,000 responses a page.

Generates --responses submitted responses in a throwaway database (`bench_<name>`, or a file in
bench/out/ for SQLite), then pages through `GET /api/v1/questionnaires/<code>/responses/` with an
analyst's token (HTTP through Django's test client, JSON rendering included) and prints the
responses per second and the p50/p95 time of one page (after one warm-up request).

    .venv/bin/python bench/api_feed.py [--responses 3000] [--limit 1000]

Floor, same run: the same pages read by keyset SQL straight from the response table and dumped as
JSON, with no API, token, serializer or renderer.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

INSTRUMENT = "basque-digital-2019"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=3000)
    parser.add_argument("--limit", type=int, default=1000)
    return parser.parse_args()


def floor_read(limit: int) -> tuple[float, list[float]]:
    """The floor: the same pages by keyset SQL on the response table (id, status, answers, derived,
    timestamps), each page turned into a JSON document, with no API, token or serializer."""
    import json

    from django.db import connection

    pages, position = [], (-1, 0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        while True:
            t0 = time.perf_counter()
            cursor.execute("SELECT id, change_seq, status, answers, derived, started_at, submitted_at FROM "
                           "surveys_response WHERE (change_seq > %s OR (change_seq = %s AND id > %s)) "
                           "ORDER BY change_seq, id LIMIT %s", [position[0], position[0], position[1], limit])
            rows = cursor.fetchall()
            json.dumps([{"id": r[0], "status": r[2], "answers": r[3], "derived": r[4], "started_at": str(r[5]),
                         "submitted_at": str(r[6])} for r in rows])
            pages.append(time.perf_counter() - t0)
            if len(rows) < limit:
                break
            position = (rows[-1][1], rows[-1][0])
    return time.perf_counter() - started, pages


def main() -> None:
    args = arguments()
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test.utils import setup_test_environment
    from page_save import bench_database
    from rest_framework.test import APIClient

    from surveys.accounts.roles import ANALYST, role_assign, roles_install
    from surveys.answering.generate import responses_generate
    from surveys.api.tokens import api_token_create
    from surveys.models import Questionnaire
    from surveys.questionnaire.definitions import instruments_load

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.API_THROTTLE_RATE = "100000/min"
    bench_database()
    instruments_load()
    roles_install()
    questionnaire = Questionnaire.objects.get(code=INSTRUMENT)
    started = time.perf_counter()
    responses_generate(questionnaire=questionnaire, count=args.responses, seed=1)
    print(f"generated {args.responses} responses in {time.perf_counter() - started:.1f} s")
    analyst = get_user_model().objects.create_user("bench-analyst")
    role_assign(user=analyst, role=ANALYST)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=analyst, name='bench')[1]}")
    client.get("/api/v1/questionnaires/")  # warm-up: the first request imports every view module
    cursor, seen, pages = "0", 0, []
    total = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        page = client.get(f"/api/v1/questionnaires/{INSTRUMENT}/responses/", {"since": cursor, "limit": args.limit})
        pages.append(time.perf_counter() - t0)
        body = page.json()
        seen += len(body["results"])
        cursor = body["next"]
        if not body["has_more"]:
            break
    elapsed = time.perf_counter() - total
    q = statistics.quantiles(pages, n=20) if len(pages) > 1 else pages * 19
    floor_seconds, floor_pages = floor_read(args.limit)
    print("pages (ms):", [round(p * 1000) for p in pages])
    print(f"read {seen} responses in {len(pages)} pages of {args.limit}: {elapsed:.2f} s, {seen / elapsed:.0f} "
          f"responses/s; page p50 {statistics.median(pages) * 1000:.0f} ms, p95 {q[18] * 1000:.0f} ms")
    from figures import figure_print

    fq = statistics.quantiles(floor_pages, n=20) if len(floor_pages) > 1 else floor_pages * 19
    figure_print(f"api feed: {seen:,} responses, pages of {args.limit}", seen / elapsed, "responses/s",
                 seen / floor_seconds, "report", True)
    figure_print("api feed: page p95", q[18] * 1000, "ms", fq[18] * 1000, "report", True)


if __name__ == "__main__":
    main()
