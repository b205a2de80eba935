"""Reads: the read-model frame results are computed from, and the stored results views show."""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from django.conf import settings
from django.db import connection

from analytics.models import RecomputeRun, ResultSet
from analytics.results import snapshots
from surveys.answering.readmodel import (
    CHANGE_SEQ,
    META_COLUMNS,
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


@dataclass
class _Held:
    """A frame of the submitted rows as of a transaction horizon (see snapshots.py)."""
    frame: pd.DataFrame
    horizon: int
    built_at: float  # when its rows were last read in full
    stamp: str  # the read-model schema it was read with
    behind: int = 0  # rows applied since it was last written to disk


# The frame of the last run per (database, questionnaire): a worker refreshes it with the rows
# written since (milliseconds) instead of reading 100,000s of rows again (seconds).
_FRAMES: dict[tuple, _Held] = {}


def results_frame(*, questionnaire: Questionnaire, full: bool = False, summary: tuple | None = None,
                  columns: list[str] | None = None) -> pd.DataFrame:
    """Every submitted response of the questionnaire as typed read-model columns (the only data source):
    `columns` only (default: every column), as compact as their values allow (see results_read).

    On PostgreSQL the frame is not read row by row each time: this process's frame of the previous
    run (not with `full`), else the snapshot on disk (snapshots.py), is brought up to date with the
    read-model rows written since its transaction horizon (`change_seq`): changed rows overwritten,
    new ones added, rows that left the submitted set dropped. Deleted rows leave no change behind:
    when the count or id sum of the result differs from the table's, the ids are read and
    reconciled. Only without either, or when the columns or the read-model schema changed, are all
    rows read (and the snapshot written again). `summary`: results_summary() taken just before, if
    at hand (the check's first comparison; the table is asked again only when it differs)."""
    if connection.vendor != "postgresql":
        return results_read(questionnaire=questionnaire, columns=columns, where="status = %s", params=[SUBMITTED])
    variables = readmodel_ensure(questionnaire)
    wanted = list(columns) if columns is not None else [n for n, _ in META_COLUMNS] + [v.name for v in variables]
    key, stamp = (connection.settings_dict["NAME"], questionnaire.pk), schema_stamp(questionnaire)
    held = _FRAMES.pop(key, None)
    if held is not None and (full or held.stamp != stamp or list(held.frame.columns) != wanted):
        held = None
    if held is None:
        loaded = snapshots.snapshot_load(questionnaire=questionnaire, stamp=stamp, values=VALUES, columns=wanted,
                                         max_age=settings.ANALYTICS_SNAPSHOT_MAX_AGE_SECONDS)
        if loaded is not None:
            held = _Held(loaded.frame, loaded.horizon, loaded.built_at, stamp)
    if held is None:
        horizon = transaction_horizon()  # before the read: what commits meanwhile is read again next time
        frame = results_read(questionnaire=questionnaire, columns=wanted, where="status = %s", params=[SUBMITTED])
        held = _Held(frame, horizon, time.time(), stamp, behind=settings.ANALYTICS_SNAPSHOT_REWRITE_ROWS)
    else:
        horizon = transaction_horizon()
        held.frame, changed = _refreshed(questionnaire, held.frame, held.horizon, wanted)
        held.horizon, held.behind = horizon, held.behind + changed
    held.frame = _reconciled(questionnaire, held.frame, wanted, summary)
    if held.behind >= settings.ANALYTICS_SNAPSHOT_REWRITE_ROWS:  # read in full, or far ahead of the file
        snapshot = snapshots.Snapshot(held.frame, held.horizon, held.built_at)
        snapshots.snapshot_write(questionnaire=questionnaire, stamp=stamp, values=VALUES, snapshot=snapshot)
        held.behind = 0  # written, or logged and tried again after as many changes (a full disk)
    _FRAMES[key] = held
    return held.frame


def transaction_horizon() -> int:
    """The oldest transaction still running (or the next one): every read-model row stamped below it was
    committed (or rolled back) before now, so a read that starts after this sees it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return cursor.fetchone()[0]


def schema_stamp(questionnaire: Questionnaire) -> str:
    """Changes with the read model's columns and their types (a new or changed version)."""
    checksums = questionnaire.versions.order_by("number").values_list("checksum", flat=True)
    return hashlib.sha256(",".join(checksums).encode()).hexdigest()[:24]


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
    return pd.DataFrame({name: _joined(name, types[name], parts.pop(name)) for name in list(types)}, copy=False)


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


def _refreshed(questionnaire: Questionnaire, frame: pd.DataFrame, horizon: int,
               columns: list[str]) -> tuple[pd.DataFrame, int]:
    """The frame with the rows written at or above `horizon` applied, and how many there were."""
    extra = [] if "status" in columns else ["status"]
    delta = results_read(questionnaire=questionnaire, columns=columns + extra, where=f"{CHANGE_SEQ} >= %s",
                         params=[horizon])
    if not len(delta):
        return frame, 0
    submitted = (delta["status"] == SUBMITTED).fillna(False).to_numpy(dtype=bool)
    if not submitted.all():  # reset, reopened or withdrawn since: out of the results
        gone = delta.loc[~submitted, "response_id"]
        if frame["response_id"].isin(gone).any():
            frame = frame[~frame["response_id"].isin(gone)].reset_index(drop=True)
        delta = delta[submitted].reset_index(drop=True)
    return _merged(frame, delta.drop(columns=extra)), len(submitted)


def _reconciled(questionnaire: Questionnaire, frame: pd.DataFrame, columns: list[str],
                summary: tuple | None = None) -> pd.DataFrame:
    """The frame, unless its count or id sum differs from the submitted rows' (a row was deleted, or
    one committed after the refresh's read): then the ids are read, rows no longer there dropped and
    rows not yet held read (all rows when many are missing). A summary taken before the refresh that
    agrees saves asking again (a deleted row would show in it as a difference)."""
    id_sum = int(frame["response_id"].sum())
    for taken in ([summary] if summary else []) + [None]:
        count, _, ids = taken or results_summary(questionnaire=questionnaire)
        if len(frame) == count and id_sum == int(ids or 0):
            return frame
    submitted = results_read(questionnaire=questionnaire, columns=["response_id"], where="status = %s",
                             params=[SUBMITTED])["response_id"].to_numpy(dtype="int64")
    present = frame["response_id"].to_numpy(dtype="int64")
    kept = np.isin(present, submitted)
    if not kept.all():
        frame = frame[kept].reset_index(drop=True)
    missing = np.setdiff1d(submitted, present)
    if len(missing) > max(RECONCILE_ROWS, len(submitted) // 10):
        return results_read(questionnaire=questionnaire, columns=columns, where="status = %s", params=[SUBMITTED])
    if len(missing):
        rows = results_read(questionnaire=questionnaire, columns=columns, where="status = %s AND response_id = ANY(%s)",
                            params=[SUBMITTED, [int(i) for i in missing]])
        frame = _merged(frame, rows)
    return frame


RECONCILE_ROWS = 10_000  # rows missing from a frame read by id; more, and all rows are read


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
    if len(ids) and new["response_id"].min() < ids[-1]:  # a row that joined the submitted set late
        return _inserted(frame, new.sort_values("response_id", ignore_index=True))
    return pd.concat([frame, new], ignore_index=True)


def _inserted(frame: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The frame with the new rows (sorted by id, none held) in their places by id: what concatenating
    and sorting gives, column for column, without sorting: a numpy column whose type holds the new
    values takes them by np.insert (one copy), any other column is concatenated and put in order."""
    at = np.searchsorted(frame["response_id"].to_numpy(), new["response_id"].to_numpy())
    n, m = len(frame), len(new)
    placed = np.zeros(n + m, dtype=bool)
    placed[at + np.arange(m)] = True
    order = np.empty(n + m, dtype=np.intp)
    order[~placed], order[placed] = np.arange(n), n + np.arange(m)
    columns = {}
    for name in frame.columns:
        old, add = frame[name], new[name]
        if (isinstance(old.dtype, np.dtype) and isinstance(add.dtype, np.dtype)
                and np.can_cast(add.dtype, old.dtype, casting="safe")):
            columns[name] = np.insert(old.to_numpy(), at, add.to_numpy().astype(old.dtype))
        else:
            columns[name] = pd.concat([old, add], ignore_index=True).take(order).reset_index(drop=True)
    return pd.DataFrame(columns, copy=False)  # no consolidating copy of every column into 2-D blocks


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
        try:
            frame.iloc[rows, j] = values[name]
        except ValueError:  # a column read zero-copy from a snapshot file is read-only: write into a copy
            frame[name] = frame[name].to_numpy().copy()
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
