"""Benchmark: one respondent page save of instrument B through HTTP (Django test client).

Prints the SQL queries one save makes and the p50/p95 latency over N saves, on whatever
DATABASE_URL (and REDIS_URL, for the rate-limit cache) is set. Runs in a throwaway database
(`bench_<name>`, or a file in bench/out/ for SQLite), never in the development one.

    .venv/bin/python bench/page_save.py [--saves 200] [--item B1] [--show-queries]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

INSTRUMENT = "basque-digital-2019"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200, help="timed saves (default 200)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--item", default="B1", help="the page is the module holding this item (default B1)")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one save")
    return parser.parse_args()


def bench_database() -> str:
    """Point the test-database machinery at a bench database and create it; returns the old name."""
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        out = ROOT / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "NAME": str(out / "page_save.sqlite3")}
    else:
        settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "NAME": f"bench_{settings_dict['NAME']}"}
    old_name = settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    return old_name


def case(item_code: str):
    """A firm invited to instrument B; returns (response, token, module code, spec)."""
    from surveys.fieldwork.invitations import invitation_issue, wave_default
    from surveys.models import Firm, Questionnaire
    from surveys.questionnaire.definitions import instruments_load
    from surveys.questionnaire.spec import spec_for_version

    instruments_load()
    questionnaire = Questionnaire.objects.get(code=INSTRUMENT)
    firm = Firm.objects.create(identifier="BENCH-1", name="Bench firm", language="en")
    invitation, token, _ = invitation_issue(wave=wave_default(questionnaire=questionnaire), firm=firm)
    spec = spec_for_version(invitation.response.version)
    module = next(m for m in spec.modules if any(i.code == item_code for i in m.items))
    return invitation.response, token, module, spec


def page_forms(spec, module, count: int = 2) -> list[dict]:
    """Form data for the page from complete, valid generated answer sets (alternated while timing)."""
    from surveys.answering.generate import answers_generate

    rng = random.Random(7)
    forms = []
    for _ in range(count):
        answers = answers_generate(spec, rng)
        data = {}
        for item in module.items:
            for f in item.fields:
                value = answers.get(f.key)
                if value is not None:
                    data[f.key] = [str(v) for v in value] if isinstance(value, list) else str(value)
        forms.append(data)
    return forms


class Saver:
    """POSTs the page as a browser would, carrying the revision the page was rendered from."""

    def __init__(self, token: str, module_code: str, forms: list[dict], revision: int):
        from django.test import Client
        from django.urls import reverse

        self.client, self.forms, self.revision, self.n = Client(), forms, revision, 0
        self.url = reverse("surveys:page", kwargs={"token": token, "module": module_code})

    def save(self) -> None:
        data = {**self.forms[self.n % len(self.forms)], "page_revision": self.revision, "page_started": time.time()}
        reply = self.client.post(self.url, data)
        if reply.status_code != 302:
            raise SystemExit(f"save {self.n} failed with HTTP {reply.status_code}:\n{reply.content[:2000]!r}")
        self.revision += 1
        self.n += 1


def queries_of_one_save(saver: Saver) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        saver.save()
    return [q["sql"] for q in captured.captured_queries]


def timed(saver: Saver, saves: int) -> list[float]:
    times = []
    for _ in range(saves):
        started = time.perf_counter()
        saver.save()
        times.append((time.perf_counter() - started) * 1000)
    return times


def floor_timed(response_id: int, forms: list[dict], saves: int) -> list[float]:
    """The floor: a bare Django model save of the same row, as many times: lock it, merge the page's
    values into the JSON answers, bump the revision, save (no form, validation, read model, session)."""
    from django.db import transaction

    from surveys.models import Response

    times = []
    for n in range(saves):
        started = time.perf_counter()
        with transaction.atomic():
            response = Response.objects.select_for_update().get(pk=response_id)
            response.answers.update(forms[n % len(forms)])
            response.revision += 1
            response.save(update_fields=["answers", "revision", "updated_at"])
        times.append((time.perf_counter() - started) * 1000)
    return times


def figures(times: list[float], floor: list[float]) -> None:
    import statistics as st

    from figures import figure_print

    cuts, floor_cuts = st.quantiles(times, n=100), st.quantiles(floor, n=100)
    figure_print("page save: one respondent, test client", 1000 / st.fmean(times), "saves/s",
                 1000 / st.fmean(floor), "report", True)
    figure_print("page save: p50", cuts[49], "ms", floor_cuts[49], "report", True)
    figure_print("page save: p95", cuts[94], "ms", floor_cuts[94], "<=300 ms", cuts[94] <= 300)


def statement_kind(sql: str) -> str:
    words = sql.split()
    if len(words) > 2 and words[1] == "times:":  # executemany, as CaptureQueriesContext records it
        return f"{words[2].upper()} (x{words[0]})"
    return words[0].upper()


def report(*, module, saves: int, queries: list[str], times: list[float], show_queries: bool) -> None:
    from django.conf import settings
    from django.db import connection

    kinds = Counter(statement_kind(q) for q in queries)
    cuts = statistics.quantiles(times, n=100)
    print(f"Page save benchmark: {INSTRUMENT}, page {module.code} ({', '.join(i.code for i in module.items)})")
    print(f"  database     {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"  cache        {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}")
    print(f"  queries/save {len(queries)}  ({', '.join(f'{k} {n}' for k, n in kinds.most_common())})")
    print(f"  latency ms   p50 {cuts[49]:.1f}   p95 {cuts[94]:.1f}   mean {statistics.fmean(times):.1f}"
          f"   max {max(times):.1f}   over {saves} saves")
    if show_queries:
        for sql in queries:
            print(f"    {sql[:200]}")


def main() -> None:
    args = arguments()
    warnings.filterwarnings("ignore", message="No directory at")  # STATIC_ROOT is made by collectstatic
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)
    old_name = bench_database()
    try:
        response, token, module, spec = case(args.item)
        saver = Saver(token, module.code, page_forms(spec, module), response.revision)
        for _ in range(args.warmup):
            saver.save()
        queries = queries_of_one_save(saver)
        times = timed(saver, args.saves)
        report(module=module, saves=args.saves, queries=queries, times=times, show_queries=args.show_queries)
        figures(times, floor_timed(response.pk, saver.forms, args.saves))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
