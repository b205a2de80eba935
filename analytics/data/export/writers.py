"""One writer per file format, all fed the same ExportTable, batch by batch.

CSV and Parquet stream through pyarrow's writers (memory stays flat whatever the row count).
SPSS and Stata go through pyreadstat (labels and declared missing values as metadata), which
writes a whole DataFrame: the batches are gathered into compact numpy columns first (the
smallest integer type that holds a column without missing values, float64 otherwise), about
0.5 KB a row for instrument B. XLSX goes through xlsxwriter for the small sheets and sheet XML
built with pyarrow for the data, with progress: it is the slow one (see analytics/data/export/xlsx.py).
"""
from __future__ import annotations

import json
import struct
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pyreadstat

from analytics.data.export.datapackage import write_datapackage
from analytics.data.export.table import ARROW_TYPES, Column, ExportTable
from analytics.data.export.xlsx import write_xlsx
from analytics.data.imports.cells import NUMBER_PATTERN

Progress = Callable[[float], None]
DATETIME_TEXT = "%Y-%m-%d %H:%M:%S"
_RISKY = "^[=+@\t\r'-]"  # the characters of cells.FORMULA_START, as an RE2 class


def write_export(table: ExportTable, path: Path, progress: Progress | None = None) -> None:
    progress = progress or (lambda fraction: None)
    WRITERS[table.options.format](table, Path(path), progress)
    progress(1.0)


def _counted(table: ExportTable, progress: Progress, share: float = 0.95) -> Iterator[pa.RecordBatch]:
    """The table's batches, reporting the share of rows read so far."""
    total = max(1, table.rows)
    for batch in table.batches():
        yield batch
        progress(min(0.99, share * table.written / total))


# ------------------------------------------------------------------ CSV and Parquet
def spreadsheet_batch(table: ExportTable, batch: pa.RecordBatch) -> pa.RecordBatch:
    """Datetimes as text and text cells escaped so no spreadsheet runs them as formulas."""
    arrays = []
    for c, array in zip(table.columns, batch.columns, strict=True):
        if c.kind == "datetime":
            array = pc.strftime(array, format=DATETIME_TEXT)
        elif c.kind == "str":
            array = formula_escape_arrow(pc.cast(array, pa.string()))
        arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, names=[c.name for c in table.columns])


def formula_escape_arrow(text: pa.Array) -> pa.Array:
    """analytics.data.imports.cells.formula_escape on an Arrow column: '=cmd' -> "'=cmd", -7 stays."""
    risky = pc.and_(pc.match_substring_regex(text, _RISKY),
                    pc.invert(pc.match_substring_regex(text, f"^{NUMBER_PATTERN}$")))
    return pc.if_else(pc.fill_null(risky, False), pc.binary_join_element_wise("'", text, ""), text)


def _csv(table: ExportTable, path: Path, progress: Progress) -> None:
    schema = pa.schema([pa.field(c.name, pa.string() if c.kind == "datetime" else ARROW_TYPES[c.kind])
                        for c in table.columns])
    options = pa_csv.WriteOptions(quoting_style="needed")
    with pa_csv.CSVWriter(path, schema, write_options=options) as writer:
        for batch in _counted(table, progress):
            writer.write_batch(spreadsheet_batch(table, batch).cast(schema))


def parquet_schema(table: ExportTable) -> pa.Schema:
    """The same columns and types for the same questionnaire and options, whatever rows are selected."""
    fields = [pa.field(c.name, ARROW_TYPES[c.kind], metadata={
        "label": c.label, "measure": c.measure,
        "value_labels": json.dumps({str(k): v for k, v in c.value_labels.items()}, ensure_ascii=False),
    }) for c in table.columns]
    meta = {"questionnaire": table.codebook["questionnaire"],
            "options": json.dumps(table.options.to_json(), ensure_ascii=False)}
    return pa.schema(fields, metadata=meta)


def _parquet(table: ExportTable, path: Path, progress: Progress) -> None:
    schema = parquet_schema(table)
    with pq.ParquetWriter(path, schema) as writer:
        for batch in _counted(table, progress):
            writer.write_batch(batch.cast(schema))


# ------------------------------------------------------------------ SPSS and Stata
def _numeric_labels(c: Column) -> dict:
    return {k: v for k, v in c.value_labels.items() if isinstance(k, int | float) and not isinstance(k, bool)}


