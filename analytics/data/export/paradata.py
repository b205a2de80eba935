"""Paradata in one place: how each questionnaire was answered, as three tables.

- pages: one row per response and page (surveys.models.PageVisit): mode and device class of the
  last save, first served and last saved, active seconds (each visit capped), visits, revisits;
- calls: one row per telephone call attempt: attempt number, outcome and its AAPOR code, duration,
  interviewer (a pseudonym), how the case came on the list (staff or sequential mode);
- burden: per wave, minutes per firm by size class and mode (surveys.fieldwork.burden).

No personal data: responses by id, firms by their pseudonym, interviewers by a keyed pseudonym
(stable across exports of one installation, so interviewer effects can be studied, but not
reversible without the server's secret key); never user agents, numbers dialled or call notes.
Rows are read and written in chunks (CHUNK), so memory stays flat whatever the size.
"""
from __future__ import annotations

import hashlib
import hmac
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from django.conf import settings

from surveys.fieldwork.burden import burden_frame, burden_summary
from surveys.models import CallAttempt, PageVisit, Questionnaire

CHUNK = 5000
FORMATS = ("csv", "parquet")
STAMP = pa.timestamp("us", tz="UTC")
SCHEMAS = {
    "pages": pa.schema([("response_id", pa.int64()), ("firm", pa.string()), ("wave", pa.string()),
                        ("module", pa.string()), ("mode", pa.string()), ("device", pa.string()),
                        ("first_seen_at", STAMP), ("last_saved_at", STAMP), ("active_seconds", pa.float64()),
                        ("visits", pa.int64()), ("revisits", pa.int64()), ("response_status", pa.string())]),
    "calls": pa.schema([("call_id", pa.int64()), ("response_id", pa.int64()), ("firm", pa.string()),
                        ("wave", pa.string()), ("attempt", pa.int64()), ("called_at", STAMP),
                        ("outcome", pa.string()), ("aapor_code", pa.string()), ("duration_seconds", pa.int64()),
                        ("interviewer", pa.string()), ("case_origin", pa.string())]),
    "burden": pa.schema([("wave", pa.string()), ("size_class", pa.string()), ("mode", pa.string()),
                         ("responses", pa.int64()), ("q1_minutes", pa.float64()), ("median_minutes", pa.float64()),
                         ("q3_minutes", pa.float64()), ("reported_responses", pa.int64()),
                         ("reported_median_minutes", pa.float64())]),
}
TABLES = tuple(SCHEMAS)


def interviewer_pseudonym(user_id: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"interviewer:{user_id}".encode(), hashlib.sha256)
    return "I" + digest.hexdigest()[:10].upper()


def _waves(questionnaire: Questionnaire, waves: Iterable[str]):
    chosen = questionnaire.waves.all()
    return chosen.filter(code__in=list(waves)) if waves else chosen


def page_rows(questionnaire: Questionnaire, waves: Iterable[str] = ()) -> Iterator[dict]:
    visits = PageVisit.objects.filter(response__invitation__wave__in=_waves(questionnaire, waves)).order_by(
        "response_id", "first_seen_at", "module_code").values_list(
        "response_id", "response__invitation__firm__pseudonym", "response__invitation__wave__code", "module_code",
        "mode", "device", "first_seen_at", "last_saved_at", "active_seconds", "visits", "response__status")
    for row in visits.iterator(chunk_size=CHUNK):
        *head, visits_n, status = row
        yield dict(zip(SCHEMAS["pages"].names, [*head, visits_n, max(0, visits_n - 1), status], strict=True))


def call_rows(questionnaire: Questionnaire, waves: Iterable[str] = ()) -> Iterator[dict]:
    calls = CallAttempt.objects.filter(case__invitation__wave__in=_waves(questionnaire, waves)).order_by(
        "case_id", "called_at", "pk").values_list(
        "pk", "case_id", "case__invitation__response__id", "case__invitation__firm__pseudonym",
        "case__invitation__wave__code", "called_at", "outcome__code", "outcome__aapor_code", "duration_seconds",
        "interviewer_id", "case__origin")
    case, attempt = None, 0
    for pk, case_id, response_id, firm, wave, called_at, code, aapor, seconds, user_id, origin in calls.iterator(
            chunk_size=CHUNK):
        attempt = attempt + 1 if case_id == case else 1  # ordered by case, then time
        case = case_id
        yield {"call_id": pk, "response_id": response_id, "firm": firm, "wave": wave, "attempt": attempt,
               "called_at": called_at, "outcome": code, "aapor_code": aapor, "duration_seconds": seconds,
               "interviewer": interviewer_pseudonym(user_id), "case_origin": origin}


def burden_rows(questionnaire: Questionnaire, waves: Iterable[str] = ()) -> Iterator[dict]:
    for wave in _waves(questionnaire, waves).order_by("code"):
        summary = burden_summary(burden_frame(wave))
        for group in [*summary["groups"], {"size_class": "all", "mode": "all", **summary["overall"]}]:
            if group["responses"]:
                yield {"wave": wave.code, "size_class": group["size_class"], "mode": group["mode"],
                       "responses": group["responses"], "q1_minutes": group["q1"],
                       "median_minutes": group["median"], "q3_minutes": group["q3"],
                       "reported_responses": group["reported_responses"],
                       "reported_median_minutes": group["reported_median"]}


ROWS = {"pages": page_rows, "calls": call_rows, "burden": burden_rows}


def table_batches(name: str, rows: Iterable[dict]) -> Iterator[pa.RecordBatch]:
    schema, chunk = SCHEMAS[name], []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield pa.RecordBatch.from_pylist(chunk, schema=schema)
            chunk = []
    if chunk:
        yield pa.RecordBatch.from_pylist(chunk, schema=schema)


def write_table(name: str, rows: Iterable[dict], sink, fmt: str) -> int:
    """Write one table to a path or file object; returns its row count (an empty table keeps its header)."""
    schema, count = SCHEMAS[name], 0
    writer = pa_csv.CSVWriter(sink, schema) if fmt == "csv" else pq.ParquetWriter(sink, schema)
    with writer:
        for batch in table_batches(name, rows):
            writer.write_batch(batch)
            count += batch.num_rows
    return count


def paradata_write(*, questionnaire: Questionnaire, fmt: str, directory: Path,
                   waves: Iterable[str] = ()) -> dict[str, Path]:
    """The three tables as files `<code>-paradata-<table>.<fmt>` in `directory` (the command)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose csv or parquet")
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in TABLES:
        paths[name] = directory / f"{questionnaire.code}-paradata-{name}.{fmt}"
        write_table(name, ROWS[name](questionnaire, tuple(waves)), str(paths[name]), fmt)
    return paths


def paradata_zip(*, questionnaire: Questionnaire, fmt: str, path: Path, waves: Iterable[str] = ()) -> int:
    """The three tables in one zip, `<table>.<fmt>` (the staff data page's download); returns the page rows.

    Each table is written to a file beside the zip first (Parquet needs a seekable file), then stored.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose csv or parquet")
    path = Path(path)
    counts = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name in TABLES:
            member = path.with_name(f"{path.name}.{name}.{fmt}")
            try:
                counts[name] = write_table(name, ROWS[name](questionnaire, tuple(waves)), str(member), fmt)
                archive.write(member, arcname=f"{name}.{fmt}")
            finally:
                member.unlink(missing_ok=True)
    return counts["pages"]
