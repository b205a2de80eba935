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
from collections.abc import Callable, Iterator
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


def _numpy_frame(table: ExportTable, progress: Progress) -> pd.DataFrame:
    """Plain numpy columns: pyreadstat walks nullable (masked, Arrow) columns cell by cell, 10x slower.

    Gathered batch by batch; a numeric column without missing values keeps the smallest integer
    type that holds it (pyreadstat writes every number as a double anyway), so a million rows of
    instrument B fit in about half a gigabyte."""
    parts: list[list[np.ndarray]] = [[] for _ in table.columns]
    for batch in _counted(table, progress, share=0.5):
        for c, array, part in zip(table.columns, batch.columns, parts, strict=True):
            part.append(_numpy(c, array))
    out = {}
    for c, part in zip(table.columns, parts, strict=True):
        values = np.concatenate(part) if part else np.array([], dtype=object if c.kind == "str" else "float64")
        part.clear()
        out[c.name] = pd.Series(values, dtype=values.dtype) if c.kind == "str" else values  # not inferred to Arrow
    return pd.DataFrame(out)


def _numpy(c: Column, array: pa.Array) -> np.ndarray:
    if c.kind == "str":
        return np.asarray(array.to_pylist(), dtype=object)
    if c.kind == "datetime":
        return array.cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False)
    if array.null_count or pa.types.is_floating(array.type):
        return array.cast(pa.float64()).to_numpy(zero_copy_only=False)
    values = array.to_numpy()
    low, high = (int(values.min()), int(values.max())) if len(values) else (0, 0)
    for kind in (np.int8, np.int16, np.int32):
        if np.iinfo(kind).min <= low and high <= np.iinfo(kind).max:
            return values.astype(kind)
    return values.astype("float64")


def _sav(table: ExportTable, path: Path, progress: Progress) -> None:
    columns = table.columns
    value_labels = {}
    for c in columns:
        labels = _numeric_labels(c) if c.kind != "str" else {
            k: v for k, v in c.value_labels.items() if isinstance(k, str) and len(k.encode()) <= 8}
        if labels:
            value_labels[c.name] = {k: _bytes_cut(v, 120) for k, v in labels.items()}
    pyreadstat.write_sav(
        _numpy_frame(table, progress), str(path),
        column_labels=[_bytes_cut(c.label, 250) for c in columns],
        variable_value_labels=value_labels,
        missing_ranges={c.name: list(c.missing) for c in columns if c.missing and c.kind != "str"},
        variable_measure={c.name: c.measure if c.kind != "datetime" else "scale" for c in columns},
        variable_format={c.name: f for c in columns if (f := _spss_format(c))},
    )


STATA_MISSING = {-7: "a", -8: "b", -9: "c"}  # not applicable .a, don't know .b, refused .c


def _dta(table: ExportTable, path: Path, progress: Progress) -> None:
    """Stata: -7/-8/-9 become the extended missing values .a/.b/.c (labelled), label sets carry the
    name of their variable; labels on numeric variables only."""
    frame = _numpy_frame(table, progress)
    value_labels, missing = {}, {}
    for c in table.columns:
        if c.kind not in ("int", "num"):
            continue
        if c.missing:
            column = frame[c.name]
            codes = {code: column == code for code in STATA_MISSING if code in c.missing}
            if any(hit.any() for hit in codes.values()):
                column = column.astype(object)
                for code, hit in codes.items():
                    column[hit] = STATA_MISSING[code]
                frame[c.name] = column
                missing[c.name] = [STATA_MISSING[code] for code in codes]
        labels = {(STATA_MISSING[int(k)] if c.name in missing and int(k) in STATA_MISSING else int(k)):
                  _bytes_cut(v, 80) for k, v in _numeric_labels(c).items()}
        if labels:
            value_labels[c.name] = labels
    progress(0.6)
    pyreadstat.write_dta(frame, str(path), column_labels=[_bytes_cut(c.label, 80) for c in table.columns],
                         variable_value_labels=value_labels, missing_user_values=missing, version=15)
    dta_name_label_sets(Path(path))


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
