"""One frame -> the JSON document of each result set (every catalogue report plus items-by-group)."""
from __future__ import annotations

import pandas as pd

from analytics.models import ResultSet
from analytics.reports import ITEMS_BY_GROUP, Data, catalogue, compute_report, items_report
from analytics.results import selectors
from analytics.results.scopes import scope_mask
from analytics.results.weights import frame_design
from surveys.models import Questionnaire

CATALOGUE_VERSION = "4"  # bump when report definitions change, so stored results are recomputed


def result_payloads(*, questionnaire: Questionnaire, frame: pd.DataFrame,
                    result_sets: list[ResultSet]) -> dict[int, dict]:
    meta = selectors.variable_meta(questionnaire=questionnaire)
    kinds = selectors.item_kinds(questionnaire=questionnaire)
    lists = selectors.list_labels(questionnaire=questionnaire)
    found = frame_design(frame=frame, questionnaire=questionnaire)
    wave_ids = dict(questionnaire.waves.values_list("code", "pk"))
    reports = [r for r in catalogue(questionnaire.code) if not r.includes]
    variables = list(meta.values())
    out = {}
    for result_set in result_sets:
        mask = scope_mask(frame, result_set.filters, wave_ids).to_numpy()
        scoped = frame[mask] if not mask.all() else frame
        design = None if found is None else found.design if mask.all() else found.design.subset(mask)
        data = Data(scoped.reset_index(drop=True), meta, design, lists)
        computed = {r.name: compute_report(r, data) for r in reports}
        general = items_report(questionnaire.code, variables, result_set.group, kinds)
        computed[ITEMS_BY_GROUP] = compute_report(general, data)
        out[result_set.pk] = {"n": int(len(scoped)), "reports": computed, "filters": result_set.filters,
                              "group": result_set.group, "weighted": found is not None,
                              "design": None if found is None else found.summary(),
                              "catalogue_version": CATALOGUE_VERSION}
    return out
