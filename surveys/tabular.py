"""Reading an uploaded CSV or XLSX file into a header and rows of text, refusing what is not one."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path
from typing import BinaryIO

HEAD_BYTES = 64 * 1024
# A workbook is refused before any reader parses it when it declares more than this (a 1.5 KB
# XLSX can claim A1:XFD1048576 or a gigabyte of XML; readers size their grids from such claims).
XLSX_MAX_UNCOMPRESSED = int(os.environ.get("XLSX_MAX_UNCOMPRESSED_BYTES", 1024 * 1024 * 1024))
XLSX_MAX_CELLS = int(os.environ.get("XLSX_MAX_CELLS", 20_000_000))
XLSX_MAX_RATIO = 200  # uncompressed / compressed of one member; real sheets stay well below 100


class ImportFileError(ValueError):
    """The file cannot be read as a table of this questionnaire at all."""



def read_table(stream: BinaryIO, filename: str = "") -> tuple[list[str], list[list[str]]]:
    """Header and rows (all cells as text) of a CSV or XLSX file; ImportFileError when unreadable."""
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head:
        raise ImportFileError("the file is empty")
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(stream)
    if b"\x00" in head:
        raise ImportFileError("this is a binary file, not a CSV or XLSX export")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut by the 64 KB boundary
            raise ImportFileError("the file is not UTF-8 text (save it as CSV UTF-8 or XLSX)") from None
    return _read_csv(stream, head)


def _read_csv(stream: BinaryIO, head: bytes) -> tuple[list[str], list[list[str]]]:
    first_line = head.split(b"\n", 1)[0].decode("utf-8", errors="ignore")
    delimiter = max([",", ";", "\t"], key=first_line.count)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise ImportFileError("the file has no header row")
        return [h.strip() for h in header], list(reader)
    except csv.Error as exc:
        raise ImportFileError(f"malformed CSV near row {reader.line_num}: {exc} (truncated or not a CSV file?)")
    except UnicodeDecodeError:
        raise ImportFileError(f"the file is not UTF-8 text after row {reader.line_num}")
    finally:
        text.detach()


def _read_xlsx(stream: BinaryIO) -> tuple[list[str], list[list[str]]]:
    from openpyxl import load_workbook

    xlsx_check_bounds(stream)
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
        sheet = book["data"] if "data" in book.sheetnames else book.worksheets[0]
        rows = [[xlsx_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise ImportFileError(f"the XLSX file is damaged or truncated ({exc.__class__.__name__})")
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError("the workbook has no rows")
    header = rows[0]
    while header and not header[-1]:
        header.pop()
    return [h.strip() for h in header], [r[:len(header)] + [""] * (len(header) - len(r)) for r in rows[1:]]


def xlsx_text(value) -> str:
    """A cell as the CSV export would have written it (a date typed in Excel becomes YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == dt.time() else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)



_CELL_REF = re.compile(rb'<(?:\w+:)?(?:c|row|dimension)\b[^>]*?\b(?:r|ref)="([A-Z]*)(\d+)(?::([A-Z]*)(\d+))?"')


def xlsx_check_bounds(source: BinaryIO | Path | str) -> None:
    """Refuse, before parsing, a workbook whose declared size is out of bounds: the sizes in the
    zip central directory (total and per-member ratio), then the extent of every sheet, taken from
    its <dimension> and from the row and cell references in the XML, streamed in chunks."""
    try:
        with zipfile.ZipFile(source) as book:
            members = book.infolist()
            total = sum(m.file_size for m in members)
            if total > XLSX_MAX_UNCOMPRESSED:
                raise ImportFileError(f"the workbook unpacks to {total // 2**20} MB, more than the "
                                      f"{XLSX_MAX_UNCOMPRESSED // 2**20} MB accepted; split it or save it as CSV")
            for member in members:
                ratio = member.file_size // max(member.compress_size, 1)
                if member.file_size > 1024 * 1024 and ratio > XLSX_MAX_RATIO:
                    raise ImportFileError(f"the workbook member {member.filename!r} is compressed {ratio} to 1, "
                                          "which no spreadsheet is: refused as a zip bomb")
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                    _sheet_check_extent(book, member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ImportFileError(f"the XLSX file is damaged or truncated ({exc.__class__.__name__})") from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def _sheet_check_extent(book: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    rows = cols = 0
    tail = b""
    with book.open(member) as xml:
        while chunk := xml.read(1024 * 1024):
            data = tail + chunk
            for match in _CELL_REF.finditer(data):
                col_a, row_a, col_b, row_b = match.groups()
                rows = max(rows, int(row_a), int(row_b or 0))
                cols = max(cols, _column_number(col_a), _column_number(col_b or b""))
            if rows * max(cols, 1) > XLSX_MAX_CELLS:
                name = member.filename.rsplit("/", 1)[-1]
                raise ImportFileError(f"the sheet {name} declares {rows:,} rows x {max(cols, 1):,} columns, more "
                                      f"than the {XLSX_MAX_CELLS:,} cells accepted; delete the empty rows and "
                                      "columns or save it as CSV")
            tail = data[-512:]


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number
