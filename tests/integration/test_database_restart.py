"""PostgreSQL restarted while respondents save pages: no answer lost, no bare 500, and the first
request after a restart succeeds (CONN_HEALTH_CHECKS replaces the dead persistent connection).

The server under test is gunicorn on a PostgreSQL cluster of the test's own (tests/integration/
pg_server.py), so restarting it disturbs nobody else; requests go over HTTP as a browser sends them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import psycopg
import pytest
import requests

from tests.integration.conftest import ROOT
from tests.integration.pg_server import PostgresServer, postgres_binaries
from tests.proof.conftest import PAGE1, PAGE2, PAGE3
from tests.proof.tally import TALLY

RESPONDENTS = 8
SETUP = f"""
import json, yaml
from pathlib import Path
from surveys.questionnaire.definitions import normalise, read_reference_lists, version_store
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Firm
mini = Path({str(ROOT / 'tests/surveys/mini.yaml')!r})
version, _ = version_store(normalise(yaml.safe_load(mini.read_text()),
                                     {{"COUNTRY": read_reference_lists()["COUNTRY"]}}, source=mini.name))
wave = wave_default(questionnaire=version.questionnaire)
tokens = [invitation_issue(wave=wave, firm=Firm.objects.create(identifier=f"PGR-{{n}}", name=f"Firm {{n}}"))[1]
          for n in range({RESPONDENTS})]
print("TOKENS=" + json.dumps(tokens))
"""
pytestmark = pytest.mark.skipif(postgres_binaries() is None, reason="PostgreSQL server programs not installed")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def site(tmp_path):
    """gunicorn (2 workers, persistent connections) on an own PostgreSQL cluster with the mini questionnaire."""
    cluster = PostgresServer().start()
    try:
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE survey")
        env = {**os.environ, "DATABASE_URL": cluster.url("survey"), "SECRET_KEY": "restart-test-secret",
               "DEBUG": "false", "SECURE_COOKIES": "false", "CONN_MAX_AGE": "600", "MEDIA_ROOT": str(tmp_path),
               "DJANGO_SETTINGS_MODULE": "config.settings"}
        env.pop("REDIS_URL", None)  # tasks in-process: this test is about the database alone
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=600)
        out = subprocess.run([*manage, "shell", "-c", SETUP], env=env, cwd=ROOT, check=True, timeout=300,
                             capture_output=True, text=True).stdout
        tokens = json.loads(out.split("TOKENS=", 1)[1].strip())
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}",
                                   "-w", "2", "--timeout", "60"], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=open(tmp_path / "gunicorn.log", "wb"))
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(base + "/", timeout=30)
                    break
                except requests.RequestException:
                    assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()[-3000:]
                    time.sleep(0.2)
            yield {"cluster": cluster, "base": base, "tokens": tokens}
        finally:
            server.terminate()
            server.wait(timeout=20)
    finally:
        cluster.remove()


class Respondent:
    """One browser: a session cookie, the CSRF token of the last form, every status code seen."""

    def __init__(self, base: str, token: str):
        self.base, self.token, self.http, self.codes = base, token, requests.Session(), []

    def request(self, method: str, path: str, data: dict | None = None) -> requests.Response:
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", "")}
        reply = self.http.request(method, self.base + path, data=data, allow_redirects=False, timeout=30,
                                  headers={"Referer": self.base + path})
        self.codes.append(reply.status_code)
        return reply

    def until_done(self, method: str, path: str, data: dict | None = None, tries: int = 60) -> requests.Response:
        """What a respondent does on the 'try again' page: send the same page again a moment later."""
        for _ in range(tries):
            reply = self.request(method, path, data)
            if reply.status_code != 503:
                return reply
            time.sleep(0.25)
        raise AssertionError(f"{path}: still 503 after {tries} tries")


def answer_all(person: Respondent) -> None:
    assert person.until_done("GET", f"/s/{person.token}/").status_code == 200
    for revision, (module, page) in enumerate([("M1", PAGE1), ("M2", PAGE2), ("M3", PAGE3)]):
        person.until_done("GET", f"/s/{person.token}/p/{module}/")
        reply = person.until_done("POST", f"/s/{person.token}/p/{module}/", {**page, "page_revision": revision})
        if reply.status_code == 409:
            # the save had committed before the connection dropped (the 503 came after, e.g. from the
            # session write): the retry is told the page changed and shown what is stored; nothing lost
            TALLY["database restart: retries of a save that had already committed (409)"] += 1
            continue
        assert reply.status_code == 302, (module, reply.status_code, reply.text[:500])
    assert person.until_done("POST", f"/s/{person.token}/submit/", {}).status_code in (302, 200)


def stored(cluster: PostgresServer) -> dict[str, tuple]:
    with psycopg.connect(cluster.url("survey")) as conn:
        rows = conn.execute("SELECT i.id, r.status, r.answers FROM surveys_response r "
                            "JOIN surveys_invitation i ON i.id = r.invitation_id").fetchall()
    return {invitation: (status, answers) for invitation, status, answers in rows}


def test_the_first_requests_after_an_idle_restart_succeed(site):
    people = [Respondent(site["base"], token) for token in site["tokens"][:4]]
    for person in people:  # every gunicorn worker now holds a persistent connection
        assert person.request("GET", f"/s/{person.token}/").status_code == 200
    site["cluster"].stop("fast")
    site["cluster"].start()
    codes = [person.request("GET", f"/s/{person.token}/p/M1/").status_code for person in people * 2]
    TALLY["database restart (idle): first requests after the restart"] += len(codes)
    TALLY["database restart (idle): requests failed"] += sum(code >= 500 for code in codes)
    assert all(code in (200, 302) for code in codes), codes


def test_postgresql_restarted_during_page_saves_loses_no_answer(site):
    cluster = site["cluster"]
    outage = {"down": 0.0}

    def restart_twice() -> None:
        for _ in range(2):
            time.sleep(1.0)
            cluster.stop("immediate")  # a crash: open connections and transactions cut off
            started = time.monotonic()
            time.sleep(2.0)
            cluster.start()
            outage["down"] += time.monotonic() - started

    people = [Respondent(site["base"], token) for token in site["tokens"]]
    restarts = threading.Thread(target=restart_twice)
    restarts.start()
    failures: list[BaseException] = []
    workers = [threading.Thread(target=_guarded, args=(answer_all, person, failures)) for person in people]
    for thread in workers:
        thread.start()
    for thread in workers + [restarts]:
        thread.join(timeout=300)
    assert not failures, failures
    codes = [code for person in people for code in person.codes]
    TALLY["database restart: requests"] += len(codes)
    TALLY["database restart: 503 try-again answers (during the outage, then retried)"] += codes.count(503)
    TALLY["database restart: other 5xx answers"] += sum(code >= 500 and code != 503 for code in codes)
    assert all(code < 500 or code == 503 for code in codes), codes
    lost = 0
    for status, answers in stored(cluster).values():
        lost += status != "submitted" or answers.get("Q1") != 1990 or answers.get("Q11") != 3
    TALLY["database restart: answers lost"] += lost
    assert lost == 0 and len(stored(cluster)) == RESPONDENTS


def _guarded(function, argument, failures: list) -> None:
    try:
        function(argument)
    except BaseException as exc:  # reported by the test, not lost in a thread
        failures.append(exc)
