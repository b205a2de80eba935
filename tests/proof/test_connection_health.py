"""The health check of kept PostgreSQL connections (config/db/postgresql): a connection the server
ended is found before a request uses it, and a healthy one is checked without a round trip."""
from __future__ import annotations

import time

import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's check"),
              pytest.mark.django_db]


@pytest.fixture
def kept():
    """A second connection to the test database, as a web worker keeps one between requests."""
    other = connections.create_connection("default")
    other.ensure_connection()
    yield other
    other.close()


def _wait_until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_healthy_connection_is_checked_without_sending_anything(kept, monkeypatch):
    def no_statement(*args, **kwargs):
        raise AssertionError("the health check sent a statement")

    monkeypatch.setattr(kept.connection, "cursor", no_statement)
    monkeypatch.setattr(kept.connection, "execute", no_statement)
    assert kept.is_usable()


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(kept):
    old_pid = kept.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [old_pid])
    assert _wait_until(lambda: not kept.is_usable())
    kept.health_check_done = False  # a new request (Django resets it when a request starts)
    with kept.cursor() as cursor:  # the check runs before the first statement and reconnects
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != old_pid
