"""Django's PostgreSQL backend with a health check that costs no round trip, and prepared
statements where a request runs the same statements over and over.

With CONN_HEALTH_CHECKS, Django checks a kept connection before its first use in each request, so
a connection PostgreSQL dropped (a restart, an idle timeout) is replaced instead of failing that
request. Its check is a `SELECT 1`: one more round trip on every request, most of which are
respondents' page saves. A server that ends a connection (fast or immediate shutdown, a crash, a
terminated backend) closes its socket, often after a last error message; an idle, healthy
connection has nothing to read. So the check asks the kernel whether the socket is readable,
without waiting. A connection with something to read is replaced, which at worst throws away a
healthy one that had an unread notice.

Django binds parameters on the client: each statement reaches PostgreSQL as text with its values
written in, to be parsed and planned anew. For most statements that is cheap and keeps connection
poolers working. A respondent's page save runs the same few statements every time (the case look-up
by token, the row lock, the response UPDATE, the read-model upsert of about 200 columns), and
planning them was most of PostgreSQL's time per save. Inside `server_binding()` cursors bind their
parameters on the server, so psycopg prepares each statement once per connection (after
`prepare_threshold` runs, settings DB_PREPARE_THRESHOLD) and then only sends its values
(surveys/compiled.py).
"""
from __future__ import annotations

import select
from contextlib import contextmanager

from django.db.backends.postgresql import base, operations
from psycopg import errors


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        if isinstance(cursor, base.ServerBindingCursor):  # as a server-binding connection logs it
            try:
                return self.compose_sql(sql, params)
            except errors.DataError:
                return sql
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    @contextmanager
    def server_binding(self):
        """Every cursor opened inside binds its parameters on the server (and so is prepared)."""
        self.ensure_connection()
        connection = self.connection
        previous, connection.cursor_factory = connection.cursor_factory, base.ServerBindingCursor
        try:
            yield
        finally:
            connection.cursor_factory = previous

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (OSError, ValueError, self.Database.Error):
            return False
