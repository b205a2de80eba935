"""Fixtures of the analytics tests: one instrument loaded at a time, read-model rows written directly."""
from __future__ import annotations

import copy
import datetime as dt
import functools
import itertools
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from django.db import connection, transaction
from django.utils import timezone

INSTRUMENTS = Path(__file__).resolve().parents[2] / "surveys" / "questionnaire" / "instruments"
_ids = itertools.count(1_000_000)


@functools.cache
def _definition(code: str) -> dict:
    """Parsing the YAML costs a second or two (pure-Python PyYAML): once per test process."""
    from surveys.questionnaire.definitions import normalise, read_reference_lists

    raw = yaml.safe_load((INSTRUMENTS / f"{code}.yaml").read_text(encoding="utf-8"))
    return normalise(raw, read_reference_lists(), source=code)


def load_instrument(code: str):
    from surveys.questionnaire.definitions import version_store

    version, _ = version_store(copy.deepcopy(_definition(code)))
    return version.questionnaire


@contextmanager
def rolled_back(django_db_blocker):
    """Database work for a module-scoped fixture: computed once, then undone."""
    with django_db_blocker.unblock(), transaction.atomic():
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, f"not a test database: {name} (mark the module django_db)"
        yield
        transaction.set_rollback(True)


@pytest.fixture
def instrument_a(db):
    return load_instrument("italian-districts-2016")


@pytest.fixture
def instrument_b(db):
    return load_instrument("basque-digital-2019")


def rm_insert(questionnaire, rows: list[dict], *, status: str = "submitted", mode: str = "web",
              wave_id: int | None = None) -> list[int]:
    """Write read-model rows as the engine would (meta columns filled in); returns their response ids."""
    from surveys.answering.readmodel import readmodel_ensure, table_name

    variables = {v.name for v in readmodel_ensure(questionnaire)}
    now = timezone.now()
    ids = []
    table = table_name(questionnaire.code)
    with connection.cursor() as cursor:
        for row in rows:
            unknown = set(row) - variables - {"mode", "wave_id", "firm_id"}
            assert not unknown, f"not in the read model: {sorted(unknown)}"
            response_id = next(_ids)
            values = {"response_id": response_id, "firm_id": response_id, "wave_id": wave_id,
                      "version": 1, "status": status, "mode": mode, "language": "en",
                      "started_at": now - dt.timedelta(minutes=20), "submitted_at": now, "updated_at": now, **row}
            names = ", ".join(f'"{k}"' for k in values)
            cursor.execute(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(["%s"] * len(values))})',
                           list(values.values()))
            ids.append(response_id)
    return ids


@pytest.fixture
def staff(django_user_model):
    """An administrator: sees small cells and may recompute (permissions, not staff status, decide)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="analytics", codename__in=("see_small_cells", "change_resultset")))
    return user
