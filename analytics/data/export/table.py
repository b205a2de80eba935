"""The table every format writes: read-model rows, filtered, pseudonymised, cleaned, labelled.

Reads only the typed read model (surveys.answering.readmodel, COPY on PostgreSQL) joined to the
firms' pseudonyms and the wave codes; never the answers' JSON. One column per variable across all
versions, in order of first appearance, so a variable keeps its name and position when a version
changes. Rows stream as Arrow batches of about 8,000 rows, transformed column by column with
Arrow compute, so memory does not grow with the number of responses (the writers stream too,
except SPSS and Stata: pyreadstat writes a whole frame, see writers.py).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from analytics.data.export.options import ExportOptions
from surveys.answering.readmodel import _q, query_batches, readmodel_ensure, readmodel_select, table_name
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
LABELLED_FORMATS = ("csv", "xlsx", "parquet", "datapackage")
WEIGHT_LABEL = "Design weight (N_h / m_h from the drawn sample or the analytics weighting, or its weight column)"
ARROW_TYPES = {"int": pa.int64(), "num": pa.float64(), "str": pa.string(), "datetime": pa.timestamp("s")}


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
    """The columns, and `batches()`: the rows as Arrow record batches of exactly those columns.

    `rows` is counted before reading (the XLSX sheet declares its size up front); `written`
    counts the rows the batches delivered."""

    columns: list[Column]
    codebook: dict
    options: ExportOptions
    rows: int
    read: Callable[[], Iterator[pa.RecordBatch]]
    written: int = 0

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, ARROW_TYPES[c.kind]) for c in self.columns])

    def batches(self) -> Iterator[pa.RecordBatch]:
        self.written = 0
        for batch in self.read():
            self.written += batch.num_rows
            yield batch


def export_table(questionnaire: Questionnaire, options: ExportOptions) -> ExportTable:
    codebook = codebook_for(questionnaire)
    variables = [v for v in export_order(questionnaire) if options.free_text or not v.free_text]
    readmodel_ensure(questionnaire)
    where, params = _where(questionnaire, options)
    columns = _meta_columns(options) + [_column(v, codebook, options) for v in variables]
    labelled = options.labels and options.format in LABELLED_FORMATS  # SPSS and Stata carry codes and labels
    by_name = {c.name: c for c in columns}
    weights = _weights(questionnaire)  # read before the COPY starts: it holds the connection
    if weights is not None:
        columns.append(Column(name="weight", kind="num", label=WEIGHT_LABEL, measure="scale", decimals=6))
    select, types = _select(questionnaire, variables, options, where)
    invited = _invited(questionnaire, options, types)
    rows = _count(questionnaire, where, params) + (invited.num_rows if invited is not None else 0)
    transform = _Transform(variables, by_name, options, labelled, weights)

    def read() -> Iterator[pa.RecordBatch]:
        for batch in query_batches(select, params, types):
            yield transform(batch)
        if invited is not None:
            yield transform(invited)

    table = ExportTable(columns=columns, codebook=codebook, options=options, rows=rows, read=read)
    if labelled:
        for c in columns:
            if c.coded:
                c.kind = "str"
    return table


def _select(questionnaire: Questionnaire, variables: list[Variable], options: ExportOptions,
            where: str) -> tuple[str, dict]:
    """Read-model rows joined to their firm's pseudonym (and identifiers) and their wave's code."""
    inner, types = readmodel_select(questionnaire, columns=READ_META + [v.name for v in variables], where=where,
                                    values=options.values)
    firm, wave = _q(Firm._meta.db_table), _q(Wave._meta.db_table)
    extra = {"firm": "f.pseudonym", "wave": "w.code"}
    if options.include_identifiers:  # empty contact fields are missing values, as in the other columns
        extra.update({name: f"NULLIF(f.{_q(attr)}, '')" for name, attr in FIRM_FIELDS.items()})
    select = (f"SELECT rm.*, {', '.join(f'{sql} AS {_q(name)}' for name, sql in extra.items())} "
              f"FROM ({inner}) rm LEFT JOIN {firm} f ON f.id = rm.firm_id "
              f"LEFT JOIN {wave} w ON w.id = rm.wave_id ORDER BY rm.response_id")
    return select, {**types, **{name: pa.string() for name in extra}}


def _count(questionnaire: Questionnaire, where: str, params: list) -> int:
    # edits never add or remove rows: the raw table counts them (the overlay would only cost time)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {_q(table_name(questionnaire.code))}"
                       + (f" WHERE {where}" if where else ""), params)
        return cursor.fetchone()[0]


def _weights(questionnaire: Questionnaire) -> tuple[pd.Index, np.ndarray] | None:
    """The design weight of each submitted response (by response id), as analytics computes it.

    The statistics libraries are imported only when a design exists (they take seconds to load)."""
    from analytics.models import Weighting
    from analytics.results.weights import design_exists

    if not design_exists(questionnaire=questionnaire):
        return None  # no second read of the read model for questionnaires without a design
    from analytics.results.weights import frame_weights
    from surveys.answering.readmodel import readmodel_frame

    weighting = Weighting.objects.filter(questionnaire=questionnaire).first()
    column = (weighting.weight_column or weighting.stratum_column) if weighting else ""
    base = readmodel_frame(questionnaire, columns=["response_id", "wave_id", "firm_id"] + ([column] if column else []),
                           where="status = %s", params=["submitted"])
    weights = frame_weights(frame=base, questionnaire=questionnaire)
    if weights is None:
        return None
    return pd.Index(base["response_id"].to_numpy(dtype="int64")), np.asarray(weights, dtype="float64")


class _Transform:
    """One read batch -> one output batch (the columns of the ExportTable, in order)."""

    def __init__(self, variables: list[Variable], columns: dict[str, Column], options: ExportOptions,
                 labelled: bool, weights):
        self.variables, self.columns, self.options = variables, columns, options
        self.labelled, self.weights = labelled, weights
        self.meta = [c.name for c in _meta_columns(options)]

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        names, arrays = [], []
        version = batch.column("version")
        versions = set(pc.unique(version).to_pylist())
        for name in self.meta:
            names.append(name)
            if name in ("started_at", "submitted_at"):
                arrays.append(_seconds(batch.column(name)))
            else:
                arrays.append(batch.column(name))
        for v in self.variables:
            array = batch.column(v.name)
            if v.type != "str" and v.role != "derived":
                if not versions <= set(v.versions):
                    # a variable its response's version lacks is not applicable, whenever the row was written
                    # (rows written before a later version added a column hold NULL there)
                    array = pc.if_else(pc.is_in(version, value_set=pa.array(v.versions, version.type)), array,
                                       pa.scalar(NOT_APPLICABLE, array.type))
                if not self.options.clean:  # raw: answers off the skip path are left empty instead of -7
                    array = pc.if_else(pc.equal(array, NOT_APPLICABLE), pa.scalar(None, array.type), array)
            column = self.columns[v.name]
            if self.labelled and column.coded:
                array = _labels(array, column)
            names.append(v.name)
            arrays.append(array)
        if self.weights is not None:
            ids, values = self.weights
            at = ids.get_indexer(batch.column("response_id").to_numpy(zero_copy_only=False))
            names.append("weight")
            arrays.append(pa.array(np.where(at >= 0, values[at], np.nan), from_pandas=True))
        return pa.RecordBatch.from_arrays(arrays, names=names)


def _seconds(text: pa.Array) -> pa.Array:
    """ISO text of a UTC moment ('2026-01-31 12:00:00.123456') -> timestamp[s], cut to the second."""
    head = pc.replace_substring(pc.utf8_slice_codeunits(text, 0, 19), "T", " ")
    return pc.strptime(head, format="%Y-%m-%d %H:%M:%S", unit="s")


def _labels(array: pa.Array, column: Column) -> pa.Array:
    """Codes replaced by labels; unlabelled codes stay as text (whole numbers without '.0')."""
    if pa.types.is_floating(array.type):
        valid = pc.drop_null(array)
        if len(valid) == 0 or pc.all(pc.equal(valid, pc.round(valid))).as_py():
            array = pc.cast(array, pa.int64())
    text = pc.cast(array, pa.string())
    codes = pa.array([str(code) for code in column.value_labels], pa.string())
    labels = pa.array(list(column.value_labels.values()), pa.string())
    return pc.coalesce(pc.take(labels, pc.index_in(text, value_set=codes)), text)


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


def _invited(questionnaire: Questionnaire, options: ExportOptions, types: dict) -> pa.RecordBatch | None:
    """Invited cases have no read-model row until the firm saves a page: one empty row per such case
    (a batch in the read schema, after the read-model rows) when the export asks for them (status
    'invited', or every status), so the filter returns what it says."""
    if options.statuses and "invited" not in options.statuses or options.modes or options.since or options.until:
        return None
    invitations = Invitation.objects.filter(wave__questionnaire=questionnaire).filter(
        Q(response__isnull=True) | Q(response__status="invited"))
    if options.waves:
        invitations = invitations.filter(wave__code__in=options.waves)
    fields = ["response__pk", "firm_id", "wave_id", "wave__version__number", "language", "firm__pseudonym",
              "wave__code"]
    extra = [name for name in FIRM_FIELDS if name in types]
    fields += [f"firm__{FIRM_FIELDS[name]}" for name in extra]
    found = list(invitations.order_by("pk").values_list(*fields))
    ids = [r[0] for r in found if r[0] is not None]
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT response_id FROM {_q(table_name(questionnaire.code))} "
                           f"WHERE response_id IN ({', '.join(['%s'] * len(ids))})", ids)
            known = {row[0] for row in cursor.fetchall()}
        found = [r for r in found if r[0] is None or r[0] not in known]
    if not found:
        return None
    values = {name: [None] * len(found) for name in types}
    for i, r in enumerate(found):
        row = {"response_id": r[0], "firm_id": r[1], "wave_id": r[2], "version": r[3], "status": "invited",
               "language": r[4], "firm": r[5], "wave": r[6]}
        row.update({name: (value or None) for name, value in zip(extra, r[7:], strict=True)})
        for name, value in row.items():
            if name in values:
                values[name][i] = value
    return pa.RecordBatch.from_arrays([pa.array(values[name], type=kind) for name, kind in types.items()],
                                      names=list(types))


def _utc(moment: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment.astimezone(dt.UTC)


# ------------------------------------------------------------------ columns
def _meta_columns(options: ExportOptions) -> list[Column]:
    lang = options.language
    meta = [Column(name=n, kind=k, label=_pick(label, lang)) for n, k, label in META_VARIABLES]
    if options.include_identifiers:
        meta[1:1] = [Column(name=n, kind=k, label=_pick(label, lang)) for n, k, label in IDENTIFIER_VARIABLES]
    return meta


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


def _pick(texts: dict | None, language: str) -> str:
    if not texts:
        return ""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")
