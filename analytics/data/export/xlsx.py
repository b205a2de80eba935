"""XLSX: a data sheet, the codebook and the value labels.

xlsxwriter (constant_memory) writes the workbook with the data sheet's header row only, plus the
small codebook and value-label sheets. The data rows (about 20 million cells for 100,000
responses of instrument B) are then built as sheet XML column-wise with pyarrow, 10,000 rows at
a time, and spliced into the data sheet while the package is copied: writing them one cell at
a time through xlsxwriter costs about 4.5 µs a cell, 90 s for instrument B.
Text cells are inline strings, so no shared-string table has to be held in memory; they hold the
text itself (an inline string is never run as a formula, so no apostrophe is added). Datetimes are
real spreadsheet dates: serial day numbers with a date style.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from surveys.questionnaire.codebook import codebook_rows, value_label_rows

DATA_SHEET = "xl/worksheets/sheet1.xml"
CHUNK_ROWS = 10_000
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
EPOCH = "1899-12-30"  # day 0 of spreadsheet serial dates (1900 date system)
EPOCH_TO_UNIX = 25_569  # days from EPOCH to 1970-01-01
_ILLEGAL_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{FFFE}\x{FFFF}]"  # RE2 syntax: not allowed in XML 1.0


def write_xlsx(table, batches: Iterator[pa.RecordBatch], path: Path, progress: Callable[[float], None]) -> None:
    """`batches`: the table's rows as read (timestamps, numbers, text as it is: an inline string is never run
    as a formula, so nothing needs escaping)."""
    with tempfile.TemporaryDirectory() as scratch:
        skeleton = Path(scratch) / "skeleton.xlsx"
        date_style = _skeleton(table, skeleton)
        with zipfile.ZipFile(skeleton) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED,
                                                                  compresslevel=1) as target:
            for info in source.infolist():
                if info.filename == DATA_SHEET:
                    _data_sheet(source.read(info).decode(), table, batches, target, progress, date_style)
                else:
                    with source.open(info) as entry, target.open(info.filename, "w") as out:
                        shutil.copyfileobj(entry, out)


def _skeleton(table, path: Path) -> int:
    """The workbook without data rows; returns the style index of the datetime cells."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                              "strings_to_formulas": False, "strings_to_urls": False})
    date_format = workbook.add_format({"num_format": DATE_FORMAT})
    try:
        data = workbook.add_worksheet("data")
        for i, c in enumerate(table.columns):
            if c.kind == "datetime":
                data.set_column(i, i, 19, date_format)
        data.write_row(0, 0, [c.name for c in table.columns])
        language = table.options.language
        rows = codebook_rows(table.codebook, language)
        names = {c.name for c in table.columns}
        _sheet(workbook.add_worksheet("codebook"), list(rows[0]) if rows else [],
               [list(r.values()) for r in rows if r["name"] in names])
        _sheet(workbook.add_worksheet("value_labels"), ["variable", "code", "label"],
               [list(r) for r in value_label_rows(table.codebook, language) if r[0] in names])
    finally:
        workbook.close()
    return date_format.xf_index or 0


def _sheet(sheet, header: list, rows: list[list]) -> None:
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            elif value not in (None, ""):
                sheet.write_string(r, c, str(value))  # strings_to_formulas is off: text stays text


def _data_sheet(skeleton: str, table, batches, target: zipfile.ZipFile, progress, date_style: int) -> None:
    head, tail = skeleton.split("</sheetData>", 1)
    last = f"{xl_col_to_name(max(0, len(table.columns) - 1))}{table.rows + 1}"
    head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', head, count=1)
    letters = [xl_col_to_name(i) for i in range(len(table.columns))]
    total, done = max(1, table.rows), 0
    with target.open(DATA_SHEET, "w", force_zip64=True) as out:
        out.write(head.encode())
        for batch in batches:
            for start in range(0, batch.num_rows, CHUNK_ROWS):
                chunk = batch.slice(start, CHUNK_ROWS)
                out.write(_rows_xml(table.columns, chunk, letters, first_row=done + 2, date_style=date_style).encode())
                done += chunk.num_rows
                progress(min(0.99, done / total))
        out.write(("</sheetData>" + tail).encode())


def _rows_xml(columns, chunk, letters: list[str], first_row: int, date_style: int = 0) -> str:
    numbers = pa.array(range(first_row, first_row + chunk.num_rows)).cast(pa.string())
    cells = [_cells(chunk.column(c.name), c.kind, letter, numbers, date_style)
             for c, letter in zip(columns, letters, strict=True)]
    rows = pc.binary_join_element_wise('<row r="', numbers, '">', *cells, "</row>", "")
    return "".join(rows.to_pylist())


def _cells(values: pa.Array, kind: str, letter: str, numbers: pa.Array, date_style: int = 0) -> pa.Array:
    """One column of cell XML (empty text where the value is missing)."""
    if kind == "datetime":
        # serial days since EPOCH (UTC); a hair past the second: readers that truncate the float
        # (LibreOffice) still land on that second
        stamps = values if pa.types.is_timestamp(values.type) else pc.cast(values, pa.timestamp("s"))
        micros = pc.cast(pc.cast(stamps, pa.timestamp("us")), pa.int64())
        days = pc.add(pc.divide(pc.add(pc.cast(micros, pa.float64()), 50.0), 86_400_000_000.0), float(EPOCH_TO_UNIX))
        text = pc.cast(days, pa.string())
        cells = pc.binary_join_element_wise(f'<c r="{letter}', numbers, f'" s="{date_style}"><v>', text, "</v></c>",
                                            "")
        return pc.fill_null(cells, "")
    if kind in ("int", "num"):
        text = pc.cast(values, pa.string())
        cells = pc.binary_join_element_wise(f'<c r="{letter}', numbers, '"><v>', text, "</v></c>", "")
    else:
        text = pc.cast(values, pa.string())
        text = pc.replace_substring_regex(text, _ILLEGAL_XML, "")
        for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            text = pc.replace_substring(text, raw, escaped)
        cells = pc.binary_join_element_wise(f'<c r="{letter}', numbers, '" t="inlineStr"><is><t xml:space="preserve">',
                                            text, "</t></is></c>", "")
    return pc.fill_null(cells, "")