def _spss_format(c: Column) -> str | None:
    if c.kind == "int":
        return "F8.0"
    if c.kind == "num":
        decimals = 2 if c.decimals is None else c.decimals
        return f"F{max(8, 12 + decimals)}.{decimals}"
    return None


CHUNK_ROWS = 50_000  # rows per pyreadstat call: memory stays bounded whatever the row count


@dataclass
class _Profile:
    """What the whole column decides, found in a first pass over the batches: the numpy type of a
    number column (the smallest integer type holding it when it has no empty cell, float64
    otherwise), the longest text (pyreadstat sizes a text column by its longest value), and the
    missing codes present (Stata turns the column into doubles with .a/.b/.c when any is)."""

    kind: str
    null: bool = False
    floating: bool = False
    low: int | None = None
    high: int | None = None
    longest: str | None = None
    longest_bytes: int = -1
    codes: set = field(default_factory=set)

    def add(self, array: pa.Array) -> None:
        if self.kind == "str":
            text = pc.cast(array, pa.string())
            if len(text) and text.null_count < len(text):
                lengths = pc.binary_length(text)
                at = pc.index(lengths, pc.max(lengths)).as_py()
                if lengths[at].as_py() > self.longest_bytes:
                    self.longest, self.longest_bytes = text[at].as_py(), lengths[at].as_py()
            return
        if self.kind == "datetime":
            return
        self.null |= array.null_count > 0
        self.floating |= pa.types.is_floating(array.type)
        valid = pc.drop_null(array)
        if len(valid):
            bounds = pc.min_max(valid)
            low, high = bounds["min"].as_py(), bounds["max"].as_py()
            self.low = low if self.low is None else min(self.low, low)
            self.high = high if self.high is None else max(self.high, high)
            present = pc.unique(pc.filter(valid, pc.is_in(valid, value_set=pa.array(list(STATA_MISSING),
                                                                                        valid.type))))
            self.codes |= {int(v) for v in present.to_pylist()}

    @property
    def dtype(self):
        if self.null or self.floating:
            return np.dtype("float64")
        low, high = (int(self.low), int(self.high)) if self.low is not None else (0, 0)
        for kind in (np.int8, np.int16, np.int32):
            if np.iinfo(kind).min <= low and high <= np.iinfo(kind).max:
                return np.dtype(kind)
        return np.dtype("float64")


def _profiles(table: ExportTable, progress: Progress) -> list[_Profile]:
    profiles = [_Profile(c.kind) for c in table.columns]
    for batch in _counted(table, progress, share=0.2):
        for profile, array in zip(profiles, batch.columns, strict=True):
            profile.add(array)
    return profiles


def _numpy(c: Column, array: pa.Array, profile: _Profile) -> np.ndarray:
    """Plain numpy columns: pyreadstat walks nullable (masked, Arrow) columns cell by cell, 10x slower."""
    if c.kind == "str":
        return np.asarray(array.to_pylist(), dtype=object)
    if c.kind == "datetime":
        return array.cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False)
    if profile.dtype.kind == "f":
        return array.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return array.to_numpy().astype(profile.dtype)


def _sentinel(c: Column, profile: _Profile):
    """The first row of every chunk, dropped from the file: the column's longest text, so each chunk
    declares the widths of the whole column."""
    if c.kind == "str":
        return profile.longest
    if c.kind == "datetime":
        return np.datetime64("NaT", "ns")
    return np.nan if profile.dtype.kind == "f" else 0


