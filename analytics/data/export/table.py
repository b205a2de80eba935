"""The table every format writes: read-model rows, filtered, pseudonymised, cleaned, labelled.

Reads only `surveys.answering.readmodel.readmodel_frame` (typed wide table, COPY on PostgreSQL) and the
firms' pseudonyms; never the answers' JSON. One column per variable across all versions, in
order of first appearance, so a variable keeps its name and position when a version changes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Q
from django.utils import timezone

from analytics.data.export.options import ExportOptions
from surveys.answering.readmodel import readmodel_frame
from surveys.models import Firm, Invitation, Questionnaire, Wave
from surveys.questionnaire.codebook import (
    IDENTIFIER_VARIABLES,
    META_VARIABLES,
    MISSING_TEXTS,
    codebook_for,
    export_order,
    value_labels_of,
)
from surveys.questionnaire.variables import NOT_APPLICABLE, Variable

READ_META = ["response_id", "firm_id", "wave_id", "version", "status", "mode", "language", "started_at", "submitted_at"]
FIRM_FIELDS = {"firm_identifier": "identifier", "firm_name": "name", "contact_name": "contact_name",
               "email": "email", "phone": "phone"}
_CHUNK = 10_000
LABELLED_FORMATS = ("csv", "xlsx", "parquet")
WEIGHT_LABEL = "Design weight (analytics weighting: N_h / m_h, or its weight column)"


@dataclass
class Column:
    """One output column as the writers see it: type, label and value labels in one language."""

    name: str
    kind: str  # int | num | str | datetime
    label: str
    value_labels: dict = field(default_factory=dict)  # code -> label (missing codes included)
    measure: str = "nominal"
    missing: list[int] = field(default_factory=list)
    decimals: int | None = None
    coded: bool = False  # has value labels of its own (not only the missing codes)


@dataclass
class ExportTable:
    frame: pd.DataFrame
    columns: list[Column]
    codebook: dict
    options: ExportOptions

    @property
    def rows(self) -> int:
        return len(self.frame)


def export_table(questionnaire: Questionnaire, options: ExportOptions) -> ExportTable:
    codebook = codebook_for(questionnaire)
    variables = [v for v in export_order(questionnaire) if options.free_text or not v.free_text]
    where, params = _where(questionnaire, options)
    frame = readmodel_frame(questionnaire, columns=READ_META + [v.name for v in variables], where=where,
                            params=params)
    frame = _with_invited(questionnaire, frame, options)
    meta = _meta_frame(questionnaire, frame, options)
    data = _other_versions(frame, variables)
    if not options.clean:
        data = _raw(data, variables)
    columns = _meta_columns(options) + [_column(v, codebook, options) for v in variables]
    if options.labels and options.format in LABELLED_FORMATS:  # SPSS and Stata carry codes and labels
        data = _labelled(data, columns[len(meta.columns):])
        for c in columns[len(meta.columns):]:
            if c.coded:
                c.kind = "str"
    out = pd.concat([meta, data], axis=1)
    weights = _weights(questionnaire, frame)
    if weights is not None:
        out["weight"] = weights
        columns.append(Column(name="weight", kind="num", label=WEIGHT_LABEL, measure="scale", decimals=6))
    return ExportTable(frame=out, columns=columns, codebook=codebook, options=options)


def _weights(questionnaire: Questionnaire, frame: pd.DataFrame) -> pd.Series | None:
    """The design weight of each row, as analytics computes it over every submitted response."""
    from analytics.models import Weighting
    from analytics.results.payloads import frame_weights

    weighting = Weighting.objects.filter(questionnaire=questionnaire).first()
    if weighting is None:
        return None
    column = weighting.weight_column or weighting.stratum_column
    base = readmodel_frame(questionnaire, columns=["response_id", "wave_id", column], where="status = %s",
                           params=["submitted"])
    by_response = pd.Series(frame_weights(base, weighting), index=base["response_id"].to_numpy())
    return frame["response_id"].map(by_response).astype("Float64")


# ------------------------------------------------------------------ filters
def _where(questionnaire: Questionnaire, options: ExportOptions) -> tuple[str, list]:
    clauses, params = [], []

    def among(column: str, values) -> None:
        clauses.append(f'"{column}" IN ({", ".join(["%s"] * len(values))})')
        params.extend(values)

    if options.statuses:
        among("status", options.statuses)
    if options.modes:
        among("mode", options.modes)
    if options.waves:
        waves = dict(Wave.objects.filter(questionnaire=questionnaire, code__in=options.waves)
                     .values_list("code", "pk"))
        unknown = sorted(set(options.waves) - set(waves))
        if unknown:
            raise ValueError(f"unknown wave {', '.join(unknown)} of {questionnaire.code}")
        among("wave_id", list(waves.values()))
    for bound, op in ((options.since, ">="), (options.until, "<")):
        if bound:
            clauses.append(f"COALESCE(submitted_at, started_at) {op} %s")
            params.append(_utc(bound))
    return " AND ".join(clauses), params


def _with_invited(questionnaire: Questionnaire, frame: pd.DataFrame, options: ExportOptions) -> pd.DataFrame:
    """Invited cases have no read-model row until the firm saves a page: add one empty row per such case
    when the export asks for them (status 'invited', or every status), so the filter returns what it says."""
    if options.statuses and "invited" not in options.statuses or options.modes or options.since or options.until:
        return frame
    invitations = Invitation.objects.filter(wave__questionnaire=questionnaire).filter(
        Q(response__isnull=True) | Q(response__status="invited"))
    if options.waves:
        invitations = invitations.filter(wave__code__in=options.waves)
    rows = [{"response_id": pd.NA if response_id is None else response_id, "firm_id": firm_id, "wave_id": wave_id,
             "version": version, "status": "invited", "language": language}
            for response_id, firm_id, wave_id, version, language in invitations.order_by("pk").values_list(
                "response__pk", "firm_id", "wave_id", "wave__version__number", "language")]
    known = set(frame["response_id"].dropna().tolist())
    rows = [r for r in rows if r["response_id"] is pd.NA or r["response_id"] not in known]
    if not rows:
        return frame
    extra = pd.DataFrame(rows, columns=frame.columns)
    for name in ("started_at", "submitted_at"):
        extra[name] = pd.Series([None] * len(extra), dtype=object)
    return pd.concat([frame, extra.astype({c: frame[c].dtype for c in frame.columns if c not in (
        "response_id", "started_at", "submitted_at")}, errors="ignore")], ignore_index=True)


def _utc(moment: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment.astimezone(dt.UTC)


# ------------------------------------------------------------------ meta columns
def _meta_frame(questionnaire: Questionnaire, frame: pd.DataFrame, options: ExportOptions) -> pd.DataFrame:
    firm_ids = frame["firm_id"].astype("Int64")
    firms = _firms(firm_ids.dropna().unique().tolist(), options.include_identifiers)
    waves = dict(Wave.objects.filter(questionnaire=questionnaire).values_list("pk", "code"))
    meta = pd.DataFrame(index=frame.index)
    meta["firm"] = firm_ids.map({pk: f["pseudonym"] for pk, f in firms.items()}).astype("string")
    if options.include_identifiers:
        for column, attr in FIRM_FIELDS.items():
            meta[column] = firm_ids.map({pk: f[attr] or None for pk, f in firms.items()}).astype("string")
    meta["wave"] = frame["wave_id"].astype("Int64").map(waves).astype("string")
    meta["version"] = frame["version"].astype("Int64")
    for name in ("status", "mode", "language"):
        meta[name] = frame[name].astype("string")
    for name in ("started_at", "submitted_at"):
        moments = pd.to_datetime(frame[name], utc=True, format="ISO8601")
        meta[name] = moments.dt.tz_localize(None).dt.floor("s")
    return meta


def _firms(ids: list[int], identifiers: bool) -> dict[int, dict]:
    """Firms by id. One range query when the ids are dense (a parameter list of 100,000 ids costs seconds)."""
    fields = ["pk", "pseudonym"] + (list(FIRM_FIELDS.values()) if identifiers else [])
    if not ids:
        return {}
    low, high = min(ids), max(ids)
    if high - low < 4 * len(ids):
        wanted = set(ids)
        rows = Firm.objects.filter(pk__gte=low, pk__lte=high).order_by().values_list(*fields)
        return {row[0]: dict(zip(fields, row, strict=True)) for row in rows if row[0] in wanted}
    out: dict[int, dict] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = Firm.objects.filter(pk__in=ids[start:start + _CHUNK]).order_by().values_list(*fields)
        out.update((row[0], dict(zip(fields, row, strict=True))) for row in rows)
    return out


def _meta_columns(options: ExportOptions) -> list[Column]:
    lang = options.language
    meta = [Column(name=n, kind=k, label=_pick(label, lang)) for n, k, label in META_VARIABLES]
    if options.include_identifiers:
        meta[1:1] = [Column(name=n, kind=k, label=_pick(label, lang)) for n, k, label in IDENTIFIER_VARIABLES]
    return meta


# ------------------------------------------------------------------ variables
def _column(v: Variable, codebook: dict, options: ExportOptions) -> Column:
    lang = options.language
    own = value_labels_of(v)
    labels = {code: _pick(text, lang) for code, text in own.items()}
    missing = [] if v.type == "str" or v.role == "derived" else sorted(MISSING_TEXTS)
    for code in missing:
        labels.setdefault(code, _pick(MISSING_TEXTS[code], lang))
    return Column(name=v.name, kind=v.type, label=_pick(v.label, lang), value_labels=labels,
                  measure=v.measure, missing=missing, decimals=_decimals(v, codebook), coded=bool(own))


def _decimals(v: Variable, codebook: dict) -> int | None:
    if v.type != "num" or v.role == "derived":
        return None
    item = next((i for i in codebook["items"] if i["code"] == v.item), None)
    return int((item or {}).get("validation", {}).get("decimals", 0))


def _other_versions(frame: pd.DataFrame, variables: list[Variable]) -> pd.DataFrame:
    """A variable its response's version does not have is not applicable (-7), whenever the row was written.

    Rows written before a later version added a column hold NULL there (ALTER TABLE ADD COLUMN).
    """
    data = frame[[v.name for v in variables]].copy()
    all_versions = set(frame["version"].dropna().unique().tolist())
    for v in variables:
        if v.type != "str" and v.role != "derived" and not all_versions <= set(v.versions):
            data[v.name] = data[v.name].mask(~frame["version"].isin(v.versions), NOT_APPLICABLE)
    return data


def _raw(data: pd.DataFrame, variables: list[Variable]) -> pd.DataFrame:
    """Raw: answers off the skip path are left empty instead of -7 (derived variables untouched)."""
    for v in variables:
        if v.type != "str" and v.role != "derived":
            column = data[v.name]
            data[v.name] = column.mask(column == NOT_APPLICABLE)
    return data


def _labelled(data: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
    """Codes replaced by labels where a variable has value labels; unlabelled codes stay as text."""
    out = {}
    for c in columns:
        series = data[c.name]
        if not c.coded:
            out[c.name] = series
            continue
        text = _as_text(series)
        mapping = {str(code): label for code, label in c.value_labels.items()}
        out[c.name] = text.map(mapping).fillna(text).astype("string")
    return pd.DataFrame(out, index=data.index)


def _as_text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(series.dtype):
        whole = series.dropna()
        if (whole == whole.round()).all():
            series = series.astype("Int64")
    return series.astype("string")


def _pick(texts: dict | None, language: str) -> str:
    if not texts:
        return ""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")
