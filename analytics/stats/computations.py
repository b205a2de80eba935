"""The aggregate engine: frequencies, rates, means and Likert distributions by group.

Pure functions, no ORM: numpy arrays in (one per variable, NaN or None = no answer, -7/-8/-9 =
not applicable / don't know / refused), JSON-safe dicts out. Percentages are of valid answers;
the missing codes are counted apart per column. Each column is a boolean mask over the rows of
the block's base, so a column can be a group level, the whole sample, or an overlapping series
("all firms" next to "firms with plants abroad").
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.stats.design import Design, means_wald, rao_scott
from analytics.stats.design import mean as design_mean
from analytics.stats.design import share as design_share
from analytics.stats.disclosure import magnitude_status
from analytics.stats.significance import categorical_test, means_test

MISSING_CODES = {-7: "not_applicable", -8: "dont_know", -9: "refused"}


@dataclass
class Column:
    key: str
    label: str
    mask: np.ndarray
    tested: bool = False  # a level of the grouping variable, part of the between-group test


# ------------------------------------------------------------------ small helpers
def numeric(frame: pd.DataFrame, name: str) -> np.ndarray:
    column = frame[name]
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iuf":  # no empty cell but NaN: no check
        return column.to_numpy().astype(float)
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def textual(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].astype("string").to_numpy(dtype=object, na_value=None)


# Results derived from one variable's array, reused while the array lives (a variable appears in
# several reports of a run): id(array) -> (weak reference, {what: result}).
_MEMO: dict[int, tuple] = {}


def _memo(values: np.ndarray, what, compute):
    key = id(values)
    hit = _MEMO.get(key)
    if hit is None or hit[0]() is not values:
        hit = _MEMO[key] = (weakref.ref(values, lambda _, k=key: _MEMO.pop(k, None)), {})
    if what not in hit[1]:
        hit[1][what] = compute()
    return hit[1][what]


def _peek(values: np.ndarray, what):
    hit = _MEMO.get(id(values))
    return hit[1].get(what) if hit is not None and hit[0]() is values else None


def integer_source(values: np.ndarray, source: np.ndarray) -> None:
    """Register the whole-number column without empty cells that `values` (floats) were converted
    from: missing-code masks and category positions are then found on it, one byte a value for
    most codes instead of eight (same results: such a column has no NaN)."""
    _memo(values, "source", lambda: source)


def split_missing(values: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(valid mask, {kind: mask}) for numeric or text values. The masks are shared: never modify them."""
    return _memo(values, "split", lambda: _split_missing(values))


