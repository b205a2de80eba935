"""Django's PostgreSQL backend with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django checks a kept connection before its first use in each request, so
a connection PostgreSQL dropped (a restart, an idle timeout) is replaced instead of failing that
request. Its check is a `SELECT 1`: one more round trip on every request, most of which are
respondents' page saves. A server that ends a connection (fast or immediate shutdown, a crash, a
terminated backend) closes its socket, often after a last error message; an idle, healthy
connection has nothing to read. So the check asks the kernel whether the socket is readable,
without waiting. A connection with something to read is replaced, which at worst throws away a
healthy one that had an unread notice.

`server_binding_cursor()` is a cursor that sends its parameters apart from the statement, for the
few statements that carry one large parameter (the read-model row of a page save as one JSON
document): as a literal in the statement text PostgreSQL lexes it, which cost more than the write.
"""
from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def server_binding_cursor(self):
        """A cursor of this connection (same transaction, logged like any other) whose parameters
        are bound by the server; the connection's other cursors keep client-side binding."""
        self.ensure_connection()
        return self._prepare_cursor(base.ServerBindingCursor(self.connection))

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
