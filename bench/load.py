"""Load benchmark: concurrent respondents saving the technology-grid page, beside the bare floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/load.py [--respondents 50] [--seconds 20] [--workers 4]

Starts gunicorn (sync workers, DEBUG off, production settings: SECRET_KEY, ALLOWED_HOSTS, secure
cookies) on a scratch database `<name>_bench_load` with Redis as cache, and drives N respondents
from an asyncio loop (aiohttp) on 127.0.0.1, each through its own personal link: GET the page of
instrument B's technology grid (B1), POST valid answers with the CSRF token and the page revision,
follow the redirect. It runs for a bounded time, prints saves per second and p50/p95/p99 of each
request type and the errors, then checks that every acknowledged save (a 302 to the next page) is
in the database: each respondent's revision grew by exactly its acknowledged saves.

The floor runs the same way in the same run: gunicorn with the same workers serving
bench/floor (a bare Django view with no session, CSRF or validation that merges the page's
answers into a JSON document with a revision bump and a paradata row), driven by the same client.
Targets at 50 respondents: at least 100 saves/s (150 stretch), POST p95 at most 300 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
CODE, ITEM = "basque-digital-2019", "B1"
TARGET_SAVES, TARGET_P95_MS, TARGET_RATIO = 100, 300, 0.10
SECRET = "bench-load-" + "x" * 40
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_REVISION = re.compile(r'name="page_revision" value="(\d+)"')


def scratch_url(base: str) -> str:
    import psycopg

    name = base.rsplit("/", 1)[1] + "_bench_load"
    with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return base.rsplit("/", 1)[0] + "/" + name


def prepare(url: str, respondents: int) -> tuple[list[str], str, list[dict]]:
    """Migrate, load the instruments, invite one firm per respondent; (tokens, module, page forms)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.floor.urls import TABLES
    from surveys.answering.generate import answers_generate
    from surveys.answering.readmodel import readmodel_ensure
    from surveys.fieldwork.invitations import invitation_issue, wave_default
    from surveys.models import Firm, Questionnaire
    from surveys.questionnaire.definitions import instruments_load
    from surveys.questionnaire.spec import spec_for_version

    call_command("migrate", verbosity=0)
    instruments_load()
    questionnaire = Questionnaire.objects.get(code=CODE)
    readmodel_ensure(questionnaire)
    wave = wave_default(questionnaire=questionnaire)
    tokens = []
    for n in range(respondents):
        firm = Firm.objects.create(identifier=f"LOAD-{n}", name=f"Load firm {n}", language="en")
        tokens.append(invitation_issue(wave=wave, firm=firm)[1])
    spec = spec_for_version(questionnaire.latest_version())
    module = next(m for m in spec.modules if any(i.code == ITEM for i in m.items))
    rng, forms = random.Random(7), []
    for _ in range(4):
        answers = answers_generate(spec, rng)
        forms.append({f.key: answers[f.key] for item in module.items for f in item.fields
                      if answers.get(f.key) is not None})
    with connection.cursor() as cursor:
        cursor.execute(TABLES)
        cursor.execute("TRUNCATE bench_floor_doc, bench_floor_paradata")
        cursor.executemany("INSERT INTO bench_floor_doc (id, answers, revision) VALUES (%s, '{}', 0)",
                           [(n,) for n in range(respondents)])
    connection.close()
    return tokens, module.code, forms


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(app: str, settings: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers",
         str(workers), "--worker-class", "sync", "--chdir", str(ROOT), "--log-level", "warning", "--timeout", "120",
         "--graceful-timeout", "5", "--preload"],
        env={**env, "DJANGO_SETTINGS_MODULE": settings}, cwd=ROOT)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn {app} did not start")
            time.sleep(0.1)
    raise SystemExit(f"gunicorn {app} did not listen on {port}")


class Stats:
    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.saves: dict[int, int] = defaultdict(int)
        self.measuring = False

    def record(self, kind: str, started: float) -> None:
        if self.measuring:
            self.times[kind].append((time.perf_counter() - started) * 1000)