def _split_missing(values: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    if values.dtype == object:
        absent = pd.isna(values)
        return ~absent, {"no_answer": absent}
    source = _peek(values, "source")
    if source is not None:
        values = source
        absent = np.zeros(len(values), dtype=bool)
    else:
        absent = np.isnan(values)
    kinds = {"no_answer": absent}
    if not np.any(values <= max(MISSING_CODES)):  # NaN compares False
        # most variables have no missing code at all: one comparison instead of three, same masks
        nothing = np.zeros(len(values), dtype=bool)
        kinds.update({kind: nothing for kind in MISSING_CODES.values()})
        return ~absent, kinds
    invalid = absent.copy()
    for code, kind in MISSING_CODES.items():
        kinds[kind] = values == code
        invalid |= kinds[kind]
    return ~invalid, kinds


def _missing(kinds: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, int]:
    out = {}
    for kind, hit in kinds.items():
        if not _memo(hit, "any", lambda hit=hit: bool(hit.any())):  # most kinds never occur in a variable
            continue
        count = int(np.count_nonzero(hit & mask))
        if count:
            out[kind] = count
    return out


def json_code(value):
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _pct(part, whole):
    return round(100.0 * float(part) / float(whole), 4) if whole else None


def _round(value, digits: int = 6):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else round(float(value), digits)


def _columns_json(columns: list[Column], base_counts: list[int], valid_counts: list[int], missing: list[dict]):
    return [{"key": c.key, "label": c.label, "n_base": b, "n_valid": v, "missing": m}
            for c, b, v, m in zip(columns, base_counts, valid_counts, missing, strict=True)]


def _tested(columns: list[Column]) -> list[int]:
    return [j for j, c in enumerate(columns) if c.tested]


# ------------------------------------------------------------------ categorical variables
def _index_of(values: np.ndarray, categories: list) -> np.ndarray:
    """Position of each value in `categories`, -1 when absent (shared: never modify the result)."""
    return _memo(values, ("index", tuple(categories)), lambda: _positions(values, categories))


FEW_CATEGORIES = 16


def _positions(values: np.ndarray, categories: list) -> np.ndarray:
    if not categories:
        return np.full(len(values), -1)
    if values.dtype == object:
        return pd.Index(categories).get_indexer(values)
    cats = np.asarray(categories, dtype=float)
    source = _peek(values, "source")
    if source is not None and source.dtype == np.int8 and len(np.unique(cats)) == len(cats):
        # one-byte codes: one lookup per value in a table of the 256 codes
        table = np.full(256, -1, dtype=np.intp)
        for at, code in enumerate(cats):
            if code.is_integer() and -128 <= code <= 127:
                table[int(code) % 256] = at
        return table[source.view(np.uint8)]
    if len(cats) <= FEW_CATEGORIES and len(np.unique(cats)) == len(cats):
        # a few distinct codes: one comparison pass each beats a binary search per value (5x at 300,000)
        position = np.full(len(values), -1, dtype=np.intp)
        for at, code in enumerate(cats):
            position[values == code] = at
        return position
    order = np.argsort(cats)
    ordered = cats[order]
    position = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return np.where(ordered[position] == values, order[position], -1)


def categorical(values: np.ndarray, columns: list[Column], categories: list, labels: dict, *,
                rest_label: str = "", at_least: tuple = (), test: str = "auto",
                weights: np.ndarray | None = None) -> dict:
    """Counts and column % of valid answers per category; `rest_label` folds unlisted codes into one row."""
    valid, kinds = split_missing(values)
    numeric_values = values.dtype != object
    cats = [float(c) for c in categories] if numeric_values else [str(c) for c in categories]
    index = _index_of(values, cats)
    unlisted = valid & (index < 0)
    if rest_label:
        index = np.where(unlisted, len(cats), index)
        row_codes = [json_code(c) for c in cats] + ["_rest"]
        row_labels = [labels.get(json_code(c), str(json_code(c))) for c in cats] + [rest_label]
    else:
        if np.any(unlisted):  # valid codes the labels do not list (an unexpected year, a new code)
            cats = cats + sorted(set(values[unlisted].tolist()), key=None if numeric_values else str)
            index = _index_of(values, cats)
        row_codes = [json_code(c) for c in cats]
        row_labels = [labels.get(json_code(c), str(json_code(c))) for c in cats]
    k = len(row_codes)
    counts = np.zeros((k, len(columns)), dtype=np.int64)
    bases, valids, missing = [], [], []
    for j, column in enumerate(columns):
        selected = column.mask & valid
        counts[:, j] = np.bincount(index[selected], minlength=k)[:k]
        bases.append(int(np.count_nonzero(column.mask)))
        valids.append(int(np.count_nonzero(selected)))
        missing.append(_missing(kinds, column.mask))
    rows = [{"code": code, "label": label, "counts": counts[i].tolist(),
             "pcts": [_pct(counts[i, j], valids[j]) for j in range(len(columns))]}
            for i, (code, label) in enumerate(zip(row_codes, row_labels, strict=True))]
    block = {"columns": _columns_json(columns, bases, valids, missing), "rows": rows}
    if at_least and numeric_values:
        block["at_least"] = [{"threshold": json_code(t),
                              "counts": [int(np.count_nonzero(c.mask & valid & (values >= t))) for c in columns]}
                             for t in at_least]
        for entry in block["at_least"]:
            entry["pcts"] = [_pct(n, v) for n, v in zip(entry["counts"], valids, strict=True)]
    tested = _tested(columns)
    block["test"] = categorical_test(counts[:, tested], test) if len(tested) >= 2 else None
    if weights is not None:
        block["weighted"] = _weighted_categorical(index, k, valid, columns, weights, tested)
    return block


def as_design(weights) -> Design:
    """A Design as given, or weights alone as a one-stratum design (with-replacement variance)."""
    return weights if isinstance(weights, Design) else _memo(weights, "design", lambda: Design.simple(weights))


ESTIMATE_KEYS = (("pcts", "est"), ("low", "low"), ("high", "high"), ("se", "se"), ("cv", "cv"), ("deff", "deff"))


def _append_estimate(target: dict, est: dict, digits: int = 4) -> None:
    for key, source in ESTIMATE_KEYS:
        target.setdefault(key, []).append(_round(est[source], digits))
    target.setdefault("flags", []).append(est["flag"])


def _group_codes(columns: list[Column], tested: list[int], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's tested column (-1 outside), and the union of the tested columns."""
    codes = np.full(n, -1, dtype=np.int64)
    for position, j in enumerate(tested):
        codes[columns[j].mask] = position
    return codes, codes >= 0


def _design_columns(design: Design, columns: list[Column], valid: np.ndarray) -> list[dict]:
    out = []
    for column in columns:
        domain = column.mask & valid & design.in_design
        w = design.weights[domain]
        out.append({"n": int(np.count_nonzero(domain)), "sum_w": _round(w.sum(), 2),
                    "n_eff": _round(w.sum() ** 2 / (w * w).sum() if len(w) else 0.0, 2)})
    return out


def _weighted_categorical(index, k, valid, columns, weights, tested) -> dict:
    design = as_design(weights)
    rows = [{} for _ in range(k)]
    for column in columns:
        for i in range(k):
            _append_estimate(rows[i], design_share(design, index == i, column.mask & valid))
    test = None
    if len(tested) >= 2:
        groups, union = _group_codes(columns, tested, len(index))
        test = rao_scott(design, np.where(valid, index, -1), groups, union & valid)
    return {"columns": _design_columns(design, columns, valid), "rows": rows, "test": test, "df": design.df}


# ------------------------------------------------------------------ rates: multiple choice, yes/no rows
def rates(rows: list[tuple], columns: list[Column], *, test: str = "auto", weights: np.ndarray | None = None) -> dict:
    """Share of 1s among valid answers, one row per 0/1 variable (rows = [(code, label, values)])."""
    out_rows, first = [], None
    tested = _tested(columns)
    for code, label, values in rows:
        valid, kinds = split_missing(values)
        ones = valid & (values == 1)
        counts = [int(np.count_nonzero(c.mask & ones)) for c in columns]
        bases = [int(np.count_nonzero(c.mask & valid)) for c in columns]
        row = {"code": code, "label": label, "counts": counts, "bases": bases,
               "pcts": [_pct(n, b) for n, b in zip(counts, bases, strict=True)]}
        table = np.array([[counts[j] for j in tested], [bases[j] - counts[j] for j in tested]])
        row["test"] = categorical_test(table, test) if len(tested) >= 2 else None
        if weights is not None:
            row["weighted"] = _weighted_rates(ones, valid, columns, weights, tested)
        out_rows.append(row)
        if first is None:
            first = (valid, kinds)
    valid, kinds = first if first else (np.zeros(0, bool), {})
    cols = _columns_json(columns, [int(np.count_nonzero(c.mask)) for c in columns],
                         [int(np.count_nonzero(c.mask & valid)) for c in columns],
                         [_missing(kinds, c.mask) for c in columns])
    return {"columns": cols, "rows": out_rows}


def _weighted_rates(ones, valid, columns, weights, tested) -> dict:
    design = as_design(weights)
    out: dict = {}
    for column in columns:
        _append_estimate(out, design_share(design, ones, column.mask & valid))
    out["n"] = [c["n"] for c in _design_columns(design, columns, valid)]
    out["test"] = None
    if len(tested) >= 2:
        groups, union = _group_codes(columns, tested, len(ones))
        out["test"] = rao_scott(design, ones.astype(np.int64), groups, union & valid)
    return out


# ------------------------------------------------------------------ means of numeric and 1-5 items
def means(rows: list[tuple], columns: list[Column], *, test: str = "welch", scale: float = 1.0,
          weights: np.ndarray | None = None, magnitude: bool = False) -> dict:
    """Mean, standard deviation and N of valid answers per column (rows = [(code, label, values)]).

    `magnitude`: a magnitude variable (turnover, employees); each cell gets its confidentiality
    status (threshold and dominance rules, secondary suppression against the whole-sample column)."""
    out_rows = []
    tested = _tested(columns)
    for code, label, values in rows:
        valid, kinds = split_missing(values)
        cells, samples = [], []
        for column in columns:
            selected = column.mask & valid
            sample = values[selected] / scale
            samples.append(sample)
            cells.append({"mean": _round(sample.mean()) if len(sample) else None,
                          "sd": _round(sample.std(ddof=1)) if len(sample) > 1 else None,
                          "n": int(len(sample)), "missing": _missing(kinds, column.mask)})
        row = {"code": code, "label": label, "cells": cells,
               "test": means_test([samples[j] for j in tested], test) if len(tested) >= 2 else None}
        if weights is not None:
            row["weighted"] = _weighted_means(values / scale, valid, columns, weights, tested)
        if magnitude:
            margin = next((j for j, c in enumerate(columns) if c.key == "all"), None)
            row["confidentiality"] = magnitude_status(samples, tested, margin)
        out_rows.append(row)
    return {"columns": [{"key": c.key, "label": c.label, "n_base": int(np.count_nonzero(c.mask))} for c in columns],
            "rows": out_rows}


def _weighted_means(values, valid, columns, weights, tested) -> dict:
    design = as_design(weights)
    values = np.where(valid, values, 0.0)
    out: dict = {}
    for column in columns:
        _append_estimate(out, design_mean(design, values, column.mask & valid), digits=6)
    out["means"] = out.pop("pcts")
    out["n"] = [c["n"] for c in _design_columns(design, columns, valid)]
    domains = [columns[j].mask & valid for j in tested]
    out["test"] = means_wald(design, values, domains) if len(tested) >= 2 else None
    return out


# ------------------------------------------------------------------ Likert grids
def likert(rows: list[tuple], columns: list[Column], *, scale: tuple = (1, 2, 3, 4, 5), top: tuple = (4, 5),
           weights: np.ndarray | None = None) -> dict:
    """Distribution over the scale points, mean, and the share in the `top` points, per row and column."""
    out_rows = []
    points = np.array(scale, dtype=float)
    for code, label, values in rows:
        valid, kinds = split_missing(values)
        in_top = np.isin(values, np.array(top, dtype=float))
        cells = []
        for column in columns:
            selected = column.mask & valid
            sample = values[selected]
            counts = [int(np.count_nonzero(sample == p)) for p in points]
            n = int(len(sample))
            top_count = int(np.count_nonzero(in_top & selected))
            cell = {"counts": counts, "pcts": [_pct(c, n) for c in counts], "n": n,
                    "mean": _round(sample.mean()) if n else None, "top_count": top_count,
                    "top_pct": _pct(top_count, n), "missing": _missing(kinds, column.mask)}
            if weights is not None:
                est = design_share(as_design(weights), in_top, selected)
                cell["weighted_top"] = {"pct": _round(est["est"], 4), **{k: _round(est[k], 4) for k in
                                        ("low", "high", "se", "cv", "deff")}, "flag": est["flag"]}
            cells.append(cell)
        out_rows.append({"code": code, "label": label, "cells": cells})
    return {"columns": [{"key": c.key, "label": c.label, "n_base": int(np.count_nonzero(c.mask))} for c in columns],
            "rows": out_rows, "scale": [json_code(p) for p in scale], "top": [json_code(t) for t in top]}


# ------------------------------------------------------------------ lists of codes in one text column
def selections(values: np.ndarray, columns: list[Column], labels: dict, *, limit: int = 30) -> dict:
    """Firms selecting each code of a ';'-separated list (country multi-choice); % of firms with an answer.

    Splits each distinct list once (a few hundred) rather than every row (100,000)."""
    valid = ~pd.isna(values)
    index, uniques = pd.factorize(pd.Series(values[valid], dtype=object))
    codes: dict[str, int] = {}
    pairs = []  # (distinct list, code position)
    for u, text in enumerate(uniques):
        for code in {c for c in str(text).split(";") if c}:
            pairs.append((u, codes.setdefault(code, len(codes))))
    hits = np.zeros((len(uniques), len(codes)), dtype=np.int64)
    for u, c in pairs:
        hits[u, c] = 1
    per_column = np.stack([np.bincount(index[c.mask[valid]], minlength=len(uniques)) @ hits for c in columns],
                          axis=1) if codes else np.zeros((0, len(columns)), dtype=np.int64)
    names = list(codes)
    order = sorted(range(len(names)), key=lambda i: (-int(per_column[i].sum()), names[i]))[:limit]
    bases = [int(np.count_nonzero(c.mask & valid)) for c in columns]
    rows = [{"code": names[i], "label": labels.get(names[i], names[i]), "counts": per_column[i].tolist(),
             "pcts": [_pct(n, b) for n, b in zip(per_column[i].tolist(), bases, strict=True)]} for i in order]
    cols = _columns_json(columns, [int(np.count_nonzero(c.mask)) for c in columns], bases,
                         [{"no_answer": int(np.count_nonzero(c.mask & ~valid))} for c in columns])
    return {"columns": cols, "rows": rows}


# ------------------------------------------------------------------ ratio of totals
def ratio_of_totals(rows: list[tuple], denominator: np.ndarray, columns: list[Column]) -> dict:
    """sum(x * d) / sum(d) per row and column: a share of summed totals (turnover from abroad as a
    share of all firms' turnover) rather than the mean of firm shares (IC-A25)."""
    d_valid = split_missing(denominator)[0]
    out_rows = []
    for code, label, values in rows:
        valid = split_missing(values)[0] & d_valid
        cells = []
        for column in columns:
            selected = column.mask & valid
            total = denominator[selected].sum()
            value = (values[selected] * denominator[selected]).sum() / total if total else None
            cells.append({"mean": _round(value), "sd": None, "n": int(np.count_nonzero(selected))})
        out_rows.append({"code": code, "label": label, "cells": cells, "test": None})
    return {"columns": [{"key": c.key, "label": c.label, "n_base": int(np.count_nonzero(c.mask))} for c in columns],
            "rows": out_rows}
