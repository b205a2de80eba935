"""One frame -> the JSON document of each result set (every catalogue report plus items-by-group)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.models import ResultSet, Weighting
from analytics.reports import ITEMS_BY_GROUP, Data, catalogue, compute_report, items_report
from analytics.results import selectors
from analytics.results.scopes import scope_mask
from analytics.stats.weighting import WeightingError, design_weights
from surveys.models import Questionnaire

CATALOGUE_VERSION = "3"  # bump when report definitions change, so stored results are recomputed


def frame_weights(frame: pd.DataFrame, weighting: Weighting | None) -> np.ndarray | None:
    """N_h / m_h per row (m_h counted per wave), or the weight column; None without a weighting."""
    if weighting is None:
        return None
    if weighting.weight_column:
        if weighting.weight_column not in frame.columns:
            raise WeightingError(f"weight column {weighting.weight_column!r} is not in the read model")
        return pd.to_numeric(frame[weighting.weight_column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if weighting.stratum_column not in frame.columns:
        raise WeightingError(f"stratum column {weighting.stratum_column!r} is not in the read model")
    return design_weights(frame[weighting.stratum_column], weighting.population, by=frame["wave_id"])


def result_payloads(*, questionnaire: Questionnaire, frame: pd.DataFrame,
                    result_sets: list[ResultSet]) -> dict[int, dict]:
    meta = selectors.variable_meta(questionnaire=questionnaire)
    kinds = selectors.item_kinds(questionnaire=questionnaire)
    lists = selectors.list_labels(questionnaire=questionnaire)
    weights = frame_weights(frame, Weighting.objects.filter(questionnaire=questionnaire).first())
    wave_ids = dict(questionnaire.waves.values_list("code", "pk"))
    reports = [r for r in catalogue(questionnaire.code) if not r.includes]
    variables = list(meta.values())
    out = {}
    for result_set in result_sets:
        mask = scope_mask(frame, result_set.filters, wave_ids).to_numpy()
        scoped = frame[mask] if not mask.all() else frame
        data = Data(scoped.reset_index(drop=True), meta, None if weights is None else weights[mask], lists)
        computed = {r.name: compute_report(r, data) for r in reports}
        general = items_report(questionnaire.code, variables, result_set.group, kinds)
        computed[ITEMS_BY_GROUP] = compute_report(general, data)
        out[result_set.pk] = {"n": int(len(scoped)), "reports": computed, "filters": result_set.filters,
                              "group": result_set.group, "weighted": weights is not None,
                              "catalogue_version": CATALOGUE_VERSION}
    return out