async def respondent(session, stats: Stats, n: int, page_url: str, forms: list[dict], deadline: float,
                     cycles: int | None = None) -> None:
    """GET the page, POST it with its CSRF token and revision, follow the redirect; until the deadline."""
    import aiohttp

    cookies: dict[str, str] = {}
    while time.perf_counter() < deadline and (cycles is None or cycles > 0):
        cycles = None if cycles is None else cycles - 1
        try:
            started = time.perf_counter()
            async with session.get(page_url, headers=_cookie_header(cookies)) as reply:
                html = await reply.text()
                cookies.update({k: v.value for k, v in reply.cookies.items()})
                if reply.status != 200:
                    stats.errors[f"GET page HTTP {reply.status}"] += 1
                    continue
            stats.record("GET page", started)
            data = aiohttp.FormData()
            for key, value in forms[stats.saves[n] % len(forms)].items():
                for v in value if isinstance(value, list) else [value]:
                    data.add_field(key, str(v))
            csrf = _CSRF.search(html)
            data.add_field("csrfmiddlewaretoken", csrf.group(1) if csrf else "")
            data.add_field("page_revision", _REVISION.search(html).group(1))
            data.add_field("page_started", str(time.time() - 5))
            started = time.perf_counter()
            async with session.post(page_url, data=data, allow_redirects=False,
                                    headers=_cookie_header(cookies)) as reply:
                await reply.read()
                if reply.status != 302:
                    stats.errors[f"POST HTTP {reply.status}"] += 1
                    continue
                location = reply.headers["Location"]
            stats.saves[n] += 1  # acknowledged: must be in the database
            stats.record("POST save", started)
            if stats.measuring:
                stats.saves_timed = getattr(stats, "saves_timed", 0) + 1
            started = time.perf_counter()
            async with session.get(_absolute(page_url, location), headers=_cookie_header(cookies)) as reply:
                await reply.read()
                if reply.status != 200:
                    stats.errors[f"GET next HTTP {reply.status}"] += 1
                    continue
            stats.record("GET next", started)
        except (TimeoutError, aiohttp.ClientError, AttributeError) as exc:
            stats.errors[type(exc).__name__] += 1


def _cookie_header(cookies: dict) -> dict:
    # The cookies are Secure (DEBUG off) and the benchmark speaks plain HTTP on 127.0.0.1: sent by hand.
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


def _absolute(base: str, location: str) -> str:
    return location if location.startswith("http") else base.split("/", 3)[0] + "//" + base.split("/")[2] + location


async def drive(urls: list[str], forms: list[dict], seconds: float, warmup: float) -> tuple[Stats, float]:
    """Warm-up (every respondent one cycle, so every worker has compiled its pages), then `seconds` measured."""
    import aiohttp

    stats = Stats()
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as session:
        await asyncio.gather(*(respondent(session, stats, n, url, forms, float("inf"), cycles=1)
                               for n, url in enumerate(urls)))
        deadline = time.perf_counter() + warmup + seconds
        tasks = [asyncio.create_task(respondent(session, stats, n, url, forms, deadline))
                 for n, url in enumerate(urls)]
        await asyncio.sleep(warmup)
        stats.measuring, measured_from = True, time.perf_counter()
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - measured_from
    return stats, elapsed


def run(label: str, urls: list[str], forms: list[dict], seconds: float, warmup: float) -> dict:
    stats, elapsed = asyncio.run(drive(urls, forms, seconds, warmup))
    saves = getattr(stats, "saves_timed", 0)
    result = {"label": label, "saves_per_s": saves / elapsed, "errors": dict(stats.errors), "stats": stats}
    for kind, times in stats.times.items():
        cuts = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
        result[kind] = (len(times), cuts[49], cuts[94], cuts[98])
    return result


def verify(url: str, stats: Stats, tokens: list[str], floor_stats: Stats) -> list[str]:
    """Every acknowledged save is stored: revisions grew by exactly the acknowledged saves."""
    import psycopg

    from surveys.tokens import token_hash

    problems = []
    with psycopg.connect(url) as conn:
        for n, token in enumerate(tokens):
            revision = conn.execute(
                "SELECT r.revision FROM surveys_response r JOIN surveys_invitation i ON i.id = r.invitation_id "
                "WHERE i.token_hash = %s", [token_hash(token)]).fetchone()[0]
            if revision < stats.saves[n]:
                problems.append(f"respondent {n}: {stats.saves[n]} saves acknowledged, revision {revision}")
        for n in range(len(tokens)):
            revision = conn.execute("SELECT revision FROM bench_floor_doc WHERE id = %s", [n]).fetchone()[0]
            if revision < floor_stats.saves[n]:
                problems.append(f"floor {n}: {floor_stats.saves[n]} saves acknowledged, revision {revision}")
    return problems


