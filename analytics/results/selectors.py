"""Reads: the read-model frame results are computed from, and the stored results views show."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
from django.db import connection

from analytics.models import RecomputeRun, ResultSet
from surveys.answering.readmodel import (
    questionnaire_variables,
    readmodel_batches,
    readmodel_ensure,
    readmodel_frame,
    readmodel_source,
)
from surveys.models import Questionnaire, Wave
from surveys.questionnaire.spec import spec_for_version

SUBMITTED = "submitted"
VALUES = "edited"  # published results use the editors' values (raw answers stay in the raw read model)


# The frame of the last read per (database, questionnaire), with the newest `updated_at` it covers.
# Reading 100,000 rows costs seconds, a few new rows milliseconds: after a submission the worker
# reads only rows updated since (minus OVERLAP, for transactions that committed late) and merges.
_FRAMES: dict[tuple, tuple[pd.DataFrame, object]] = {}
OVERLAP = dt.timedelta(seconds=60)


def results_frame(*, questionnaire: Questionnaire, full: bool = False, summary: tuple | None = None,
                  columns: list[str] | None = None) -> pd.DataFrame:
    """Every submitted response of the questionnaire as typed read-model columns (the only data source):
    `columns` only (default: every column), as compact as their values allow (see results_read).

    On PostgreSQL the previous frame is refreshed with the rows updated since it was read, and
    used only if it has the same columns and the result has exactly the submitted rows' count and
    id sum; otherwise (and with `full`) everything is read again. `summary`: results_summary()
    taken just before, if at hand."""
    key = (connection.settings_dict["NAME"], questionnaire.pk)
    cached = None if full or connection.vendor != "postgresql" else _FRAMES.pop(key, None)
    watermark = (summary or results_summary(questionnaire=questionnaire))[1]
    frame = _refreshed(questionnaire, *cached, columns=columns) if cached else None
    if frame is None:
        frame = results_read(questionnaire=questionnaire, columns=columns, where="status = %s", params=[SUBMITTED])
    if connection.vendor == "postgresql" and watermark is not None:
        _FRAMES[key] = (frame, watermark)
    return frame


def results_read(*, questionnaire: Questionnaire, columns: list[str] | None = None, where: str = "",
                 params: list | None = None) -> pd.DataFrame:
    """Read-model rows as a frame of compact typed columns, read batch by batch: a whole number column
    without empty cells as the smallest numpy integer type that holds it (one byte for most codes),
    with empty cells as nullable Int64; other numbers float64 (NaN for empty), texts as strings.
    Identifiers stay int64. A million responses of instrument B take a few hundred megabytes,
    against gigabytes for nullable 64-bit columns."""
    parts: dict[str, list] = {}
    types: dict[str, pa.DataType] = {}
    for batch in readmodel_batches(questionnaire, columns=columns, where=where, params=params, values=VALUES):
        for name, array in zip(batch.schema.names, batch.columns, strict=True):
            types[name] = array.type
            parts.setdefault(name, []).append(_compact(name, array))
    if not types:  # no rows: the nullable frame of the same columns
        return readmodel_frame(questionnaire, columns=columns, where=where, params=params, values=VALUES)
    return pd.DataFrame({name: _joined(name, types[name], parts.pop(name)) for name in list(types)})


IDENTIFIERS = ("response_id", "firm_id", "wave_id", "version")


def _compact(name: str, array: pa.Array):
    if pa.types.is_integer(array.type):
        values = array.fill_null(0).to_numpy() if array.null_count else array.to_numpy()
        mask = array.is_null().to_numpy(zero_copy_only=False) if array.null_count else None
        if name not in IDENTIFIERS and len(values):
            low, high = int(values.min()), int(values.max())
            for kind in (np.int8, np.int16, np.int32):
                if np.iinfo(kind).min <= low and high <= np.iinfo(kind).max:
                    values = values.astype(kind)
                    break
        return values, mask
    if pa.types.is_floating(array.type):
        return array.to_numpy(zero_copy_only=False), None
    return array, None


def _joined(name: str, kind: pa.DataType, parts: list):
    if pa.types.is_integer(kind):
        values = np.concatenate([p[0] for p in parts])
        if any(p[1] is not None for p in parts):
            mask = np.concatenate([p[1] if p[1] is not None else np.zeros(len(p[0]), bool) for p in parts])
            return pd.arrays.IntegerArray(values.astype("int64"), mask)
        return values
    if pa.types.is_floating(kind):
        return np.concatenate([p[0] for p in parts])
    return pa.chunked_array([p[0] for p in parts], kind).to_pandas(types_mapper=_STRING.get).array


_STRING = {pa.string(): pd.StringDtype()}


def _refreshed(questionnaire: Questionnaire, frame: pd.DataFrame, watermark,
               columns: list[str] | None = None) -> pd.DataFrame | None:
    if columns is not None and list(columns) != list(frame.columns):  # other reports asked for other columns
        return None
    delta = results_read(questionnaire=questionnaire, columns=columns, where="status = %s AND updated_at >= %s",
                         params=[SUBMITTED, watermark - OVERLAP])
    if list(delta.columns) != list(frame.columns):  # a new version added columns
        return None
    merged = _merged(frame, delta)
    count, _, ids = results_summary(questionnaire=questionnaire)
    if len(merged) != count or int(merged["response_id"].sum()) != int(ids or 0):
        return None  # a row left the submitted set, was deleted, or committed very late: read everything
    return merged


def _merged(frame: pd.DataFrame, delta: pd.DataFrame) -> pd.DataFrame:
    """The frame (ordered by response id) with the delta's rows: rows it holds already are
    overwritten in place, new rows appended. Each copy of the frame costs a pass over hundreds of
    megabytes at scale, and the delta (every row changed in the last minute) is mostly rows the
    frame holds, so copies are made only where needed: one to append, none to overwrite."""
    if not len(delta):
        return frame
    ids, fresh = frame["response_id"].to_numpy(), delta["response_id"].to_numpy()
    at = np.minimum(np.searchsorted(ids, fresh), max(len(ids) - 1, 0))
    held = (ids[at] == fresh) if len(ids) else np.zeros(len(fresh), dtype=bool)
    if held.any() and not _overwritten(frame, at[held], delta[held]):
        kept = frame[~frame["response_id"].isin(delta["response_id"])]  # a value the column's type cannot hold
        return pd.concat([kept, delta], ignore_index=True).sort_values("response_id", ignore_index=True)
    new = delta[~held]
    if not len(new):
        return frame
    merged = pd.concat([frame, new], ignore_index=True)
    if len(ids) and new["response_id"].min() < ids[-1]:  # a row that joined the submitted set late
        merged = merged.sort_values("response_id", ignore_index=True)
    return merged


def _overwritten(frame: pd.DataFrame, rows: np.ndarray, delta: pd.DataFrame) -> bool:
    """Write the delta's values into those rows, column by column, when each column's type holds them
    as they are (True); False, leaving the frame as it was, when one does not (an empty cell in a
    column without any, a code wider than the column's integer type)."""
    values = {}
    for name in frame.columns:
        target, source = frame[name].dtype, delta[name]
        if isinstance(target, np.dtype) and target.kind in "iu":
            if source.isna().any():
                return False
            numbers = source.to_numpy(dtype="int64")
            if len(numbers) and (numbers.min() < np.iinfo(target).min or numbers.max() > np.iinfo(target).max):
                return False
            values[name] = numbers.astype(target)
        elif isinstance(target, pd.Int64Dtype) and pd.api.types.is_integer_dtype(source.dtype):
            values[name] = source.astype("Int64").array
        elif isinstance(target, np.dtype) and target.kind == "f":
            values[name] = source.to_numpy(dtype="float64", na_value=np.nan)
        elif source.dtype == target:
            values[name] = source.array
        else:
            return False
    for j, name in enumerate(frame.columns):
        frame.iloc[rows, j] = values[name]
    return True


def results_summary(*, questionnaire: Questionnaire) -> tuple:
    """(count, newest updated_at, sum of ids) of the submitted rows (an edit moves updated_at on)."""
    readmodel_ensure(questionnaire)
    source = readmodel_source(questionnaire.code, ["response_id", "status", "updated_at"], VALUES)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(updated_at), SUM(response_id) FROM {source} WHERE status = %s",
                       [SUBMITTED])
        return cursor.fetchone()


