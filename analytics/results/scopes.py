"""Result-set scopes: which rows a stored result covers (wave, mode, district, industry, size, any variable)."""
from __future__ import annotations

import pandas as pd

from analytics.reports import default_group, filter_columns

META_FILTERS = ("wave", "mode")


def scope_key(filters: dict, group: str = "") -> str:
    """Canonical key of a scope: 'all', 'wave=w1', 'A_DISTRICT=D1,D2;wave=w1;group=A_INDUSTRY'."""
    parts = [f"{name}={','.join(sorted(str(v) for v in values))}" for name, values in sorted(filters.items()) if values]
    if group:
        parts.append(f"group={group}")
    return ";".join(parts) or "all"


def scope_filters(code: str, raw: dict) -> dict[str, list[str]]:
    """Analyst filter names (district, industry, size, mode, wave) or column names -> {column: [values]}."""
    named = filter_columns(code)
    out: dict[str, list[str]] = {}
    for name, values in raw.items():
        values = [str(v) for v in (values if isinstance(values, (list, tuple)) else [values]) if str(v) != ""]
        if values:
            column = name if name in META_FILTERS else named.get(name, name)
            out[column] = sorted(set(out.get(column, []) + values))
    return out


def scope_resolve(code: str, raw_filters: dict, group: str = "") -> tuple[dict, str, str]:
    """(filters by column, grouping ('' = the instrument's default), canonical key)."""
    filters = scope_filters(code, raw_filters)
    group = "" if group == default_group(code) else group
    return filters, group, scope_key(filters, group)


def scope_mask(frame: pd.DataFrame, filters: dict, wave_ids: dict[str, int]) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, values in filters.items():
        if column == "wave":
            mask &= frame["wave_id"].isin([wave_ids.get(v, -1) for v in values])
        elif column not in frame.columns:
            raise ValueError(f"unknown filter column {column!r}")
        elif pd.api.types.is_numeric_dtype(frame[column].dtype):
            mask &= frame[column].isin([float(v) for v in values]).fillna(False)
        else:
            mask &= frame[column].astype("string").isin(values).fillna(False)
    return mask.astype(bool)
