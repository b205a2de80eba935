import os
from pathlib import Path

import pytest
import yaml

MINI = Path(__file__).parent / "surveys" / "mini.yaml"
# `make test` runs the tests that need no worker of their own in parallel (pytest-xdist): each
# xdist worker has its own test database (pytest-django), Redis database and media folder.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
REDIS_DB_OF_FIRST_XDIST_WORKER = 10


def pytest_configure(config):
    if not XDIST_WORKER:
        return
    from django.conf import settings

    cache = settings.CACHES["default"]
    if "redis" in cache["BACKEND"].lower():
        index = int(XDIST_WORKER.removeprefix("gw"))
        base = cache["LOCATION"].rsplit("/", 1)[0]
        cache["LOCATION"] = f"{base}/{REDIS_DB_OF_FIRST_XDIST_WORKER + index}"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    from surveys.memo import memos_clear

    cache.clear()
    memos_clear()  # per-process memos keyed by row id: ids come back after a test's rollback


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a test that activated another one (a command run
    with --language, a view under a respondent's language) must not decide the next test's messages."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _results_snapshots_apart(settings, tmp_path_factory):
    """Each test's results snapshots in a directory of its own (never the project's var/)."""
    settings.ANALYTICS_SNAPSHOT_DIR = str(tmp_path_factory.mktemp("snapshots"))


@pytest.fixture(autouse=True)
def _media_apart(settings, tmp_path_factory):
    """Each test's exports and uploads in a folder of its own: job ids repeat across test
    databases, so two tests running side by side would otherwise write the same file."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process, as with no REDIS_URL, also in the PostgreSQL + Redis run: only
    `integration` tests (tests/integration/, with their own worker) send them through the broker."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _drop_read_models(request, django_db_blocker):
    """Read-model tables are created by the code, not by migrations, so a flush after a
    transactional test leaves their rows behind: drop them for the next test."""
    yield
    from surveys.answering import readmodel

    readmodel.readmodel_caches_clear()  # a test's rollback may have removed a table the cache remembers
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server"))
    if not transactional:
        return
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith("rm_"):
                cursor.execute(f'DROP TABLE "{table}"')
    readmodel.readmodel_caches_clear()


@pytest.fixture
def mini_definition() -> dict:
    from surveys.questionnaire.definitions import normalise, read_reference_lists

    refs = {"COUNTRY": read_reference_lists()["COUNTRY"]}
    return normalise(yaml.safe_load(MINI.read_text()), refs, source=MINI.name)


@pytest.fixture
def mini_version(db, mini_definition):
    from surveys.questionnaire.definitions import version_store

    version, _ = version_store(mini_definition)
    return version


@pytest.fixture
def loaded_instruments(db):
    """The three shipped instruments, loaded as `load_instruments` does."""
    from surveys.questionnaire.definitions import instruments_load

    instruments_load()


def pytest_terminal_summary(terminalreporter):
    """The figures of the README's Proof section, when the proof tests ran (tests/proof/tally.py)."""
    import sys

    tally = getattr(sys.modules.get("tests.proof.tally"), "TALLY", None)
    for name, count in sorted((tally or {}).items()):
        terminalreporter.write_line(f"proof: {name}: {count}")