def results_fingerprint(summary: tuple) -> str:
    """Changes whenever a response is submitted, edited or removed."""
    count, latest, ids = summary
    return f"{count}:{latest}:{ids}"


def variable_meta(*, questionnaire: Questionnaire) -> dict:
    return {v.name: v for v in questionnaire_variables(questionnaire)}


def item_kinds(*, questionnaire: Questionnaire) -> dict[str, str]:
    """Item code -> kind ('country', 'date', ...) across versions (latest wins)."""
    kinds: dict[str, str] = {}
    for version in questionnaire.versions.order_by("number"):
        kinds.update({code: item.kind for code, item in spec_for_version(version).items.items()})
    return kinds


def list_labels(*, questionnaire: Questionnaire) -> dict[str, dict]:
    """Labels of the codes of multiple-country items (stored as 'ES;CN' text): variable -> {code: label}."""
    out: dict[str, dict] = {}
    for version in questionnaire.versions.order_by("number"):
        for code, item in spec_for_version(version).items.items():
            if item.kind == "country" and item.multiple:
                out[code.replace(".", "_")] = {str(c.code): c.label.get("en", str(c.code)) for c in item.choices}
    return out


def waves_with_responses(*, questionnaire: Questionnaire) -> list[Wave]:
    return list(Wave.objects.filter(questionnaire=questionnaire, invitations__response__status=SUBMITTED)
                .distinct().order_by("code"))


def result_set_get(*, questionnaire: Questionnaire, key: str = ResultSet.ALL) -> ResultSet | None:
    return ResultSet.objects.filter(questionnaire=questionnaire, key=key).first()


def result_sets_of(*, questionnaire: Questionnaire) -> list[ResultSet]:
    return list(ResultSet.objects.filter(questionnaire=questionnaire).defer("payload"))


def result_report(*, result_set: ResultSet, name: str) -> dict | None:
    """One report of a stored result set (reads only that part of the JSON document)."""
    row = ResultSet.objects.filter(pk=result_set.pk).values_list(f"payload__reports__{name}", flat=True).first()
    return row if isinstance(row, dict) else None


def questionnaires_with_results() -> list[dict]:
    out = []
    for questionnaire in Questionnaire.objects.order_by("code"):
        main = result_set_get(questionnaire=questionnaire)
        out.append({"questionnaire": questionnaire, "result_set": main,
                    "last_run": RecomputeRun.objects.filter(questionnaire=questionnaire).first()})
    return out


def runs_recent(*, questionnaire: Questionnaire, limit: int = 10) -> list[RecomputeRun]:
    return list(RecomputeRun.objects.filter(questionnaire=questionnaire)[:limit])
