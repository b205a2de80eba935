"""Integration tests: PostgreSQL + Redis + a real Celery worker in a subprocess.

Every test in this folder is marked `integration` (here, automatically). Such tests are skipped,
with the reason, unless DATABASE_URL is PostgreSQL and REDIS_URL is set; `make test-pg` and CI set
both, so there they always run. A test using `worker` gets `transactional_db`: its rows are
committed, so the worker (another process, connected to the same test database) sees them.

    def test_x(worker):
        some_task.delay(...)
        worker.wait_until(lambda: Thing.objects.filter(...).exists())
        worker.kill()    # SIGKILL, as in a crash: the task in hand is neither finished nor acked
        worker.start()   # a new worker process on the same queue
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
READY_TIMEOUT = 60
TEST_TASKS = "tests.integration.tasks"  # tasks only these tests need, loaded by the worker with -I


def missing_services() -> str:
    """Why integration tests cannot run here ('' when they can)."""
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return "DATABASE_URL is not PostgreSQL"
    if not settings.REDIS_URL:
        return "REDIS_URL is unset"
    return ""


@pytest.hookimpl(tryfirst=True)  # before `-m "not integration"` deselects
def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.integration)
    reason = missing_services()
    if not reason:
        return
    skip = pytest.mark.skip(reason=f"integration test needs PostgreSQL + Redis + a Celery worker: {reason} "
                                   "(run `make test-pg`)")
    for item in items:
        if item.get_closest_marker("integration"):
            item.add_marker(skip)


class Worker:
    """A `celery -A config worker -P solo` subprocess sharing the test database and the Redis broker."""

    def __init__(self, *, env: dict[str, str], log_path: Path, include: str = TEST_TASKS):
        self.log_path, self.include = log_path, include
        tag = f"pytest-{uuid.uuid4().hex[:8]}"
        # Its own queue: another test session's worker on the same Redis cannot take our tasks.
        self.name, self.queue = f"{tag}@%h", tag
        self.env = {**env, "PYTEST_CELERY_QUEUE": self.queue}
        self.process: subprocess.Popen | None = None
        self._log_start = 0

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = READY_TIMEOUT) -> Worker:
        assert not self.alive, "the worker is already running"
        self._log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-l", "info",
                   "-n", self.name, "-Q", self.queue, "-I", self.include, "--without-gossip", "--without-mingle"]
        with self.log_path.open("ab") as log:
            # Own process group: kill() and stop() reach the worker and anything it started.
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while " ready." not in self.log(since_start=True):
            if not self.alive:
                raise RuntimeError(f"Celery worker exited ({self.process.returncode}):\n{self.log()[-4000:]}")
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"Celery worker not ready after {timeout} s:\n{self.log()[-4000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL, as in a crash: no warm shutdown, the task in progress is not acknowledged."""
        if self.alive:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        """Warm shutdown (SIGTERM: finish the task in hand), then SIGKILL if it takes too long."""
        if not self.alive:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self, since_start: bool = False) -> str:
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as f:
            f.seek(self._log_start if since_start else 0)
            return f.read().decode(errors="replace")

    def wait_until(self, condition: Callable[[], object], timeout: float = 30, interval: float = 0.1):
        """Poll `condition` until it returns something truthy; fail with the worker's log if it never does."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s; worker log:\n{self.log()[-4000:]}")
            time.sleep(interval)


def worker_env() -> dict[str, str]:
    """The test process's environment, with DATABASE_URL pointing at pytest-django's test database."""
    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1",
           "DATABASE_URL": urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))}
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


@pytest.fixture
def worker(transactional_db, tmp_path) -> Iterator[Worker]:
    from config.celery import app

    running = Worker(env=worker_env(), log_path=tmp_path / "celery-worker.log")
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = running.queue  # what this test sends goes to its own worker
    try:
        yield running.start()
    finally:
        running.stop()
        app.conf.task_default_queue = default_queue
    # Shown by pytest only when the test failed.
    sys.stderr.write(f"--- Celery worker log ({running.log_path}) ---\n{running.log()[-6000:]}\n")