def _chunk_frames(table: ExportTable, profiles: list[_Profile], progress: Progress,
                  chunk_rows: int | None = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The rows as DataFrames of about CHUNK_ROWS, each led by the sentinel row and each column of
    one type across every chunk; a frame of the sentinel alone when there are no rows."""
    typed = list(zip(table.columns, profiles, strict=True))

    def frame(batches: list[pa.RecordBatch]) -> pd.DataFrame:
        out = {}
        for i, (c, profile) in enumerate(typed):
            parts = [_numpy(c, b.column(i), profile) for b in batches]
            kind = object if c.kind == "str" else parts[0].dtype if parts else None
            first = np.array([_sentinel(c, profile)], dtype=kind)
            values = np.concatenate([first, *parts])
            out[c.name] = pd.Series(values, dtype=values.dtype) if c.kind == "str" else values  # not inferred
        return pd.DataFrame(out)

    pending, size, written = [], 0, False
    for batch in _counted(table, lambda f: progress(0.2 + 0.75 * f / 0.95)):
        if batch.num_rows:
            pending.append(batch)
            size += batch.num_rows
        if chunk_rows and size >= chunk_rows:
            written = True
            yield frame(pending)
            pending, size = [], 0
    if pending or not written:
        yield frame(pending)


def _spliced(table: ExportTable, path: Path, progress: Progress, write_chunk, layout, finish,
             profiles: list[_Profile] | None = None) -> None:
    """Each chunk written by pyreadstat to a scratch file, its sentinel row first; the file is the
    first chunk's dictionary, the data rows of every chunk without their sentinel, and the first
    chunk's trailer. `layout(data)` gives (start, end) of a chunk file's data section;
    `finish(path, rows, shift, data_at)` patches the row count (and offsets past the data, moved by `shift`
    bytes against the first chunk's file) into the assembled file."""
    profiles = profiles or _profiles(table, progress)
    rows, row_bytes, first_end, data_at, trailer = 0, 0, 0, None, b""
    with tempfile.TemporaryDirectory(prefix="export-") as scratch, open(path, "wb") as out:
        part = Path(scratch) / ("chunk" + path.suffix)
        for frame in _chunk_frames(table, profiles, progress):
            count = len(frame) - 1
            write_chunk(frame, part, profiles)
            del frame
            data = part.read_bytes()
            start, end = layout(data)
            row_bytes = (end - start) // (count + 1)
            if data_at is None:
                out.write(data[:start])
                data_at, first_end, trailer = start, end, data[end:]
            out.write(data[start + row_bytes:end])
            rows += count
        out.write(trailer)
    finish(path, rows, data_at + rows * row_bytes - first_end, data_at)


def _sav(table: ExportTable, path: Path, progress: Progress) -> None:
    columns = table.columns
    value_labels = {}
    for c in columns:
        labels = _numeric_labels(c) if c.kind != "str" else {
            k: v for k, v in c.value_labels.items() if isinstance(k, str) and len(k.encode()) <= 8}
        if labels:
            value_labels[c.name] = {k: _bytes_cut(v, 120) for k, v in labels.items()}
    metadata = dict(
        column_labels=[_bytes_cut(c.label, 250) for c in columns],
        variable_value_labels=value_labels,
        missing_ranges={c.name: list(c.missing) for c in columns if c.missing and c.kind != "str"},
        variable_measure={c.name: c.measure if c.kind != "datetime" else "scale" for c in columns},
        variable_format={c.name: f for c in columns if (f := _spss_format(c))},
    )

    def layout(data: bytes) -> tuple[int, int]:
        # uncompressed: the cases fill the end of the file, 8 bytes a slot (header: slots per case, cases)
        slots, cases = struct.unpack_from("<i", data, 68)[0], struct.unpack_from("<i", data, 80)[0]
        return len(data) - slots * 8 * cases, len(data)

    def finish(out: Path, rows: int, shift: int, data_at: int) -> None:
        with open(out, "r+b") as file:
            dictionary = file.read(data_at)
            file.seek(80)
            file.write(struct.pack("<i", rows))
            # and the 64-bit count of the extended record (type 7, subtype 16: two 8-byte values)
            at = dictionary.find(struct.pack("<4i", 7, 16, 8, 2), 176)
            if at >= 0:
                file.seek(at + 16 + 8)
                file.write(struct.pack("<q", rows))

    _spliced(table, path, progress, lambda frame, part, profiles: pyreadstat.write_sav(frame, str(part), **metadata),
             layout, finish)


STATA_MISSING = {-7: "a", -8: "b", -9: "c"}  # not applicable .a, don't know .b, refused .c


def _dta(table: ExportTable, path: Path, progress: Progress) -> None:
    """Stata: -7/-8/-9 become the extended missing values .a/.b/.c (labelled) in the columns that hold
    any of them, label sets carry the name of their variable; labels on numeric variables only."""
    value_labels, missing = {}, {}

    def write_chunk(frame: pd.DataFrame, part: Path, profiles: list[_Profile]) -> None:
        coded = {c.name: [code for code in STATA_MISSING if code in c.missing]
                 for c, profile in zip(table.columns, profiles, strict=True)
                 if c.kind in ("int", "num") and c.missing and profile.codes & set(c.missing)}
        for name, codes in coded.items():
            values = frame[name]
            column = values.astype(object)
            for code in codes:
                column[values == code] = STATA_MISSING[code]
            frame[name] = column
        if not missing and not value_labels:
            for c in table.columns:
                if c.kind not in ("int", "num"):
                    continue
                if c.name in coded:
                    missing[c.name] = [STATA_MISSING[code] for code in coded[c.name]]
                labels = {(STATA_MISSING[int(k)] if c.name in missing and int(k) in STATA_MISSING else int(k)):
                          _bytes_cut(v, 80) for k, v in _numeric_labels(c).items()}
                if labels:
                    value_labels[c.name] = labels
        pyreadstat.write_dta(frame, str(part), column_labels=[_bytes_cut(c.label, 80) for c in table.columns],
                             variable_value_labels=value_labels, missing_user_values=missing, version=15)
        dta_name_label_sets(part)

    def layout(data: bytes) -> tuple[int, int]:
        return data.index(b"<data>") + len(b"<data>"), data.index(b"</data>")

    profiles = _profiles(table, progress)
    if any(p.longest_bytes > STATA_STR_BYTES for p in profiles):
        # a text Stata keeps as strL: the data refer to it by row number, so the rows cannot be spliced;
        # one frame, held whole (such long texts are rare: an export without free text never has one)
        frame = pd.concat(list(_chunk_frames(table, profiles, progress, chunk_rows=None)))
        write_chunk(frame.iloc[1:].reset_index(drop=True), path, profiles)
        return
    _spliced(table, path, progress, write_chunk, layout, dta_rows_set, profiles=profiles)


STATA_STR_BYTES = 2045  # longest str# of Stata 15; longer texts are strL


def dta_rows_set(path: Path, rows: int, shift: int, data_at: int = 0) -> None:
    """Stata 15 (format 118): the observation count in the header, and the map's offsets of what
    follows the data (strls, value labels, the closing tag, the end) moved by `shift` bytes."""
    with open(path, "r+b") as file:
        head = file.read(1024)
        order = "<" if b"<byteorder>LSF</byteorder>" in head else ">"
        at = head.index(b"<N>") + len(b"<N>")
        file.seek(at)
        file.write(struct.pack(order + "Q", rows))
        at = head.index(b"<map>") + len(b"<map>")
        offsets = list(struct.unpack_from(order + "14Q", head, at))
        offsets[10:14] = [offset + shift for offset in offsets[10:14]]
        file.seek(at)
        file.write(struct.pack(order + "14Q", *offsets))


def dta_name_label_sets(path: Path) -> None:
    """pyreadstat names a variable's label set '<variable><index>' (BA10 for BA1): rename each to its variable.

    Stata 15 (format 118) keeps names in fixed 129-byte fields, in the variable list and in each <lbl>
    record, so renaming is an in-place rewrite of those fields.
    """
    data = bytearray(path.read_bytes())
    order = "<" if b"<byteorder>LSF</byteorder>" in data[:200] else ">"
    names_at = data.index(b"<varnames>") + len(b"<varnames>")
    labels_at = data.index(b"<value_label_names>") + len(b"<value_label_names>")
    count = (data.index(b"</varnames>") - names_at) // 129
    renames = {}
    for i in range(count):
        variable = bytes(data[names_at + i * 129:names_at + (i + 1) * 129]).split(b"\0", 1)[0]
        field_at = labels_at + i * 129
        old = bytes(data[field_at:field_at + 129]).split(b"\0", 1)[0]
        if old:
            renames[old] = variable
            data[field_at:field_at + 129] = variable.ljust(129, b"\0")
    at = data.index(b"<value_labels>") + len(b"<value_labels>")
    while data[at:at + 5] == b"<lbl>":
        length = int.from_bytes(data[at + 5:at + 9], "little" if order == "<" else "big")
        name_at = at + 9
        old = bytes(data[name_at:name_at + 129]).split(b"\0", 1)[0]
        data[name_at:name_at + 129] = renames.get(old, old).ljust(129, b"\0")
        at = name_at + 129 + 3 + length + len(b"</lbl>")
    path.write_bytes(bytes(data))


def _bytes_cut(text: str, limit: int) -> str:
    data = (text or "").encode()
    return text if len(data) <= limit else data[:limit].decode(errors="ignore")


def _xlsx(table: ExportTable, path: Path, progress: Progress) -> None:
    """Real dates and text cells as they are: XLSX types its cells, so nothing needs escaping."""
    write_xlsx(table, _counted(table, lambda f: None), path, progress)



def _datapackage(table: ExportTable, path: Path, progress: Progress) -> None:
    write_datapackage(table, path, progress, write_csv=_csv)


WRITERS = {"csv": _csv, "parquet": _parquet, "sav": _sav, "dta": _dta, "xlsx": _xlsx, "datapackage": _datapackage}
