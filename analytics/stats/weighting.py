"""Design weights and weighted estimates (statsmodels), next to the unweighted figures.

Weights are N_h / m_h: the stratum's population size from the sample's population snapshot over
the number of respondents in that stratum. Precision uses Kish's effective sample size
n_eff = (sum w)^2 / sum w^2: weights are rescaled to sum to n_eff before statsmodels computes a
confidence interval or a test, so a weighted estimate is never credited with more information
than n_eff unweighted answers (a first-order design-effect correction, documented in docs/analytics.md).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW, ttest_ind


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


def _rescaled(weights: np.ndarray) -> tuple[np.ndarray, float]:
    n_eff = kish_neff(weights)
    return weights * (n_eff / weights.sum()), n_eff


def weighted_share(indicator: np.ndarray, weights: np.ndarray, confidence: float = 0.95) -> dict:
    """Weighted share of 1s with a Wilson interval on n_eff."""
    if len(indicator) == 0 or weights.sum() <= 0:
        return {"pct": None, "low": None, "high": None, "n_eff": 0.0}
    share = DescrStatsW(indicator.astype(float), weights=weights).mean
    n_eff = kish_neff(weights)
    low, high = proportion_confint(share * n_eff, n_eff, alpha=1 - confidence, method="wilson")
    return {"pct": 100 * float(share), "low": 100 * float(low), "high": 100 * float(high), "n_eff": n_eff}


def weighted_mean(values: np.ndarray, weights: np.ndarray, confidence: float = 0.95) -> dict:
    if len(values) == 0 or weights.sum() <= 0:
        return {"mean": None, "low": None, "high": None, "n_eff": 0.0}
    scaled, n_eff = _rescaled(weights)
    described = DescrStatsW(values.astype(float), weights=scaled)
    low, high = described.tconfint_mean(alpha=1 - confidence) if n_eff > 1 else (np.nan, np.nan)
    return {"mean": float(described.mean), "low": _f(low), "high": _f(high), "n_eff": n_eff}


def weighted_table_test(shares: np.ndarray, n_effs: list[float]) -> dict | None:
    """Chi-square on the weighted column shares scaled to each group's n_eff (categories x groups)."""
    table = np.asarray(shares, dtype=float) * np.asarray(n_effs, dtype=float)[None, :]
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return None
    result = stats.chi2_contingency(table, correction=False)
    return {"test": "rao-scott", "p": _f(result.pvalue), "statistic": _f(result.statistic), "df": int(result.dof)}


def weighted_means_test(samples: list[tuple[np.ndarray, np.ndarray]]) -> dict | None:
    if len(samples) != 2 or any(len(v) < 2 for v, _ in samples):
        return None
    (x1, w1), (x2, w2) = samples
    statistic, p, df = ttest_ind(x1, x2, usevar="unequal", weights=(_rescaled(w1)[0], _rescaled(w2)[0]))
    return {"test": "welch-weighted", "p": _f(p), "statistic": _f(statistic), "df": _f(df)}


def _f(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) or np.isinf(value) else value
