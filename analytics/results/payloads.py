"""One frame -> the JSON document of each result set (every catalogue report plus items-by-group)."""
from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from analytics.models import ResultSet, Weighting
from analytics.reports import ITEMS_BY_GROUP, Data, catalogue, compute_report, items_report
from analytics.reports.engine import report_columns
from analytics.results import selectors
from analytics.results.scopes import scope_mask
from analytics.results.weights import frame_design
from surveys.answering.readmodel import META_COLUMNS
from surveys.models import Questionnaire

CATALOGUE_VERSION = "4"  # bump when report definitions change, so stored results are recomputed


# Read-model meta columns the recompute itself uses: ids (the frame refresh), wave and firm (scopes,
# sample weights), mode (a scope filter of every instrument).
RESULT_META = ["response_id", "firm_id", "wave_id", "mode"]


def payload_columns(*, questionnaire: Questionnaire, result_sets: list[ResultSet]) -> list[str]:
    """The read-model columns `result_payloads` reads for these result sets, in table order: what the
    catalogue's reports, each set's items-by-group report, filters and grouping, and the weighting
    name. Free texts, dates and timestamps no report reads are left in the database."""
    meta = selectors.variable_meta(questionnaire=questionnaire)
    kinds = selectors.item_kinds(questionnaire=questionnaire)
    wanted = set(RESULT_META)
    for report in catalogue(questionnaire.code):
        wanted |= report_columns(report, meta)
    for result_set in result_sets:
        wanted |= report_columns(items_report(questionnaire.code, list(meta.values()), result_set.group, kinds), meta)
        wanted |= {column for column in result_set.filters if column != "wave"}
        if result_set.group:
            wanted.add(result_set.group)
    weighting = Weighting.objects.filter(questionnaire=questionnaire).first()
    if weighting is not None:
        wanted |= {c for c in (weighting.weight_column, weighting.stratum_column) if c}
    order = RESULT_META + [n for n, _ in META_COLUMNS if n not in RESULT_META] + list(meta)
    # a name that is no column (a report of another version) is left to the report to call unavailable
    return [c for c in order if c in wanted]


def result_payloads(*, questionnaire: Questionnaire, frame: pd.DataFrame,
                    result_sets: list[ResultSet]) -> dict[int, dict]:
    return dict(result_payloads_each(questionnaire=questionnaire, frame=frame, result_sets=result_sets))


def result_payloads_each(*, questionnaire: Questionnaire, frame: pd.DataFrame,
                         result_sets: list[ResultSet]) -> Iterator[tuple[int, dict]]:
    """(result set id, its document), one set at a time in the order given: the caller can store
    the first (the result of all responses, which a submission waits for) before the others are done."""
    meta = selectors.variable_meta(questionnaire=questionnaire)
    kinds = selectors.item_kinds(questionnaire=questionnaire)
    lists = selectors.list_labels(questionnaire=questionnaire)
    found = frame_design(frame=frame, questionnaire=questionnaire)
    wave_ids = dict(questionnaire.waves.values_list("code", "pk"))
    reports = [r for r in catalogue(questionnaire.code) if not r.includes]
    variables = list(meta.values())
    for result_set in result_sets:
        mask = scope_mask(frame, result_set.filters, wave_ids).to_numpy()
        scoped = frame[mask] if not mask.all() else frame
        design = None if found is None else found.design if mask.all() else found.design.subset(mask)
        data = Data(scoped.reset_index(drop=True), meta, design, lists)
        computed = {r.name: compute_report(r, data) for r in reports}
        general = items_report(questionnaire.code, variables, result_set.group, kinds)
        computed[ITEMS_BY_GROUP] = compute_report(general, data)
        yield result_set.pk, {"n": int(len(scoped)), "reports": computed, "filters": result_set.filters,
                              "group": result_set.group, "weighted": found is not None,
                              "design": None if found is None else found.summary(),
                              "catalogue_version": CATALOGUE_VERSION}
