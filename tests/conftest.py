from pathlib import Path

import pytest
import yaml

MINI = Path(__file__).parent / "surveys" / "mini.yaml"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


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


@pytest.fixture
def mini_definition() -> dict:
    from surveys.definitions import normalise, read_reference_lists

    refs = {"COUNTRY": read_reference_lists()["COUNTRY"]}
    return normalise(yaml.safe_load(MINI.read_text()), refs, source=MINI.name)


@pytest.fixture
def mini_version(db, mini_definition):
    from surveys.definitions import version_store

    version, _ = version_store(mini_definition)
    return version


@pytest.fixture
def loaded_instruments(db):
    """The three shipped instruments, loaded as `load_instruments` does."""
    from surveys.definitions import instruments_load

    instruments_load()
