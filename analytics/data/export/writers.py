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


def _dta(table: ExportTable, path: Path, progress: Progress) -> None:
    """Stata: labels on numeric variables only; -7/-8/-9 stay labelled numbers (see docs/data.md)."""
    value_labels = {c.name: {int(k): _bytes_cut(v, 80) for k, v in _numeric_labels(c).items()}
                    for c in table.columns if c.kind in ("int", "num") and _numeric_labels(c)}
    pyreadstat.write_dta(_numpy_frame(table, progress), str(path),
                         column_labels=[_bytes_cut(c.label, 80) for c in table.columns],
                         variable_value_labels=value_labels, version=15)


def _bytes_cut(text: str, limit: int) -> str:
    data = (text or "").encode()
    return text if len(data) <= limit else data[:limit].decode(errors="ignore")


def _xlsx(table: ExportTable, path: Path, progress: Progress) -> None:
    write_xlsx(table, (spreadsheet_batch(table, b) for b in _counted(table, lambda f: None)), path, progress)



def _datapackage(table: ExportTable, path: Path, progress: Progress) -> None:
    write_datapackage(table, path, progress, write_csv=_csv)


WRITERS = {"csv": _csv, "parquet": _parquet, "sav": _sav, "dta": _dta, "xlsx": _xlsx, "datapackage": _datapackage}
