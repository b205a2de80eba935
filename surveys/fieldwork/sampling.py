"""Samples: filter the population, stratify, allocate, select at random, keep N_h for weighting.

`sample_draw` is the one write. The arithmetic (`allocate`, `select`) is pure and works on a
pandas frame built once from the firm table (`population_frame`). Each stratum gets its own
random stream seeded from (seed, stratum key), so the same seed on the same population gives
the same firms, whatever order the database returns them in.

For weighting, `sample_weights(sample)` gives N_h per stratum and `sample_strata(sample)` each
selected firm's stratum; the design weight of a respondent is N_h / m_h (m_h respondents in h).
"""
from __future__ import annotations

import math
import secrets
import zlib
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Q, QuerySet

from surveys.models import Firm, Sample, Selection, Stratum, Wave

FILTER_FIELDS = {"turnover", "employees", "district", "region", "industry_code", "market", "cluster", "country",
                 "language", "identifier"}
NUMERIC_FIELDS = {"turnover", "employees"}
LOOKUPS = {"exact", "iexact", "in", "gt", "gte", "lt", "lte", "startswith", "isnull"}
DERIVED = {"size_class": "employees", "turnover_class": "turnover", "nace2": "industry_code"}
STRATA_FIELDS = sorted(FILTER_FIELDS - {"identifier", "turnover", "employees"} | set(DERIVED))
MISSING = "(missing)"
TAKE_ALL = "TAKE-ALL"


class SampleError(ValueError):
    pass


# ------------------------------------------------------------------ filters
def parse_filters(pairs: list[str]) -> dict:
    """'turnover__gt=1000000', 'district__in=TV_FURN,PN_FURN' -> a filter dict for sample_draw."""
    filters = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SampleError(f"filter {pair!r} must look like field__lookup=value")
        lookup = key.split("__")[-1]
        filters[key.strip()] = value.split(",") if lookup == "in" else value
    return filters


def firms_filtered(filters: dict) -> QuerySet[Firm]:
    """The population after the sample's filters."""
    return Firm.objects.filter(filter_q(filters))


def filter_q(filters: dict) -> Q:
    """Filters as a Q; only known fields and lookups are accepted (the dict may come from a form)."""
    query = Q()
    for key, value in filters.items():
        field, _, lookup = key.partition("__")
        if field == "attributes":
            query &= Q(**{key: value})
            continue
        lookup = lookup or "exact"
        if field not in FILTER_FIELDS or lookup not in LOOKUPS:
            raise SampleError(f"cannot filter on {key!r}: fields {', '.join(sorted(FILTER_FIELDS))}, "
                              f"lookups {', '.join(sorted(LOOKUPS))}")
        query &= Q(**{f"{field}__{lookup}": _filter_value(field, lookup, value)})
    return query


def _filter_value(field: str, lookup: str, value):
    if lookup == "isnull":
        return value in (True, "true", "True", "1", 1)
    if field not in NUMERIC_FIELDS:
        return value
    try:
        return [Decimal(str(v)) for v in value] if lookup == "in" else Decimal(str(value))
    except InvalidOperation:
        raise SampleError(f"{field} filter needs a number, not {value!r}")


# ------------------------------------------------------------------ the frame
def size_class(employees) -> str:
    if employees is None or pd.isna(employees):
        return MISSING
    return "MICRO" if employees < 10 else "SMALL" if employees < 50 else "MEDIUM" if employees < 250 else "LARGE"


def turnover_class(turnover) -> str:
    """EU turnover classes in EUR (upper bounds inclusive), as TURN_EU in the instruments notes."""
    if turnover is None or pd.isna(turnover):
        return MISSING
    million = float(turnover) / 1e6
    return "MICRO" if million <= 2 else "SMALL" if million <= 10 else "MEDIUM" if million <= 50 else "LARGE"


def _nace2(code) -> str:
    digits = "".join(ch for ch in str(code or "") if ch.isdigit())
    return digits[:2] or MISSING


