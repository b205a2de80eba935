"""One writer per file format, all fed the same ExportTable.

CSV and Parquet go through pyarrow, SPSS and Stata through pyreadstat (labels and declared
missing values as metadata), XLSX through xlsxwriter in constant-memory mode, row by row, with
progress: it is the slow one (see analytics/data/export/xlsx.py).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pyreadstat

from analytics.data.export.datapackage import write_datapackage
from analytics.data.export.table import Column, ExportTable
from analytics.data.export.xlsx import write_xlsx
from analytics.data.imports.cells import formula_escape

Progress = Callable[[float], None]
ARROW_TYPES = {"int": pa.int64(), "num": pa.float64(), "str": pa.string(), "datetime": pa.timestamp("s")}
DATETIME_TEXT = "%Y-%m-%d %H:%M:%S"


def write_export(table: ExportTable, path: Path, progress: Progress | None = None) -> None:
    progress = progress or (lambda fraction: None)
    WRITERS[table.options.format](table, Path(path), progress)
    progress(1.0)


# ------------------------------------------------------------------ CSV and Parquet
def _spreadsheet_frame(table: ExportTable) -> pd.DataFrame:
    """Datetimes as text and text cells escaped so no spreadsheet runs them as formulas."""
    frame = table.frame.copy(deep=False)
    for c in table.columns:
        if c.kind == "datetime":
            frame[c.name] = frame[c.name].dt.strftime(DATETIME_TEXT).astype("string")
        elif c.kind == "str":
            frame[c.name] = formula_escape(frame[c.name])
    return frame


def _csv(table: ExportTable, path: Path, progress: Progress) -> None:
    frame = _spreadsheet_frame(table)
    schema = pa.schema([pa.field(c.name, pa.string() if c.kind == "datetime" else ARROW_TYPES[c.kind])
                        for c in table.columns])
    arrow = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    progress(0.5)
    pa_csv.write_csv(arrow, path, write_options=pa_csv.WriteOptions(quoting_style="needed"))


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
    arrow = pa.Table.from_pandas(table.frame, schema=parquet_schema(table), preserve_index=False)
    progress(0.5)
    pq.write_table(arrow, path)


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


def _numpy_frame(table: ExportTable) -> pd.DataFrame:
    """Plain numpy columns: pyreadstat walks nullable (masked, Arrow) columns cell by cell, 10x slower."""
    out = {}
    for c in table.columns:
        series = table.frame[c.name]
        if c.kind in ("int", "num"):
            out[c.name] = series.to_numpy(dtype="float64", na_value=np.nan)
        elif c.kind == "str":
            values = series.to_numpy(dtype=object, na_value=None)
            out[c.name] = pd.Series(values, index=series.index, dtype=object)  # not inferred back to Arrow
        else:
            out[c.name] = series.to_numpy()
    return pd.DataFrame(out, index=table.frame.index)


def _sav(table: ExportTable, path: Path, progress: Progress) -> None:
    columns = table.columns
    value_labels = {}
    for c in columns:
        labels = _numeric_labels(c) if c.kind != "str" else {
            k: v for k, v in c.value_labels.items() if isinstance(k, str) and len(k.encode()) <= 8}
        if labels:
            value_labels[c.name] = {k: _bytes_cut(v, 120) for k, v in labels.items()}
    progress(0.2)
    pyreadstat.write_sav(
        _numpy_frame(table), str(path),
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
    progress(0.2)
    pyreadstat.write_dta(_numpy_frame(table), str(path), column_labels=[_bytes_cut(c.label, 80) for c in table.columns],
                         variable_value_labels=value_labels, version=15)


def _bytes_cut(text: str, limit: int) -> str:
    data = (text or "").encode()
    return text if len(data) <= limit else data[:limit].decode(errors="ignore")


def _xlsx(table: ExportTable, path: Path, progress: Progress) -> None:
    write_xlsx(table, _spreadsheet_frame(table), path, progress)


def _datapackage(table: ExportTable, path: Path, progress: Progress) -> None:
    write_datapackage(table, path, progress, write_csv=_csv)


WRITERS = {"csv": _csv, "parquet": _parquet, "sav": _sav, "dta": _dta, "xlsx": _xlsx, "datapackage": _datapackage}
