"""Runs a declared report over a read-model frame: bases, columns, labels, then the pure engine."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pandas as pd

from analytics.reports.spec import WHOLE, Block, Condition, Grouping, Report
from analytics.stats import computations as comp
from analytics.stats.computations import Column
from analytics.stats.design import Design
from surveys.questionnaire.texts import pick

MAX_OBSERVED_LEVELS = 15
# Float arrays a Data keeps at once, by their bytes: each comes with its missing-value masks and
# category positions (about 20 bytes a row in all). 256 MB of floats: every variable of instrument B
# at 100,000 responses, 110 at 300,000 (reports share variables: fewer conversions), 32 at a million
# (where holding 64 took a gigabyte more at the peak).
MAX_HELD_BYTES = 256 << 20
MAX_HELD_ARRAYS = 4096  # and at most this many (tests set it low)


class Unavailable(Exception):
    """A variable the report needs is not in this questionnaire's read model."""


class Data:
    """One frame (already filtered to the result set's scope) with memoised arrays and masks."""

    def __init__(self, frame: pd.DataFrame, meta: dict | None = None, weights: np.ndarray | Design | None = None,
                 list_labels: dict | None = None):
        self.frame, self.meta, self.weights = frame, meta or {}, weights
        self.list_labels = list_labels or {}  # codes of ';'-joined lists (countries), which have no value labels
        self._arrays: OrderedDict[str, np.ndarray] = OrderedDict()  # least recently used first
        self._masks: dict[str, np.ndarray] = {}
        self.all = np.ones(len(frame), dtype=bool)

    def has(self, name: str) -> bool:
        return name in self.frame.columns

    def array(self, name: str) -> np.ndarray:
        """The column as float (NaN for empty) or object values, kept while recently used: the items
        report touches every variable once, and holding them all (with their missing-value masks)
        would take gigabytes at a million responses; converting again costs milliseconds."""
        if name in self._arrays:
            self._arrays.move_to_end(name)
            return self._arrays[name]
        if not self.has(name):
            raise Unavailable(name)
        textish = self.frame[name].dtype == object or pd.api.types.is_string_dtype(self.frame[name].dtype)
        values = comp.textual(self.frame, name) if textish else comp.numeric(self.frame, name)
        source = self.frame[name].dtype
        if isinstance(source, np.dtype) and source.kind in "iu":
            comp.integer_source(values, self.frame[name].to_numpy())
        self._arrays[name] = values
        if len(self._arrays) > min(MAX_HELD_ARRAYS, max(4, MAX_HELD_BYTES // max(8 * len(values), 1))):
            self._arrays.popitem(last=False)
        return values

    def mask(self, conditions) -> np.ndarray:
        out = self.all
        for text in conditions:
            if text not in self._masks:
                self._masks[text] = self._condition(Condition.parse(text))
            out = out & self._masks[text]
        return out

    def _condition(self, c: Condition) -> np.ndarray:
        values = self.array(c.column)
        if c.op == "notna":
            return comp.split_missing(values)[0]
        if c.op == "in":
            wanted = [float(v) for v in c.value] if values.dtype != object else [str(v) for v in c.value]
            return np.isin(values, wanted)
        value = float(c.value) if values.dtype != object and not isinstance(c.value, str) else c.value
        with np.errstate(invalid="ignore"):
            result = {"==": values == value, "!=": values != value, ">": values > value, ">=": values >= value,
                      "<": values < value, "<=": values <= value}[c.op]
        return np.asarray(result, dtype=bool)

    # ---------------------------------------------------------------- labels from the codebook
    def value_labels(self, name: str) -> dict:
        variable = self.meta.get(name)
        if variable is None or not variable.value_labels:
            return dict(self.list_labels.get(name, {}))
        return {_code(k): _en(v) for k, v in variable.value_labels.items()}

    def label(self, name: str) -> str:
        variable = self.meta.get(name)
        if variable is None:
            return name
        text = _en(variable.label)
        return text.rsplit(" | ", 1)[-1] if variable.role in ("choice", "row", "part") else text

    def item_variables(self, item: str) -> list[str]:
        names = [v.name for v in self.meta.values() if v.item == item and v.role in ("choice", "row", "part")]
        if not self.meta:  # a bare frame (tests, notebooks): the columns named after the item
            prefix = item.replace(".", "_") + "_"
            names = [c for c in self.frame.columns if c.startswith(prefix) and not c.endswith("_other")]
        return [n for n in names if self.has(n)]


def report_columns(report: Report, meta: dict) -> set[str]:
    """Every read-model column a report reads: its blocks' variables (an item's choice, row and part
    variables through `meta`), denominators, base conditions and groupings."""
    out: set[str] = set()

    def grouping_columns(grouping: Grouping | None) -> None:
        if grouping is None:
            return
        if grouping.column:
            out.add(grouping.column)
        out.update(Condition.parse(condition).column for _, _, condition in grouping.series if condition)

    out.update(Condition.parse(text).column for text in report.base)
    grouping_columns(report.grouping)
    for block in report.blocks:
        out.update(block.variables)
        if block.item:
            out.update(v.name for v in meta.values() if v.item == block.item and v.role in ("choice", "row", "part"))
        if block.denominator:
            out.add(block.denominator)
        out.update(Condition.parse(text).column for text in block.base)
        grouping_columns(block.grouping)
    return out


def _code(key):
    text = str(key)
    return int(text) if text.lstrip("-").isdigit() else text


def _en(texts) -> str:
    return pick(texts, "en") if isinstance(texts, dict) else str(texts or "")


# ------------------------------------------------------------------ columns
def columns_for(data: Data, grouping: Grouping, base: np.ndarray) -> list[Column]:
    out: list[Column] = []
    if grouping.column:
        values = data.array(grouping.column)
        levels = list(grouping.levels) or _levels(data, grouping.column, values, base)
        labels = list(grouping.labels) or [data.value_labels(grouping.column).get(_code(v), str(v)) for v in levels]
        for level, label in zip(levels, labels, strict=True):
            target = float(level) if values.dtype != object and not isinstance(level, str) else str(level)
            out.append(Column(str(level), label, base & (values == target), tested=True))
    for key, label, condition in grouping.series:
        out.append(Column(key, label, base & data.mask((condition,) if condition else ())))
    if grouping.whole or not out:
        out.append(Column("all", grouping.whole_label, base))
    return out


def _levels(data: Data, name: str, values: np.ndarray, base: np.ndarray) -> list:
    labelled = list(data.value_labels(name))
    if labelled:
        return labelled
    valid = comp.split_missing(values)[0] & base
    observed = sorted(set(values[valid].tolist()), key=lambda v: (isinstance(v, str), v))
    return [comp.json_code(v) for v in observed[:MAX_OBSERVED_LEVELS]]


# ------------------------------------------------------------------ blocks
def _rows(data: Data, block: Block) -> list[tuple]:
    """(code, label, values) per variable; variables the questionnaire lacks are left out (all: unavailable)."""
    names = [n for n in (list(block.variables) or data.item_variables(block.item)) if data.has(n)]
    if not names:
        raise Unavailable(", ".join(block.variables) or block.item or "(no variables)")
    return [(name, block.labels.get(name) or data.label(name), data.array(name)) for name in names]


def _categorical(data: Data, block: Block, columns, weights) -> dict:
    name = block.variables[0]
    labels = {**data.value_labels(name), **block.labels}
    categories = [] if block.observed else list(block.order) or list(data.value_labels(name))
    return comp.categorical(data.array(name), columns, categories, labels, rest_label=block.rest_label,
                            at_least=block.at_least, test=block.test, weights=weights)


def _rates(data: Data, block: Block, columns, weights) -> dict:
    return comp.rates(_rows(data, block), columns, test=block.test, weights=weights)


def _means(data: Data, block: Block, columns, weights) -> dict:
    return comp.means(_rows(data, block), columns, test=_means_policy(block.test), scale=block.scale, weights=weights,
                      magnitude=block.magnitude)


def _likert(data: Data, block: Block, columns, weights) -> dict:
    return comp.likert(_rows(data, block), columns, scale=block.likert_scale, top=block.top, weights=weights)


def _selections(data: Data, block: Block, columns, weights) -> dict:
    name = block.variables[0]
    return comp.selections(data.array(name), columns, data.value_labels(name))


def _ratio(data: Data, block: Block, columns, weights) -> dict:
    return comp.ratio_of_totals(_rows(data, block), data.array(block.denominator), columns)


BLOCK_COMPUTATIONS = {"categorical": _categorical, "rates": _rates, "means": _means, "likert": _likert,
                      "selections": _selections, "ratio": _ratio}


def compute_block(data: Data, block: Block, grouping: Grouping, base: np.ndarray) -> dict:
    mask = base & data.mask(block.base)
    grouping = block.grouping or grouping
    columns = columns_for(data, grouping, mask)
    kind = block.kind
    if kind not in BLOCK_COMPUTATIONS:
        raise ValueError(f"unknown block kind {kind!r}")
    result = BLOCK_COMPUTATIONS[kind](data, block, columns, data.weights)
    structural = {str(row) for row, _ in block.structural}
    for row in result.get("rows", []):
        if str(row.get("code")) in structural:
            row["test"] = None  # a group that cannot have the value by definition is not tested on it
    return {"id": block.id, "title": block.title, "kind": kind, "variables": list(block.variables),
            "item": block.item, "base_label": block.base_label, "base": list(block.base),
            "n": int(np.count_nonzero(mask)), "statistic": block.statistic or _default_statistic(kind),
            "decimals": block.decimals, "chart": block.chart, "structural": [list(s) for s in block.structural],
            "grouped": bool(grouping.column), "note": block.note, **result}


def _means_policy(test: str) -> str:
    return "welch" if test in ("auto", "chi2", "fisher") else test


def _default_statistic(kind: str) -> str:
    return {"categorical": "count_pct", "rates": "count_pct", "means": "mean", "likert": "dist",
            "selections": "count_pct", "ratio": "mean"}[kind]


def compute_report(report: Report, data: Data) -> dict:
    base = data.mask(report.base)
    blocks = []
    for block in report.blocks:
        try:
            blocks.append(compute_block(data, block, report.grouping or WHOLE, base))
        except Unavailable as missing:
            blocks.append({"id": block.id, "title": block.title, "kind": block.kind,
                           "unavailable": f"{missing} is not a variable of this questionnaire"})
    return {**report.describe(), "n": int(np.count_nonzero(base)), "blocks": blocks}