def population_frame(*, filters: dict, strata_fields: list[str], neyman_variable: str = "",
                     take_all: dict | None = None) -> pd.DataFrame:
    """One row per firm of the filtered population: id, stratum key, take-all flag, Neyman value."""
    unknown = [f for f in strata_fields if f not in STRATA_FIELDS and not f.startswith("attributes.")]
    if unknown:
        raise SampleError(f"cannot stratify by {', '.join(unknown)}; use {', '.join(STRATA_FIELDS)} or attributes.X")
    firms = firms_filtered(filters)
    base = {DERIVED.get(f, f) for f in strata_fields if not f.startswith("attributes.")}
    if any(f.startswith("attributes.") for f in strata_fields) or neyman_variable.startswith("attributes."):
        base.add("attributes")
    if neyman_variable and not neyman_variable.startswith("attributes."):
        base.add(neyman_variable)
    columns = ["id", *sorted(base)]
    frame = pd.DataFrame.from_records(list(firms.values_list(*columns)), columns=columns)
    frame["stratum"] = _stratum_keys(frame, strata_fields)
    certain = set(firms.filter(filter_q(take_all)).values_list("id", flat=True)) if take_all else set()
    frame["take_all"] = frame["id"].isin(certain)
    if neyman_variable:
        frame["y"] = pd.to_numeric(_column(frame, neyman_variable), errors="coerce")
    return frame


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name.startswith("attributes."):
        key = name.split(".", 1)[1]
        return frame["attributes"].map(lambda a: (a or {}).get(key))
    if name == "size_class":
        return frame["employees"].map(size_class)
    if name == "turnover_class":
        return frame["turnover"].map(turnover_class)
    if name == "nace2":
        return frame["industry_code"].map(_nace2)
    return frame[name]


def _stratum_keys(frame: pd.DataFrame, strata_fields: list[str]) -> pd.Series:
    if not strata_fields or frame.empty:
        return pd.Series("all", index=frame.index, dtype=object)
    parts = [_column(frame, f).map(lambda v: MISSING if v in (None, "") or v != v else str(v))
             for f in strata_fields]
    return pd.Series(["|".join(values) for values in zip(*parts, strict=True)], index=frame.index, dtype=object)


# ------------------------------------------------------------------ allocation (pure)
def allocate(sizes: dict[str, int], total: int, weights: dict[str, float] | None = None,
             minimum: int = 0) -> dict[str, int]:
    """Split `total` over strata in proportion to `weights` (default N_h), within [min(minimum, N_h), N_h].

    Strata whose share would exceed N_h are taken whole and the rest re-split (the usual
    iteration for take-all strata); rounding by largest remainder keeps the sum exactly `total`.
    """
    if total > sum(sizes.values()):
        raise SampleError(f"the sample size {total} is larger than the population ({sum(sizes.values())})")
    weights = weights if weights and any(weights.get(k, 0) > 0 for k in sizes) else {k: float(n) for k, n in
                                                                                      sizes.items()}
    fixed: dict[str, int] = {}
    free = {k for k, n in sizes.items() if n > 0}
    fixed.update({k: 0 for k, n in sizes.items() if n == 0})
    while True:
        remaining = total - sum(fixed.values())
        if remaining < 0:
            raise SampleError(f"the minimum of {minimum} per stratum needs more than the sample size {total}")
        wsum = sum(weights.get(k, 0) for k in free)
        raw = {k: remaining * weights.get(k, 0) / wsum if wsum else 0.0 for k in free}
        over = [k for k in free if raw[k] > sizes[k]]
        under = [] if over else [k for k in free if raw[k] < min(minimum, sizes[k])]
        if not over and not under:
            break
        for k in over:
            fixed[k] = sizes[k]
        for k in under:
            fixed[k] = min(minimum, sizes[k])
        free -= set(over) | set(under)
    floors = {k: math.floor(raw[k]) for k in free}
    left = remaining - sum(floors.values())
    for k in sorted(free, key=lambda k: (-(raw[k] - floors[k]), k))[:left]:
        floors[k] += 1
    return {**fixed, **floors}


