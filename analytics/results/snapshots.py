"""The results frame of a questionnaire kept on disk as an Arrow IPC file, read back in a second.

Reading a million responses of instrument B (187 columns) from PostgreSQL, COPY as CSV parsed by
Arrow, costs close to a minute on two cores; the same frame read from an uncompressed Arrow file
costs about a second. So the frame a recompute builds is also written to
ANALYTICS_SNAPSHOT_DIR together with the transaction horizon it was read at: every read-model row
written by a transaction below the horizon is in the file as it was, and the rows written at or
above it are read again from the database by their `change_seq` (stamped on every write by a
trigger, see surveys.answering.readmodel). `selectors.results_frame` does that merge.

The file is a cache, never the truth: losing it, or finding it torn, foreign or of an older
read-model schema, costs one full read, which writes it again. It is written to a temporary file
beside it and renamed, so a reader (another worker) sees the old file or the new one, never half of
one; a crash mid-write leaves only a temporary file, removed by a later write. It is keyed by
database (server, name and the database's oid, so a database dropped and created again under the
same name never matches) and questionnaire, and records the read-model schema stamp (the versions'
checksums), which values (raw or edited) it holds, its row count and id sum: a file that disagrees
with any of them is not used.

Files do not pile up: every write removes files no reader would use any more (not written for
longer than the maximum age: of a database dropped since, say; or temporaries a crashed writer left).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)
FORMAT = 1  # bump when what the file holds changes meaning
METADATA_KEY = b"results_snapshot"
STALE_TEMP_SECONDS = 3600  # a temporary file this old was left by a crashed writer


@dataclass
class Snapshot:
    frame: pd.DataFrame
    horizon: int  # rows written by transactions at or above this id may be missing or outdated
    built_at: float  # when its rows were last read in full (epoch seconds)


def snapshot_directory() -> Path | None:
    """The configured directory, or None when snapshots are switched off (an empty setting)."""
    directory = getattr(settings, "ANALYTICS_SNAPSHOT_DIR", "")
    return Path(directory) if directory else None


def database_identity() -> str:
    """Server, database name and the database's oid: a file never matches another database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
        oid = cursor.fetchone()[0]
    conf = connection.settings_dict
    return f"{conf.get('HOST') or ''}:{conf.get('PORT') or ''}/{conf['NAME']}#{oid}"


def snapshot_path(*, questionnaire, values: str) -> Path | None:
    directory = snapshot_directory()
    if directory is None:
        return None
    digest = hashlib.sha256(f"{database_identity()}|{values}".encode()).hexdigest()[:16]
    slug = re.sub(r"[^a-z0-9]+", "-", questionnaire.code.lower()).strip("-")
    return directory / f"results-{slug}-{questionnaire.pk}-{digest}.arrow"


def _expected(questionnaire, stamp: str, values: str) -> dict:
    return {"format": FORMAT, "database": database_identity(), "questionnaire": questionnaire.pk,
            "stamp": stamp, "values": values}


def snapshot_load(*, questionnaire, stamp: str, values: str, columns: list[str],
                  max_age: float | None = None) -> Snapshot | None:
    """The snapshot's `columns`, or None when there is none usable: missing, torn, of another database,
    schema or values, without one of the columns, or built in full longer than `max_age` seconds ago."""
    path = snapshot_path(questionnaire=questionnaire, values=values)
    if path is None or not path.exists():
        return None
    try:
        with pa.OSFile(str(path), "rb") as source:
            schema = pa.ipc.open_file(source).schema
        meta = json.loads((schema.metadata or {}).get(METADATA_KEY, b"{}"))
        if any(meta.get(k) != v for k, v in _expected(questionnaire, stamp, values).items()):
            return None
        if set(columns) - set(schema.names) or "response_id" not in columns:
            return None
        if max_age is not None and time.time() - float(meta["built_at"]) > max_age:
            return None
        table = feather.read_table(str(path), columns=list(columns), memory_map=False)
        if table.num_rows != int(meta["rows"]):
            raise ValueError(f"{table.num_rows} rows, {meta['rows']} written")
        frame = table.to_pandas(split_blocks=True, self_destruct=True)  # no consolidating copy: 8x faster
        del table
        if int(frame["response_id"].sum()) != int(meta["id_sum"]):
            raise ValueError("the ids do not add up")
        return Snapshot(frame, int(meta["horizon"]), float(meta["built_at"]))
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
        logger.warning("results snapshot %s is unusable (%s); the frame is read from the database", path, exc)
        return None


def snapshot_write(*, questionnaire, stamp: str, values: str, snapshot: Snapshot) -> Path | None:
    """Write the snapshot (temporary file, then an atomic rename); None when switched off or on failure
    (a full disk only costs the next process a full read)."""
    path = snapshot_path(questionnaire=questionnaire, values=values)
    if path is None:
        return None
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    frame = snapshot.frame
    meta = {**_expected(questionnaire, stamp, values), "horizon": snapshot.horizon, "built_at": snapshot.built_at,
            "rows": len(frame), "id_sum": int(frame["response_id"].sum()) if len(frame) else 0,
            "written_at": time.time()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(path.parent)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               METADATA_KEY: json.dumps(meta).encode()})
        with pa.OSFile(str(temporary), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        with open(temporary, "rb") as written:  # on disk before the name points at it
            os.fsync(written.fileno())
        os.replace(temporary, path)
        return path
    except (OSError, ValueError, TypeError, pa.ArrowException):
        logger.exception("could not write the results snapshot %s", path)
        temporary.unlink(missing_ok=True)
        return None


def _remove_stale(directory: Path) -> None:
    """Temporaries a crashed writer left, and snapshots not written for longer than the maximum age:
    their frame was read in full even earlier, so no reader would use them (a questionnaire's own
    file is rewritten by every recompute)."""
    now = time.time()
    max_age = getattr(settings, "ANALYTICS_SNAPSHOT_MAX_AGE_SECONDS", 0) or 0
    candidates = [(leftover, STALE_TEMP_SECONDS) for leftover in directory.glob(".results-*.tmp")]
    if max_age > 0:
        candidates += [(old, max_age) for old in directory.glob("results-*.arrow")]
    for candidate, age in candidates:
        try:
            if now - candidate.stat().st_mtime > age:
                candidate.unlink()
        except OSError:
            pass  # another writer's file, gone or renamed meanwhile

