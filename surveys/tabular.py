"""The one reader of tabular files staff upload: firm registers and response files, CSV or XLSX.

Both imports meet the same rules: UTF-8 (with or without BOM) or, where the caller allows it,
Windows Latin-1 (Excel's "CSV" on Italian and Spanish machines); UTF-16 and binary files are
refused with a message; the delimiter is sniffed (`,` `;` tab `|`); XLSX is read by calamine
(about 30 times faster than openpyxl), the sheet named `data` if there is one, else the first.
Rows keep their number in the file (the header is row 1) so staff can find a row in the
spreadsheet, and rows with no value at all are left out. Numbers written the Italian, Spanish or
English way are read by `decimal_mark` + `parse_number`.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

ENCODINGS = ("auto", "utf-8", "latin-1")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
XLSX_MAX_RATIO = 200  # uncompressed / compressed size of one member; real sheets stay well below 100


class ImportFileError(ValueError):
    """The file cannot be read as a table at all; the message says why, for the person who uploaded it."""


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list]]  # (row number in the file, cells); CSV cells are text, XLSX cells typed
    encoding: str  # utf-8, utf-8-sig, latin-1 or xlsx
    delimiter: str


def table_read(source: Path | BinaryIO, *, encoding: str = "auto") -> Table:
    """Header and rows of a CSV or XLSX file; ImportFileError when it is not one."""
    raw = source.read_bytes() if isinstance(source, Path) else _stream_bytes(source)
    if not raw:
        raise ImportFileError(_("The file is empty."))
    if raw.startswith(b"PK\x03\x04"):
        return _read_xlsx(raw)
    text, used = _decode(raw, encoding)
    return _read_csv(text, used)


def _stream_bytes(stream: BinaryIO) -> bytes:
    stream.seek(0)
    raw = stream.read()
    stream.seek(0)
    return raw


def _decode(raw: bytes, encoding: str) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise ImportFileError(_("The file is UTF-16 or binary, not a text CSV: save it as CSV UTF-8 or as XLSX."))
    if encoding in ("auto", "utf-8"):
        try:
            return raw.decode("utf-8-sig"), "utf-8" + ("-sig" if raw.startswith(b"\xef\xbb\xbf") else "")
        except UnicodeDecodeError as exc:
            if encoding == "utf-8":
                line = raw[: exc.start].count(b"\n") + 1
                raise ImportFileError(_("line {line}: byte 0x{byte} is not UTF-8 text; the file is probably "
                                        "Latin-1 (Windows): choose that encoding or save it as CSV UTF-8.").format(
                                            line=line, byte=f"{raw[exc.start]:02x}"))
    # Windows Latin-1 first (it has the euro sign), ISO Latin-1 for the bytes cp1252 leaves undefined
    for name in ("cp1252", "latin-1"):
        try:
            return raw.decode(name), "latin-1"
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file cannot be read as Latin-1 text."))  # latin-1 decodes every byte


def _read_csv(text: str, used: str) -> Table:
    if "\x00" in text:  # past the first 4 KB sniffed for binary files; PostgreSQL refuses NUL in text
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFileError(_("line {line}: the file contains a NUL character, which no text cell may hold.").format(
            line=line))
    first_line = text[:20000].split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        if not any(header):
            raise ImportFileError(_("The file is empty or has no header row."))
        # record numbers, not physical lines: a cell with a line break is still one spreadsheet row
        rows = [(n, cells) for n, cells in enumerate(reader, start=2) if "".join(cells).strip()]
    except csv.Error as exc:
        raise ImportFileError(_("malformed CSV near line {line}: {error} (truncated or not a CSV file?)").format(
            line=reader.line_num, error=exc))
    return Table(header, rows, used, delimiter)


def _read_xlsx(raw: bytes) -> Table:
    from python_calamine import CalamineWorkbook

    try:  # before calamine sizes its grid from what the file claims
        xlsx_check_bounds(io.BytesIO(raw))
    except ImportFileError as exc:
        raise ImportFileError(_("The XLSX file is refused: {reason}").format(reason=exc)) from None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        name = "data" if "data" in book.sheet_names else book.sheet_names[0]
        cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own types for a broken or non-XLSX file
        raise ImportFileError(_("The file is not a readable XLSX workbook (damaged or truncated?): {error}").format(
            error=exc))
    header = [xlsx_text(h).strip() for h in (cells[0] if cells else [])]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ImportFileError(_("The first sheet is empty or has no header row."))
    width = len(header)
    rows = [(n, _fit(list(row), width)) for n, row in enumerate(cells[1:], start=2)
            if any(c not in (None, "") for c in row)]
    return Table(header, rows, "xlsx", "")


def _fit(cells: list, width: int) -> list:
    return cells[:width] + [""] * (width - len(cells))


def xlsx_text(value) -> str:
    """A cell as a CSV export would have written it (a date typed in Excel becomes YYYY-MM-DD)."""
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


# ------------------------------------------------------------------ numbers
def decimal_mark(values: list, default: str) -> str:
    """A column's decimal mark, decided by the values where it is unambiguous (1.234,5 / 1,234.5 / 12,50)."""
    votes = {",": 0, ".": 0}
    for value in values:
        s = re.sub(r"[^\d.,]", "", str(value))
        last = max(s.rfind(","), s.rfind("."))
        if last < 0:
            continue
        mark, other = s[last], "." if s[last] == "," else ","
        if other in s[:last] or len(s) - last - 1 != 3 or s.count(mark) == 1 and s.startswith("0"):
            votes[mark] += 1  # 1.234,5 / 12,50 / 0.125: the last mark is the decimal one
        elif s.count(mark) > 1:
            votes[other] += 1  # 1.234.567: the mark groups thousands
    if votes[","] != votes["."]:
        return "," if votes[","] > votes["."] else "."
    return default


