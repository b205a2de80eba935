"""Weights: design weights N_h / n_h, non-response adjustment within strata, raking to register margins.

Pure functions. The weight of a respondent of stratum h is N_h / n_h (the inverse of its
selection probability) times n_h / m_h (the inverse of the stratum's response rate): N_h / m_h.
Precision of the weighted estimates is in `analytics.stats.design` (Taylor linearisation).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


class WeightingError(ValueError):
    pass


def design_weights(strata: pd.Series, population: Mapping, *, by: pd.Series | None = None) -> np.ndarray:
    """N_h / m_h for each row; m_h counted within `by` (the wave) when given. NaN outside any stratum."""
    keys = strata.astype("string").to_numpy(dtype=object, na_value=None)
    sizes = {str(k): float(v) for k, v in population.items()}
    unknown = sorted({k for k in keys if k is not None and k not in sizes})
    if unknown:
        raise WeightingError(f"strata without a population size: {', '.join(unknown[:10])}")
    frame = pd.DataFrame({"h": keys, "by": by.to_numpy() if by is not None else 0})
    m_h = frame.groupby(["by", "h"], dropna=False)["h"].transform("size").to_numpy(dtype=float)
    n_h = np.array([sizes.get(k, np.nan) if k is not None else np.nan for k in keys], dtype=float)
    return n_h / m_h


def kish_neff(weights: np.ndarray) -> float:
    weights = weights[~np.isnan(weights)]
    total = weights.sum()
    return float(total * total / (weights * weights).sum()) if total > 0 else 0.0


def stratum_weights(strata: pd.Series, population: Mapping, selected: Mapping) -> tuple[np.ndarray, dict]:
    """Design weight N_h / n_h times the non-response adjustment n_h / m_h, per row; and per-stratum facts.

    `population` is N_h and `selected` n_h per stratum key (the sample's snapshot); m_h counts the
    rows (respondents) of each stratum. Rows with no stratum get NaN. A take-all stratum has
    N_h = n_h, so its design weight is 1; with full response its sampling fraction m_h / N_h is 1.
    """
    keys = strata.astype("string").to_numpy(dtype=object, na_value=None)
    respondents = pd.Series([k for k in keys if k is not None], dtype=object).value_counts().to_dict()
    facts = {}
    for key, n_pop in population.items():
        m_h, n_h = int(respondents.get(key, 0)), int(selected.get(key, 0))
        facts[key] = {"N": int(n_pop), "n": n_h, "m": m_h,
                      "design_weight": n_pop / n_h if n_h else None,
                      "nonresponse_adjustment": n_h / m_h if m_h else None,
                      "weight": n_pop / m_h if m_h else None, "fraction": m_h / n_pop if n_pop else 1.0}
    weights = np.array([facts[k]["weight"] if k in facts and facts[k]["weight"] else np.nan for k in keys],
                       dtype=float)
    return weights, facts


def rake(weights: np.ndarray, margins: Mapping[str, tuple[np.ndarray, Mapping]], *, tolerance: float = 1e-9,
         max_iterations: int = 200) -> np.ndarray:
    """Iterative proportional fitting (Deming and Stephan 1940) of the weights to known margin totals.

    `margins` maps a name to (each row's category, {category: population total}). Starting from
    the design weights, each margin in turn scales the weights of its categories to the totals,
    until no total is off by more than `tolerance` (relative). Rows with NaN weight stay NaN.
    """
    raked = weights.astype(float).copy()
    usable = ~np.isnan(raked)
    for categories, targets in margins.values():
        missing = sorted({str(c) for c in categories[usable]} - {str(k) for k in targets})
        if missing:
            raise WeightingError(f"no register total for {', '.join(missing[:10])}")
    for _ in range(max_iterations):
        worst = 0.0
        for categories, targets in margins.values():
            for key, target in targets.items():
                rows = usable & (categories.astype(str) == str(key))
                current = raked[rows].sum()
                if current <= 0:
                    continue
                worst = max(worst, abs(current - target) / target if target else 0.0)
                raked[rows] *= target / current
        if worst <= tolerance:
            return raked
    raise WeightingError(f"raking did not converge in {max_iterations} iterations")
