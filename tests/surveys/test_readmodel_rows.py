"""The read-model row a save writes: on PostgreSQL one JSON parameter spread into typed columns
(surveys.answering.readmodel._json_upsert) must store what the per-value statement stored."""
import datetime as dt
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.answering.readmodel import _json_value, readmodel_upsert, table_name
from tests.data.conftest import DOMESTIC, OFFSHORING, record
from tests.factories import FirmFactory


@pytest.mark.parametrize(("value", "kind", "expected"), [
    (3.0, "int", 3), (2.5, "int", 3), (-2.5, "int", -3), (True, "int", 1), (Decimal("7.5"), "int", 8),
    (12, "int", 12), (0.25, "num", 0.25), (float("nan"), "num", "NaN"), (float("-inf"), "num", "-Infinity"),
    (Decimal("1.10"), "num", "1.10"), (7, "str", "7"), ("é \"x\"", "str", "é \"x\""),
    (dt.datetime(2026, 1, 31, 13, 0, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=1))), "time",
     "2026-01-31 12:00:00.000005"),
    (dt.datetime(2026, 1, 31, 12, 0), "time", "2026-01-31 12:00:00"),
])
def test_values_are_written_as_each_column_reads_them(value, kind, expected):
    assert _json_value(value, kind) == expected


def _row(response_id: int, columns: list[str]) -> dict:
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {names} FROM "{table_name("mini-test")}" WHERE response_id = %s', [response_id])
        return dict(zip(columns, cursor.fetchone(), strict=True))


@pytest.mark.django_db
def test_a_saved_row_holds_every_type_and_an_upsert_replaces_it(mini_version):
    response = record(mini_version, FirmFactory(), OFFSHORING, "it")
    row = _row(response.pk, ["firm_id", "status", "language", "updated_at", "Q1", "Q4", "Q7_EU", "Q7_other", "Q10"])
    assert row["firm_id"] == response.invitation.firm_id and row["language"] == "it"
    assert row["Q1"] == 1990 and row["Q4"] == 30.5 and row["Q7_EU"] == 1
    assert row["Q7_other"] == "=HYPERLINK(\"http://evil\")" and row["Q10"] == "Ciao, \"tutti\"\nsecond line"
    stored = row["updated_at"]  # UTC without zone, to the microsecond
    assert stored.replace(tzinfo=dt.UTC) == response.updated_at.astimezone(dt.UTC)

    response.answers = {**response.answers, "Q1": 1991, "Q4": None}
    response.save()
    with CaptureQueriesContext(connection) as queries:
        readmodel_upsert([response, response], mini_version.questionnaire)  # twice in one call: written once
    row = _row(response.pk, ["Q1", "Q4"])
    assert row == {"Q1": 1991, "Q4": None}
    if connection.vendor == "postgresql":
        writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
        assert len(writes) == 1 and "json_populate_recordset" in writes[0]  # one statement, one parameter


@pytest.mark.django_db
def test_rows_of_several_responses_in_one_statement(mini_version):
    first, second = (record(mini_version, FirmFactory(), raw) for raw in (OFFSHORING, DOMESTIC))
    first.answers = {**first.answers, "Q2": 13000}
    second.answers = {**second.answers, "Q2": 900}
    readmodel_upsert([first, second], mini_version.questionnaire)
    assert [_row(r.pk, ["Q2"])["Q2"] for r in (first, second)] == [13000, 900]
    assert not math.isnan(_row(first.pk, ["Q4"])["Q4"])
