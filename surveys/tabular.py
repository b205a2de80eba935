"""Reading an uploaded CSV or XLSX file into a header and rows of text, refusing what is not one."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import BinaryIO

HEAD_BYTES = 64 * 1024


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

