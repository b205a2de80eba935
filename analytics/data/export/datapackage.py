"""Frictionless data package: the CSV export plus `datapackage.json`, zipped into one file.

The descriptor (Data Package / Table Schema, https://datapackage.org) gives each column its type,
its label (`title`), its value labels (`categories`, Table Schema v2) and the missing-value codes
(-7 not applicable, -8 don't know, -9 refused, and the empty cell). `frictionless validate`
accepts the unzipped package (tests/data/test_datapackage.py runs it).
"""
from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone

from analytics.data.export.table import Column, ExportTable

DATA_FILE = "responses.csv"
TYPES = {"int": "integer", "num": "number", "str": "string", "datetime": "datetime"}
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # as the CSV writer prints datetimes
MISSING = ["", "-7", "-8", "-9"]
PROFILE = "https://datapackage.org/profiles/1.0/datapackage.json"


def datapackage_descriptor(table: ExportTable) -> dict:
    code = table.codebook["questionnaire"]
    return {
        "name": _name(code), "title": _title(table.codebook), "profile": "tabular-data-package",
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "resources": [{
            "name": "responses", "path": DATA_FILE, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8",
            "description": "One row per response; missing codes: -7 not applicable, -8 don't know, -9 refused.",
            "schema": {"fields": [_field(c) for c in table.columns], "missingValues": MISSING},
        }],
    }


def _field(column: Column) -> dict:
    field = {"name": column.name, "type": TYPES[column.kind]}
    if column.label:
        field["title"] = column.label
    if column.kind == "datetime":
        field["format"] = DATETIME_FORMAT
    labels = {k: v for k, v in column.value_labels.items() if str(k) not in MISSING}
    if column.coded and labels:
        field["categories"] = [{"value": _value(k, column), "label": str(v)} for k, v in labels.items()]
    field["measure"] = column.measure  # extra property: nominal / ordinal / scale, as in the SPSS export
    return field


def _value(code, column: Column):
    if column.kind in ("int", "num"):
        try:
            return int(code) if float(code).is_integer() else float(code)
        except (TypeError, ValueError):
            return str(code)
    return str(code)


def _name(code: str) -> str:
    """Package names are lower-case letters, digits and -._ only."""
    return "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in code.lower())


def _title(codebook: dict) -> str:
    title = codebook.get("title")
    return (title.get("en") or next(iter(title.values()), "")) if isinstance(title, dict) else (title or "")


def write_datapackage(table: ExportTable, path: Path, progress: Callable[[float], None],
                      write_csv: Callable) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / DATA_FILE
        write_csv(table, data, lambda fraction: progress(0.8 * fraction))
        descriptor = json.dumps(datapackage_descriptor(table), ensure_ascii=False, indent=2)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(data, DATA_FILE)
            archive.writestr("datapackage.json", descriptor)
