"""The sampling design of a questionnaire's responses: weights, strata and fractions for the estimates.

Three sources, in this order:
1. a `Weighting` with a weight column (weights alone: one stratum, no finite population correction);
2. a `Weighting` with {stratum: N_h} and a stratum column (N_h / m_h per wave);
3. otherwise the samples the platform drew (`surveys.fieldwork.sampling.sample_draw`): a respondent
   selected into a sample of its wave belongs to that sample's stratum; its weight is N_h / n_h
   (design) times n_h / m_h (non-response within the stratum), optionally raked to register
   margins (`Weighting.rake_by`, e.g. ["size_class", "nace2"]). Respondents outside every sample
   (no row in `Selection`) get no weight and are left out of the weighted estimates.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.models import Weighting
from analytics.stats.design import Design
from analytics.stats.weighting import WeightingError, design_weights, rake, stratum_weights
from surveys.fieldwork.sampling import firms_filtered, size_class, turnover_class
from surveys.models import Firm, Questionnaire, Selection, Stratum

RAKE_FIELDS = {"size_class": ("employees", size_class), "turnover_class": ("turnover", turnover_class),
               "nace2": ("industry_code", lambda code: "".join(ch for ch in str(code or "") if ch.isdigit())[:2]),
               "district": ("district", str), "region": ("region", str), "market": ("market", str)}


@dataclass
class FrameDesign:
    design: Design
    source: str
    strata: dict = field(default_factory=dict)  # per stratum: N, n, m, weights, fraction
    unweighted: int = 0  # respondents outside every sample

    def summary(self) -> dict:
        return {"source": self.source, "strata": self.strata, "unweighted": self.unweighted, "df": self.design.df,
                "take_all": sum(1 for s in self.strata.values() if s.get("take_all"))}


def frame_design(*, frame: pd.DataFrame, questionnaire: Questionnaire) -> FrameDesign | None:
    weighting = Weighting.objects.filter(questionnaire=questionnaire).first()
    if weighting is not None and weighting.weight_column:
        if weighting.weight_column not in frame.columns:
            raise WeightingError(f"weight column {weighting.weight_column!r} is not in the read model")
        weights = pd.to_numeric(frame[weighting.weight_column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return FrameDesign(Design.simple(weights), "weight column")
    if weighting is not None and weighting.stratum_column:
        return _population_design(frame, weighting)
    return _sample_design(frame, questionnaire, weighting.rake_by if weighting else [])


def design_exists(*, questionnaire: Questionnaire) -> bool:
    """A cheap check before reading any rows: a weighting, or a sample drawn for one of the waves."""
    return (Weighting.objects.filter(questionnaire=questionnaire).exists()
            or Stratum.objects.filter(sample__wave__questionnaire=questionnaire).exists())


def frame_weights(*, frame: pd.DataFrame, questionnaire: Questionnaire) -> np.ndarray | None:
    """Each row's weight (NaN outside the design), or None when the responses have no design."""
    found = frame_design(frame=frame, questionnaire=questionnaire)
    if found is None:
        return None
    return np.where(found.design.in_design, found.design.weights, np.nan)


def _population_design(frame: pd.DataFrame, weighting: Weighting) -> FrameDesign:
    if weighting.stratum_column not in frame.columns:
        raise WeightingError(f"stratum column {weighting.stratum_column!r} is not in the read model")
    strata = frame[weighting.stratum_column].astype("string")
    weights = design_weights(strata, weighting.population, by=frame["wave_id"])
    labels = frame["wave_id"].astype("string").fillna("") + ":" + strata.fillna("")
    codes, uniques = pd.factorize(labels)
    sizes = {str(k): float(v) for k, v in weighting.population.items()}
    respondents = labels.value_counts()
    fraction = np.array([min(respondents[u] / sizes[u.split(":", 1)[1]], 1.0) if u.split(":", 1)[1] in sizes
                         else 0.0 for u in uniques])
    return FrameDesign(Design(weights, codes.astype(np.int64), fraction), "population snapshot")


def _sample_design(frame: pd.DataFrame, questionnaire: Questionnaire, rake_by: list[str]) -> FrameDesign | None:
    strata = list(Stratum.objects.filter(sample__wave__questionnaire=questionnaire).values(
        "sample_id", "key", "population", "allocated", "take_all"))
    if not strata or frame.empty:
        return None
    selections = Selection.objects.filter(sample__wave__questionnaire=questionnaire).values_list(
        "sample__wave_id", "firm_id", "sample_id", "stratum__key")
    where = {(wave, firm): f"{sample}:{key}" for wave, firm, sample, key in selections}
    labels = pd.Series([where.get((w, f)) for w, f in zip(frame["wave_id"].tolist(), frame["firm_id"].tolist(),
                                                             strict=True)], dtype=object)
    population = {f"{s['sample_id']}:{s['key']}": s["population"] for s in strata}
    selected = {f"{s['sample_id']}:{s['key']}": s["allocated"] for s in strata}
    weights, facts = stratum_weights(labels, population, selected)
    for s in strata:
        facts[f"{s['sample_id']}:{s['key']}"]["take_all"] = s["take_all"]
    if rake_by:
        weights = _raked(frame, labels, weights, rake_by)
    codes, uniques = pd.factorize(labels)
    codes = np.where(codes < 0, len(uniques), codes).astype(np.int64)  # rows outside: a dummy stratum, weight 0
    fraction = np.array([min(facts[u]["fraction"], 1.0) for u in uniques] + [1.0])
    return FrameDesign(Design(weights, codes, fraction), "samples", facts, int(np.count_nonzero(np.isnan(weights))))


def _raked(frame: pd.DataFrame, labels: pd.Series, weights: np.ndarray, rake_by: list[str]) -> np.ndarray:
    """Rake each sample's respondents to the margins of that sample's register population."""
    from surveys.models import Sample

    unknown = sorted(set(rake_by) - set(RAKE_FIELDS))
    if unknown:
        raise WeightingError(f"cannot rake by {', '.join(unknown)}; use {', '.join(sorted(RAKE_FIELDS))}")
    sources = {name: RAKE_FIELDS[name] for name in rake_by}
    firms = pd.DataFrame.from_records(
        Firm.objects.filter(pk__in=frame["firm_id"].dropna().astype(int).tolist()).values(
            "pk", *{column for column, _ in sources.values()})).set_index("pk")
    out = weights.copy()
    sample_ids = labels.map(lambda label: int(label.split(":")[0]) if label else None)
    for sample in Sample.objects.filter(pk__in=sample_ids.dropna().unique().tolist()):
        rows = (sample_ids == sample.pk).to_numpy() & ~np.isnan(weights)
        register = pd.DataFrame.from_records(firms_filtered(sample.filters).values(
            *{column for column, _ in sources.values()}))
        margins = {}
        for name, (column, derive) in sources.items():
            targets = register[column].map(derive).value_counts().to_dict()
            categories = frame["firm_id"].map(firms[column]).map(derive).to_numpy(dtype=object)
            margins[name] = (categories[rows], targets)
        out[rows] = rake(weights[rows], margins)
    return out