def neyman_weights(frame: pd.DataFrame) -> tuple[dict[str, float], dict[str, float]]:
    """N_h x S_h per stratum (S_h the standard deviation of y), and S_h itself."""
    grouped = frame.groupby("stratum")["y"]
    spread = grouped.std(ddof=1).fillna(0.0)
    sizes = frame.groupby("stratum").size()
    return ({k: float(sizes[k] * spread[k]) for k in sizes.index}, {k: float(spread[k]) for k in sizes.index})


def select(frame: pd.DataFrame, allocation: dict[str, int], seed: int) -> list[tuple[int, str]]:
    """Simple random sampling without replacement within each stratum, reproducible from the seed."""
    chosen = []
    for key, ids in frame.groupby("stratum")["id"]:
        n = allocation.get(key, 0)
        ordered = np.sort(ids.to_numpy())
        rng = np.random.default_rng([seed, zlib.crc32(str(key).encode())])
        picked = ordered if n >= len(ordered) else rng.choice(ordered, size=n, replace=False)
        chosen += [(int(i), str(key)) for i in np.sort(picked)]
    return chosen


def plan(frame: pd.DataFrame, *, allocation: str, size: int | None, fixed: dict[str, int] | None = None,
         minimum: int = 0) -> tuple[dict[str, int], dict[str, float]]:
    """n_h per stratum key (take-all strata included) and S_h where Neyman needs it."""
    frame = frame.assign(stratum=np.where(frame["take_all"], frame["stratum"] + "|" + TAKE_ALL, frame["stratum"]))
    sizes = frame.groupby("stratum").size().to_dict()
    certain = {k: n for k, n in sizes.items() if k.endswith(TAKE_ALL)}
    sampled = {k: n for k, n in sizes.items() if k not in certain}
    spread: dict[str, float] = {}
    if allocation == Sample.Allocation.CENSUS:
        return dict(sizes), spread
    if allocation == Sample.Allocation.FIXED:
        return {**certain, **_fixed(sampled, fixed or {})}, spread
    if size is None:
        raise SampleError("a sample size is needed for proportional or Neyman allocation")
    if size < sum(certain.values()):
        raise SampleError(f"the take-all strata alone hold {sum(certain.values())} firms, more than the size {size}")
    weights = None
    if allocation == Sample.Allocation.NEYMAN:
        if "y" not in frame:
            raise SampleError("Neyman allocation needs a variable (e.g. turnover or employees)")
        weights, spread = neyman_weights(frame[~frame["take_all"]])
    return {**certain, **allocate(sampled, size - sum(certain.values()), weights, minimum)}, spread


def _fixed(sizes: dict[str, int], fixed: dict[str, int]) -> dict[str, int]:
    unknown = sorted(set(fixed) - set(sizes))
    if unknown:
        raise SampleError(f"unknown strata {', '.join(unknown)}; strata are {', '.join(sorted(sizes))}")
    too_many = [f"{k} asks {n} of {sizes[k]}" for k, n in sorted(fixed.items()) if n > sizes[k]]
    if too_many:
        raise SampleError("fixed allocation larger than the stratum: " + "; ".join(too_many))
    return {k: int(fixed.get(k, 0)) for k in sizes}


