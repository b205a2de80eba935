"""A stored report as SDMX-CSV (SDMX-CSV 1.0, one observation per line) with status and confidentiality.

Dimensions: TABLE (block id), ROW (category, item or variable code), GROUP (column key: a level of
the grouping variable or `all`), STAT (COUNT, PCT, MEAN, N; weighted PCT_W, MEAN_W). Attributes:
OBS_STATUS from the SDMX cross-domain code list CL_OBS_STATUS (A normal, U low reliability: CV
above 16.6%, Q suppressed: CV above 33.3%) and CONF_STATUS from CL_CONF_STATUS (F free,
A primary confidential for a small count, C primary confidential by the threshold or dominance rule,
D secondary confidential, also the count the small-cell rule hides beside a lone small one);
weighted observations also carry SE, CI_LOWER, CI_UPPER and CV.
When the table is published (`suppress_below` > 0) the value of every confidential observation
is left empty, as the dashboard hides it.
"""
from __future__ import annotations

import csv
import io

from analytics.results.presentation import Formatter, hidden_cells
from analytics.stats.design import FLAG_CAUTION, FLAG_SUPPRESSED
from analytics.stats.disclosure import SECONDARY

HEADER = ["DATAFLOW", "TABLE", "ROW", "GROUP", "STAT", "OBS_VALUE", "OBS_STATUS", "CONF_STATUS", "UNIT_MEASURE",
          "SE", "CI_LOWER", "CI_UPPER", "CV"]
OBS_STATUS = {"": "A", FLAG_CAUTION: "U", FLAG_SUPPRESSED: "Q"}


def dataflow_id(survey: str, report: str) -> str:
    """agency:id(version); SDMX ids are letters, digits and underscores."""
    clean = "".join(ch if ch.isalnum() else "_" for ch in f"{survey}_{report}").upper()
    return f"BSP:{clean}(1.0)"


def report_sdmx_rows(payload: dict, *, dataflow: str, suppress_below: int = 0) -> list[dict]:
    rows: list[dict] = []
    for block in payload.get("blocks", []):
        if block.get("unavailable"):
            continue
        emit = _Emitter(rows, dataflow, block["id"], suppress_below)
        keys = [c["key"] for c in block.get("columns", [])]
        if block["kind"] in ("categorical", "rates", "selections"):
            _shares(emit, block, keys)
        elif block["kind"] in ("means", "ratio"):
            _means(emit, block, keys)
        elif block["kind"] == "likert":
            _likert(emit, block, keys)
    return rows


class _Emitter:
    def __init__(self, rows: list, dataflow: str, table: str, k: int):
        self.rows, self.dataflow, self.table, self.k = rows, dataflow, table, k

    def __call__(self, row, group, stat, value, *, unit="", conf="F", status="A", precision: dict | None = None):
        hidden = self.k and conf != "F"
        if status == "Q":
            value = None
        precision = {} if hidden or status == "Q" else (precision or {})
        self.rows.append({"DATAFLOW": self.dataflow, "TABLE": self.table, "ROW": str(row), "GROUP": str(group),
                          "STAT": stat, "OBS_VALUE": "" if hidden or value is None else _num(value),
                          "OBS_STATUS": status, "CONF_STATUS": conf, "UNIT_MEASURE": unit,
                          **{key: _num(precision.get(key)) for key in ("SE", "CI_LOWER", "CI_UPPER", "CV")}})

    def small(self, n) -> str:
        return "A" if self.k and n is not None and 0 < n < self.k else "F"


def _shares(emit: _Emitter, block: dict, keys: list[str]) -> None:
    weighted_rows = (block.get("weighted") or {}).get("rows")
    # the dashboard's rule: a column hiding one small count hides its next smallest too (D here)
    hidden = hidden_cells(block, Formatter({}, block, emit.k)) if block["kind"] == "categorical" else set()
    for i, row in enumerate(block["rows"]):
        for j, key in enumerate(keys):
            conf = emit.small(row["counts"][j])
            conf = "D" if conf == "F" and (i, j) in hidden else conf
            emit(row["code"], key, "COUNT", row["counts"][j], unit="FIRMS", conf=conf)
            emit(row["code"], key, "PCT", row["pcts"][j], unit="PC", conf=conf)
        weighted = row.get("weighted") or (weighted_rows[i] if weighted_rows else None)
        if weighted:
            for j, key in enumerate(keys):
                _weighted(emit, row["code"], key, "PCT_W", weighted, "pcts", j, "PC", emit.small(row["counts"][j]))


def _means(emit: _Emitter, block: dict, keys: list[str]) -> None:
    for row in block["rows"]:
        statuses = row.get("confidentiality") or [""] * len(keys)
        for j, key in enumerate(keys):
            cell = row["cells"][j]
            conf = _conf(statuses[j]) if statuses[j] else emit.small(cell["n"])
            emit(row["code"], key, "MEAN", cell["mean"], conf=conf)
            emit(row["code"], key, "N", cell["n"], unit="FIRMS")
            if row.get("weighted"):
                _weighted(emit, row["code"], key, "MEAN_W", row["weighted"], "means", j, "", conf)


def _likert(emit: _Emitter, block: dict, keys: list[str]) -> None:
    for row in block["rows"]:
        for j, key in enumerate(keys):
            cell = row["cells"][j]
            conf = emit.small(cell["n"])
            emit(row["code"], key, "MEAN", cell["mean"], conf=conf)
            emit(row["code"], key, "PCT_TOP", cell["top_pct"], unit="PC", conf=emit.small(cell["top_count"]))
            emit(row["code"], key, "N", cell["n"], unit="FIRMS")


def _weighted(emit: _Emitter, row, key, stat: str, weighted: dict, name: str, j: int, unit: str, conf: str) -> None:
    flag = (weighted.get("flags") or [""] * (j + 1))[j]
    precision = {"SE": _at(weighted, "se", j), "CI_LOWER": _at(weighted, "low", j),
                 "CI_UPPER": _at(weighted, "high", j), "CV": _at(weighted, "cv", j)}
    emit(row, key, stat, weighted[name][j], unit=unit, conf=conf, status=OBS_STATUS.get(flag, "A"),
         precision=precision)


def _conf(status: str) -> str:
    return "D" if status == SECONDARY else "C"


def _at(values: dict, key: str, j: int):
    column = values.get(key)
    return column[j] if column and j < len(column) else None


def _num(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e15 else f"{value:.0f}"
    return str(value)


def sdmx_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
