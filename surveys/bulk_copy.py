"""New rows of any model written through PostgreSQL's COPY, for the generators that build a million rows.

`bulk_create` sends each batch as one INSERT of arrays that psycopg has to build value by value;
COPY streams the rows as text and is several times faster. COPY returns no ids, so the ids are
reserved first from the table's own sequence: what bulk_create would have given them.
"""
from __future__ import annotations

from django.db import connection


def objects_copy(model, objects: list) -> list:
    """Insert unsaved `objects` of `model` in one COPY (PostgreSQL only); sets their pk and returns them.
    Errors come back as Django's (an IntegrityError for a unique value already taken)."""
    if not objects:
        return objects
    meta = model._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.wrap_database_errors, connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(objects)])
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        with cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    for obj in objects:
        obj._state.adding, obj._state.db = False, "default"
    return objects
