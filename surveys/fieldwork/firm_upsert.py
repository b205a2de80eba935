"""Writing a checked register into `surveys_firm`: upsert by identifier (the tax id).

A firm already in the register gets only the fields the file carries (an empty cell keeps the
stored value) and its attributes merged; a new firm gets a fresh 64-bit pseudonym. PostgreSQL takes
the rows through COPY into a staging table and two set statements (an UPDATE of the known
identifiers, an INSERT of the others): a million firms in well under a minute, where one ORM
INSERT ... ON CONFLICT per 2,000 rows took ten. Other databases use bulk_create with conflicts.
"""
from __future__ import annotations

import json

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from surveys.models import Firm
from surveys.models.fieldwork import new_pseudonym

# The register fields an import writes, in staging order; blank text where a new firm's cell is empty.
COLUMNS = ["name", "language", "country", "region", "district", "industry_code", "employees", "turnover",
           "market", "cluster", "contact_name", "email", "phone"]
_NUMERIC = {"employees": "integer", "turnover": "numeric(16, 2)"}
PSEUDONYM_ATTEMPTS = 5


@transaction.atomic
def firms_upsert(*, records: dict[str, dict]) -> tuple[int, int]:
    """Insert new firms and update existing ones (only the fields the file carries); attributes merge.
    Returns (created, updated)."""
    if not records:
        return 0, 0
    if connection.vendor == "postgresql":
        return _copy_upsert(records)
    return _orm_upsert(records)


# ------------------------------------------------------------------ PostgreSQL: COPY + set statements
def _copy_upsert(records: dict[str, dict]) -> tuple[int, int]:
    now = timezone.now()
    with connection.cursor() as cursor:
        _stage(cursor, records)
        assignments = ", ".join(f"{c} = COALESCE(s.{c}, f.{c})" for c in COLUMNS)
        cursor.execute(f"UPDATE surveys_firm f SET {assignments}, attributes = f.attributes || s.attributes, "
                       "updated_at = %s FROM firm_stage s WHERE f.identifier = s.identifier", [now])
        updated = cursor.rowcount
        created = _insert_new(cursor, now)
        cursor.execute("DROP TABLE firm_stage")
    return created, updated


def _stage(cursor, records: dict[str, dict]) -> None:
    types = ", ".join(f"{c} {_NUMERIC.get(c, 'text')}" for c in COLUMNS)
    cursor.execute("DROP TABLE IF EXISTS firm_stage")  # left by an earlier call rolled back to a savepoint
    # No key on the staging table: the check already refused duplicate identifiers, and an index would
    # make the COPY twice as slow.
    cursor.execute(f"CREATE TEMP TABLE firm_stage (identifier text, pseudonym text, {types}, "
                   "attributes jsonb) ON COMMIT DROP")
    with cursor.copy(f"COPY firm_stage (identifier, pseudonym, {', '.join(COLUMNS)}, attributes) FROM STDIN") as copy:
        for ident, record in records.items():
            copy.write_row([ident, new_pseudonym(), *[record.get(c) for c in COLUMNS],
                            json.dumps(record["attributes"])])
    cursor.execute("ANALYZE firm_stage")


def _insert_new(cursor, now) -> int:
    """INSERT the identifiers the register does not hold yet; a pseudonym that collides with another
    firm's (odds about 1 in 36 million for a million firms) is drawn again and the INSERT retried."""
    defaults = {"language": "'en'", "employees": "NULL", "turnover": "NULL"}
    values = ", ".join(f"COALESCE(s.{c}, {defaults.get(c, chr(39) * 2)})" if c != "name" else "s.name"
                       for c in COLUMNS)
    sql = (f"INSERT INTO surveys_firm (identifier, pseudonym, {', '.join(COLUMNS)}, attributes, created_at, "
           f"updated_at) SELECT s.identifier, s.pseudonym, {values}, s.attributes, %s, %s FROM firm_stage s "
           "WHERE NOT EXISTS (SELECT 1 FROM surveys_firm f WHERE f.identifier = s.identifier) "
           "ORDER BY s.identifier")  # in key order: the identifier index grows at its right edge
    for attempt in range(PSEUDONYM_ATTEMPTS):
        try:
            with transaction.atomic():
                cursor.execute(sql, [now, now])
                return cursor.rowcount
        except IntegrityError as exc:
            if "pseudonym" not in str(exc) or attempt == PSEUDONYM_ATTEMPTS - 1:
                raise
            _redraw_colliding_pseudonyms(cursor)
    raise AssertionError("unreachable")


def _redraw_colliding_pseudonyms(cursor) -> None:
    cursor.execute("SELECT s.identifier FROM firm_stage s WHERE EXISTS (SELECT 1 FROM surveys_firm f WHERE "
                   "f.pseudonym = s.pseudonym) OR s.pseudonym IN (SELECT pseudonym FROM firm_stage GROUP BY 1 "
                   "HAVING count(*) > 1)")
    cursor.executemany("UPDATE firm_stage SET pseudonym = %s WHERE identifier = %s",
                       [(new_pseudonym(), ident) for (ident,) in cursor.fetchall()])


# ------------------------------------------------------------------ other databases: bulk_create
def _orm_upsert(records: dict[str, dict]) -> tuple[int, int]:
    existing = _existing_attributes(list(records))
    now = timezone.now()
    by_fields: dict[tuple, list[Firm]] = {}
    for ident, record in records.items():
        attributes = {**existing.get(ident, {}), **record["attributes"]}
        values = {k: v for k, v in record.items() if k != "attributes"}
        firm = Firm(**values, attributes=attributes, updated_at=now, pseudonym=new_pseudonym())
        by_fields.setdefault(tuple(sorted(values)), []).append(firm)
    for fields, firms in by_fields.items():
        update = [f for f in fields if f != "identifier"] + ["attributes", "updated_at"]
        for start in range(0, len(firms), 2000):
            _firms_upsert_batch(firms[start:start + 2000], update)
    return len(records) - len(existing), len(existing)


def _firms_upsert_batch(firms: list[Firm], update: list[str]) -> None:
    """One batch in a savepoint: a pseudonym that collides with another firm's is drawn again."""
    for attempt in range(PSEUDONYM_ATTEMPTS):
        try:
            with transaction.atomic():
                Firm.objects.bulk_create(firms, update_conflicts=True, unique_fields=["identifier"],
                                         update_fields=update)
            return
        except IntegrityError as exc:
            if "pseudonym" not in str(exc) or attempt == PSEUDONYM_ATTEMPTS - 1:
                raise
            for firm in firms:
                firm.pseudonym = new_pseudonym()


def _existing_attributes(identifiers: list[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for start in range(0, len(identifiers), 5000):
        chunk = identifiers[start:start + 5000]
        found.update(Firm.objects.filter(identifier__in=chunk).values_list("identifier", "attributes"))
    return found
