"""Selective editing: the score that orders the editors' queue (docs/editing.md, "The score").

score_i = 100 x S_i x w_i x I_i, where
  S_i  suspicion: the sum of the weights of response i's open flags (hard 1, soft 0.5, or the rule's `weight`);
  w_i  its design weight (analytics.results.weights; 1 without a design or outside it);
  I_i  impact: the mean over the key items k (the definition's `edit_key_items`) of |y_ik| / T_k, with
       T_k = sum_j w_j |y_jk| the weighted total the published estimates of k rest on; without key
       items (or with only empty totals) I_i = 1 / sum_j w_j, the response's share of a weighted count.
So w_i x I_i is the share of the published totals that rides on response i, and the score is the
percentage of those totals at stake, times how suspicious the response is (Hedlin 2003; Lawrence &
McKenzie 2000: a score function ranks the units whose errors would move the estimates most).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from analytics.editing.rules import rule_weight
from analytics.models import EditCase, RuleResult, Weighting
from surveys.answering.readmodel import readmodel_frame
from surveys.models import Questionnaire
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.variables import column_name


def key_columns(questionnaire: Questionnaire) -> list[str]:
    latest = questionnaire.versions.order_by("-number").first()
    return [column_name(k) for k in spec_for_version(latest).edit_key_items] if latest else []


def estimation_frame(questionnaire: Questionnaire, columns: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Submitted responses (edited values) with `columns`, and each row's design weight (1 where none)."""
    from analytics.results.weights import frame_weights  # the statistics stack loads only when scoring

    weighting = Weighting.objects.filter(questionnaire=questionnaire).first()
    extra = [c for c in ((weighting.weight_column, weighting.stratum_column) if weighting else ()) if c]
    wanted = list(dict.fromkeys(["response_id", "wave_id", "firm_id", *columns, *extra]))
    frame = readmodel_frame(questionnaire, columns=wanted, where="status = %s", params=["submitted"],
                            values="edited")
    weights = frame_weights(frame=frame, questionnaire=questionnaire) if len(frame) else None
    weights = np.ones(len(frame)) if weights is None else np.where(np.isnan(weights), 1.0, weights)
    return frame, weights


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    """|y| with missing and the missing-value codes (-7, -8, -9) as 0."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(values) | (values < 0), 0.0, np.abs(values))


@transaction.atomic
def cases_score(*, questionnaire: Questionnaire) -> int:
    """Recompute the score of every queued response of the questionnaire; returns how many."""
    cases = {c.response_id: c for c in EditCase.objects.select_for_update().filter(questionnaire=questionnaire)}
    if not cases:
        return 0
    suspicion = _suspicion(questionnaire, list(cases))
    columns = key_columns(questionnaire)
    frame, weights = estimation_frame(questionnaire, columns)
    position = {int(rid): n for n, rid in enumerate(frame["response_id"].to_numpy(dtype="int64"))}
    shares = np.zeros(len(frame))
    used = 0
    for column in columns:
        values = _values(frame, column)
        total = float(np.sum(weights * values))
        if total > 0:
            shares += values / total
            used += 1
    impact = shares / used if used else np.full(len(frame), 1.0 / max(float(np.sum(weights)), 1.0))
    now = timezone.now()
    for response_id, case in cases.items():
        n = position.get(response_id)
        case.suspicion = suspicion.get(response_id, 0.0)
        case.weight = float(weights[n]) if n is not None else 1.0
        case.impact = float(impact[n]) if n is not None else 0.0
        case.score = 100 * case.suspicion * case.weight * case.impact
        case.scored_at = now
    EditCase.objects.bulk_update(list(cases.values()), ["suspicion", "weight", "impact", "score", "scored_at"])
    return len(cases)


def _suspicion(questionnaire: Questionnaire, response_ids: list[int]) -> dict[int, float]:
    latest = questionnaire.versions.order_by("-number").first()
    weights = {r["id"]: rule_weight(r) for r in spec_for_version(latest).edit_rules} if latest else {}
    out: dict[int, float] = {}
    open_flags = RuleResult.objects.filter(response_id__in=response_ids, passed=False, accepted_at__isnull=True)
    for response_id, rule_id, severity in open_flags.values_list("response_id", "rule_id", "severity"):
        weight = weights.get(rule_id) or rule_weight({"severity": severity})
        out[response_id] = out.get(response_id, 0.0) + weight
    return out