# ------------------------------------------------------------------ the write
@transaction.atomic
def sample_draw(*, wave: Wave, name: str, filters: dict | None = None, strata_fields: list[str] | None = None,
                allocation: str = Sample.Allocation.PROPORTIONAL, size: int | None = None,
                fixed: dict[str, int] | None = None, neyman_variable: str = "", take_all: dict | None = None,
                min_per_stratum: int = 0, seed: int | None = None, user=None) -> Sample:
    """Draw and store a sample with its strata snapshot (N_h, n_h, S_h) and its selected firms."""
    filters, strata_fields, take_all = filters or {}, strata_fields or [], take_all or {}
    if Sample.objects.filter(wave=wave, name=name).exists():
        raise SampleError(f"wave {wave} already has a sample named {name!r}")
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    frame = population_frame(filters=filters, strata_fields=strata_fields, neyman_variable=neyman_variable,
                             take_all=take_all)
    if frame.empty:
        raise SampleError("no firm matches the filters")
    allocated, spread = plan(frame, allocation=allocation, size=size, fixed=fixed, minimum=min_per_stratum)
    frame["stratum"] = np.where(frame["take_all"], frame["stratum"] + "|" + TAKE_ALL, frame["stratum"])
    sample = Sample.objects.create(
        wave=wave, name=name, filters=_json(filters), strata_fields=strata_fields, allocation=allocation, size=size,
        fixed=fixed or {}, neyman_variable=neyman_variable, take_all=_json(take_all),
        min_per_stratum=min_per_stratum, seed=seed, population_size=len(frame), created_by=user)
    sizes = frame.groupby("stratum").size().to_dict()
    strata = Stratum.objects.bulk_create([
        Stratum(sample=sample, key=k, values=dict(zip(strata_fields, k.split("|"), strict=False)),
                take_all=k.endswith(TAKE_ALL), population=int(n), allocated=int(allocated.get(k, 0)),
                spread=spread.get(k)) for k, n in sorted(sizes.items())])
    stratum_ids = {s.key: s.pk for s in strata}
    Selection.objects.bulk_create([Selection(sample=sample, stratum_id=stratum_ids[k], firm_id=firm_id)
                                   for firm_id, k in select(frame, allocated, seed)], batch_size=2000)
    return sample


def _json(value: dict) -> dict:
    return {k: [str(x) for x in v] if isinstance(v, list) else str(v) if isinstance(v, Decimal) else v
            for k, v in value.items()}


# ------------------------------------------------------------------ selectors for weighting
def sample_weights(sample: Sample) -> dict[str, int]:
    """N_h per stratum key: the population counts at drawing time (weight of a respondent = N_h / m_h)."""
    return dict(sample.strata.values_list("key", "population"))


def sample_strata(sample: Sample) -> dict[int, str]:
    """Each selected firm's stratum key, by firm id (the read model carries firm_id)."""
    return dict(sample.selections.values_list("firm_id", "stratum__key"))


def wave_strata(wave: Wave) -> dict[int, tuple[int, str]]:
    """firm id -> (sample id, stratum key) over every sample of a wave."""
    rows = Selection.objects.filter(sample__wave=wave).values_list("firm_id", "sample_id", "stratum__key")
    return {firm: (sample, key) for firm, sample, key in rows}


# ------------------------------------------------------------------ the drawn firms
SELECTION_COLUMNS = ("firm_identifier", "firm_name", "language", "country", "region", "district", "industry_code",
                     "employees", "stratum", "invited")


def sample_selections(*, sample):
    """The firms drawn into a sample with their stratum and case, in stratum order."""
    from surveys.models import Selection

    return Selection.objects.filter(sample=sample).select_related("firm", "stratum").order_by("stratum__key",
                                                                                              "firm__name")


def selection_row(selection) -> list:
    firm = selection.firm
    return [firm.identifier, firm.name, firm.language, firm.country, firm.region, firm.district, firm.industry_code,
            "" if firm.employees is None else firm.employees, selection.stratum.key,
            "yes" if selection.invitation_id else "no"]


def sample_csv(*, sample) -> str:
    """The drawn firms as CSV (no contact details), text cells escaped against spreadsheet formulas."""
    import csv
    import io

    from analytics.data.imports.cells import formula_escape_text

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SELECTION_COLUMNS)
    for selection in sample_selections(sample=sample).iterator():
        writer.writerow([formula_escape_text(v) if isinstance(v, str) else v for v in selection_row(selection)])
    return out.getvalue()