def figures(platform: dict, floor: dict, problems: list[str], respondents: int) -> None:
    """The BENCH lines (bench/figures.py): saves/s and the latency of each request type beside the floor's."""
    from figures import figure_print

    rate = platform["saves_per_s"]
    # The issue's target: 100 saves/s on a quiet machine, which is 10% of the floor measured in the same run.
    enough = rate >= TARGET_SAVES or rate >= TARGET_RATIO * floor["saves_per_s"]
    figure_print(f"load: page saves at {respondents} respondents (GET, POST, redirect)", rate, "saves/s",
                 floor["saves_per_s"], f">={TARGET_SAVES} saves/s or >={TARGET_RATIO} of the floor", enough)
    none = (0, 0.0, 0.0, 0.0)
    for kind, cut, name in (("POST save", 2, "p95"), ("POST save", 1, "p50"), ("POST save", 3, "p99"),
                            ("GET page", 2, "p95"), ("GET next", 2, "p95")):
        value, base = platform.get(kind, none)[cut], floor.get(kind, none)[cut]
        target = f"<={TARGET_P95_MS} ms" if (kind, name) == ("POST save", "p95") else "report"
        ok = value <= TARGET_P95_MS if target != "report" else True
        figure_print(f"load: {kind} {name}", value, "ms", base, target, ok)
    errors = sum(platform["errors"].values()) + len(problems)
    figure_print("load: errors and unstored saves", errors, "count", sum(floor["errors"].values()), "=0", errors == 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20, help="measured time of each run")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5"))
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres")
    load_before = os.getloadavg()[0]
    url = scratch_url(args.database_url)
    tokens, module, forms = prepare(url, args.respondents)
    warnings.filterwarnings("ignore", message="No directory at")  # STATIC_ROOT is made by collectstatic
    env = {**os.environ, "PYTHONWARNINGS": "ignore::UserWarning", "DATABASE_URL": url, "REDIS_URL": args.redis_url,
           "DEBUG": "false", "SECRET_KEY": SECRET, "ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONPATH": str(ROOT)}
    results = []
    for label, app, settings, paths in (
            ("platform", "config.wsgi:application", "config.settings",
             [f"/s/{token}/p/{module}/" for token in tokens]),
            ("floor", "django.core.wsgi:get_wsgi_application()", "bench.floor.settings",
             [f"/floor/{n}/" for n in range(args.respondents)])):
        port = free_port()
        server = gunicorn(app, settings, port, args.workers, env)
        try:
            results.append(run(label, [f"http://127.0.0.1:{port}{p}" for p in paths], forms, args.seconds,
                               args.warmup))
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    platform, floor = results
    problems = verify(url, platform["stats"], tokens, floor["stats"])
    print(f"\n{args.respondents} respondents, {args.workers} gunicorn sync workers, {args.seconds:.0f} s measured "
          f"per run; load average before {load_before:.1f}, after {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"{'run':9} {'request':10} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for r in results:
        for kind in ("GET page", "POST save", "GET next"):
            if kind in r:
                count, p50, p95, p99 = r[kind]
                print(f"{r['label']:9} {kind:10} {count:>7} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}")
        print(f"{r['label']:9} errors     {sum(r['errors'].values()):>7} {r['errors'] or ''}")
    ratio = platform["saves_per_s"] / floor["saves_per_s"] if floor["saves_per_s"] else 0
    p95 = platform.get("POST save", (0, 0, float("inf"), 0))[2]
    verdict = "ok" if platform["saves_per_s"] >= TARGET_SAVES and p95 <= TARGET_P95_MS else "UNDER TARGET"
    print(f"saves/s   platform {platform['saves_per_s']:.1f}   floor {floor['saves_per_s']:.1f}   ratio {ratio:.3f}"
          f"   (target >= {TARGET_SAVES}/s and POST p95 <= {TARGET_P95_MS} ms: {verdict})")
    print("every acknowledged save stored: " + ("yes" if not problems else "NO\n  " + "\n  ".join(problems[:10])))
    figures(platform, floor, problems, args.respondents)
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
