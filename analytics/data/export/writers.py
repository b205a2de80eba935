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


STATA_MISSING = {-7: "a", -8: "b", -9: "c"}  # not applicable .a, don't know .b, refused .c


def _dta(table: ExportTable, path: Path, progress: Progress) -> None:
    """Stata: -7/-8/-9 become the extended missing values .a/.b/.c (labelled), label sets carry the
    name of their variable; labels on numeric variables only."""
    frame = _numpy_frame(table)
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
    progress(0.2)
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
    write_xlsx(table, table.frame, path, progress)


WRITERS = {"csv": _csv, "parquet": _parquet, "sav": _sav, "dta": _dta, "xlsx": _xlsx}
