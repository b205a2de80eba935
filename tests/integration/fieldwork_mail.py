"""An e-mail backend that records every hand-off in a table, in the sending transaction.

The worker under test uses it (EMAIL_BACKEND in its environment): a message counts as sent
exactly when its row commits, so the test sees every duplicate (two rows) and every loss (a
message marked sent with no row). The table is plain SQL: tests have no models of their own.
"""
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

TABLE = "fieldwork_test_outbox"


def outbox_create() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, message_id text NOT NULL, "
                       "recipient text NOT NULL, pid integer NOT NULL, at timestamptz NOT NULL DEFAULT now())")
        cursor.execute(f"TRUNCATE {TABLE}")


def outbox_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def outbox_rows() -> list[tuple[str, str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT message_id, recipient, pid FROM {TABLE} ORDER BY id")
        return list(cursor.fetchall())


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        import os

        with connection.cursor() as cursor:
            for message in email_messages:
                cursor.execute(f"INSERT INTO {TABLE} (message_id, recipient, pid) VALUES (%s, %s, %s)",
                               [message.extra_headers.get("Message-ID", ""), message.to[0], os.getpid()])
        return len(email_messages)
