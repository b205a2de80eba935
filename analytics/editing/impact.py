"""What an edit changes in the published estimates: before and after, for every variable it moved.

An edit moves the edited variable and whatever is derived from it (A1.5 moves A_SIZE_EMP and
A_LT50 too). For each moved variable the whole-sample estimate the tables publish is recomputed
with the response's row as it was and as it is: the weighted mean of a scale variable, the
weighted percentage of the old and the new category of a coded one. The approximation: the
whole sample only (the cells of each grouping move the same way, by the same response), in
exchange for one read of the moved columns instead of a recompute of every report.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.editing.scores import estimation_frame
from surveys.answering.readmodel import META_COLUMNS, questionnaire_variables, readmodel_frame
from surveys.models import Response

META = {name for name, _ in META_COLUMNS}
MISSING_CODES = (-7, -8, -9)


def response_row(response: Response) -> dict:
    """The response's read-model row as results read it (edited values where it has any)."""
    frame = readmodel_frame(response.version.questionnaire, where="response_id = %s", params=[response.pk],
                            values="edited")
    return {} if frame.empty else {k: _plain(v) for k, v in frame.iloc[0].to_dict().items() if k not in META}


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def edit_impact(*, response: Response, before: dict) -> dict:
    """{variable: {"statistic", "before", "after"}} for each variable the edit moved."""
    after = response_row(response)
    moved = [name for name in after if before.get(name) != after.get(name)]
    if not moved:
        return {}
    questionnaire = response.version.questionnaire
    variables = {v.name: v for v in questionnaire_variables(questionnaire)}
    frame, weights = estimation_frame(questionnaire, moved)
    row = np.flatnonzero(frame["response_id"].to_numpy(dtype="int64") == response.pk)
    out = {}
    for name in moved:
        variable = variables.get(name)
        if variable is None or variable.free_text:
            continue
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan) \
            if variable.type != "str" else frame[name].astype(object).where(frame[name].notna(), None).to_numpy()
        old_values = values.copy()
        if len(row):
            old_values[row[0]] = np.nan if before.get(name) is None else before.get(name)
        out.update(_estimates(name, variable, values, old_values, weights, before.get(name), after.get(name)))
    return out


def _estimates(name, variable, values, old_values, weights, old, new) -> dict:
    if variable.type == "num" and not variable.value_labels:
        return {name: {"statistic": "mean", "before": _mean(old_values, weights), "after": _mean(values, weights)}}
    out = {}
    for code in dict.fromkeys(c for c in (old, new) if c is not None and c not in MISSING_CODES):
        out[f"{name}={code}"] = {"statistic": "%", "before": _share(old_values, weights, code),
                                 "after": _share(values, weights, code)}
    return out


def _valid(values: np.ndarray) -> np.ndarray:
    return np.array([v is not None and not (isinstance(v, float) and math.isnan(v)) and v not in MISSING_CODES
                     for v in values], dtype=bool)


def _mean(values: np.ndarray, weights: np.ndarray) -> float | None:
    valid = _valid(values)
    if not valid.any():
        return None
    return round(float(np.sum(weights[valid] * values[valid].astype(float)) / np.sum(weights[valid])), 4)


def _share(values: np.ndarray, weights: np.ndarray, code) -> float | None:
    valid = _valid(values)
    if not valid.any():
        return None
    hits = np.array([_same(v, code) for v in values], dtype=bool) & valid
    return round(float(100 * np.sum(weights[hits]) / np.sum(weights[valid])), 4)


def _same(value, code) -> bool:
    try:
        return float(value) == float(code)
    except (TypeError, ValueError):
        return str(value) == str(code)