_NOT_DIGITS = re.compile(r"[\s\u00a0'€]|EUR", flags=re.IGNORECASE)  # compiled once: a register has a million cells
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


def parse_number(value, mark: str) -> Decimal:
    """A number written with `mark` as decimal mark and the other one (or spaces) grouping thousands."""
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    s = _NOT_DIGITS.sub("", str(value))
    grouping = "." if mark == "," else ","
    s = s.replace(grouping, "").replace(mark, ".")
    if not _PLAIN_NUMBER.fullmatch(s):
        raise ValueError("not a number")
    return Decimal(s)


# ------------------------------------------------------------------ workbook bounds
_CELL_REF = re.compile(rb'<(?:\w+:)?(?:c|row|dimension)\b[^>]*?\b(?:r|ref)="([A-Z]*)(\d+)(?::([A-Z]*)(\d+))?"')


def xlsx_check_bounds(source: BinaryIO | Path | str) -> None:
    """Refuse, before parsing, a workbook whose declared size is out of bounds: the sizes in the
    zip central directory (total and per-member ratio), then the extent of every sheet, taken from
    its <dimension> and from the row and cell references in the XML, streamed in chunks."""
    try:
        with zipfile.ZipFile(source) as book:
            members = book.infolist()
            total = sum(m.file_size for m in members)
            limit = settings.XLSX_MAX_UNCOMPRESSED_BYTES
            if total > limit:
                raise ImportFileError(_("the workbook unpacks to {size} MB, more than the {limit} MB accepted; "
                                        "split it or save it as CSV").format(size=total // 2**20,
                                                                              limit=limit // 2**20))
            for member in members:
                ratio = member.file_size // max(member.compress_size, 1)
                if member.file_size > 1024 * 1024 and ratio > XLSX_MAX_RATIO:
                    raise ImportFileError(_("the workbook member {name} is compressed {ratio} to 1, which no "
                                            "spreadsheet is: refused as a zip bomb").format(
                                                name=repr(member.filename), ratio=ratio))
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                    _sheet_check_extent(book, member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ImportFileError(_("the XLSX file is damaged or truncated ({error})").format(
            error=exc.__class__.__name__)) from None
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
            if rows * max(cols, 1) > settings.XLSX_MAX_CELLS:
                name = member.filename.rsplit("/", 1)[-1]
                raise ImportFileError(_("the sheet {name} declares {rows} rows x {columns} columns, more than the "
                                        "{limit} cells accepted; delete the empty rows and columns or save it as "
                                        "CSV").format(name=name, rows=f"{rows:,}", columns=f"{max(cols, 1):,}",
                                                      limit=f"{settings.XLSX_MAX_CELLS:,}"))
            tail = data[-512:]


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number
