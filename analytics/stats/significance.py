"""Significance tests between groups (scipy), p-values and the stars the studies print.

Pure functions: arrays in, JSON-safe dicts out. Every result names the test it ran, so a report
can say "Fisher's exact test" where the expected counts were too small for chi-square.
"""
from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np
from scipy import stats

# *** p < 0.01, ** p < 0.05, * p < 0.10 (instruments.md §7.11); a report may pass its own legend.
DEFAULT_STARS: tuple[tuple[float, str], ...] = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
# The IT paper's literal legend ("*** Sig. = 0.001 ** Sig. = 0.05"), switchable per report (IC-A10).
PAPER_STARS_IT: tuple[tuple[float, str], ...] = ((0.001, "***"), (0.05, "**"))
MIN_EXPECTED = 5.0
MONTE_CARLO_RESAMPLES = 9999
MONTE_CARLO_MAX_N = 5000  # scipy's r x c Monte Carlo test is fine below this; above, chi-square is kept
MIN_GROUP_N = 3  # a means test needs this many answers in every group; below, the row says so (no stars)
SEED = 20160401  # fixed: the same data always give the same Monte Carlo p-value


def stars(p: float | None, levels=DEFAULT_STARS) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    for threshold, mark in sorted(levels, key=lambda level: level[0]):
        if p < threshold:
            return mark
    return ""


def _num(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def categorical_test(table, policy: str = "auto", min_expected: float = MIN_EXPECTED) -> dict | None:
    """Independence test on a categories x groups table of counts.

    Pearson chi-square without continuity correction (what IT Table 2 uses) is always reported;
    with policy 'auto' the p-value shown comes from Fisher's exact test when an expected count is
    below `min_expected` (exact for 2 x 2, Monte Carlo over tables with the same margins for r x c).
    """
    if policy == "none":
        return None
    table = np.asarray(table, dtype=np.int64)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.ndim != 2 or min(table.shape) < 2:
        return None
    # The same table recurs across reports (a figure and the items-by-group report): test it once.
    return dict(_categorical_test(tuple(map(tuple, table.tolist())), policy, min_expected))


@lru_cache(maxsize=4096)
def _categorical_test(rows: tuple, policy: str, min_expected: float) -> dict:
    table = np.array(rows, dtype=float)
    chi2 = stats.chi2_contingency(table, correction=False)
    smallest = float(chi2.expected_freq.min())
    out = {"test": "chi2", "p": _num(chi2.pvalue), "statistic": _num(chi2.statistic), "df": int(chi2.dof),
           "chi2": _num(chi2.statistic), "chi2_p": _num(chi2.pvalue), "min_expected": round(smallest, 3),
           "n": int(table.sum())}
    if policy == "fisher" or (policy == "auto" and smallest < min_expected):
        out.update(_fisher(table.astype(int)))
    return out


def _fisher(table: np.ndarray) -> dict:
    if table.shape == (2, 2):
        return {"test": "fisher", "p": _num(stats.fisher_exact(table).pvalue)}
    if table.sum() > MONTE_CARLO_MAX_N:
        return {"test": "chi2", "note": "small expected counts; chi-square kept (large N)"}
    # scipy 1.17 mis-shapes its Monte Carlo draws when the table has as many cells as observations
    if table.size >= table.sum():
        return {"test": "chi2", "note": "small expected counts; too few answers for Fisher's exact test"}
    method = stats.MonteCarloMethod(n_resamples=MONTE_CARLO_RESAMPLES, rng=np.random.default_rng(SEED))
    p = stats.fisher_exact(table, method=method).pvalue
    if np.ndim(p) != 0:
        return {"test": "chi2", "note": "small expected counts; Fisher's exact test unavailable"}
    return {"test": "fisher-mc", "p": _num(p), "resamples": MONTE_CARLO_RESAMPLES}


def means_test(samples: list[np.ndarray], policy: str = "welch") -> dict | None:
    """Welch's t-test (or Mann-Whitney U) for two groups; Welch's ANOVA (or Kruskal-Wallis) for more."""
    if policy == "none":
        return None
    samples = [np.asarray(s, dtype=float) for s in samples if len(s) > 0]
    if len(samples) < 2:
        return None
    if any(len(s) < MIN_GROUP_N for s in samples):
        return {"test": policy, "p": None, "statistic": None,
                "note": f"a group has fewer than {MIN_GROUP_N} answers, too few for the test"}
    if all(np.ptp(s) == 0 for s in samples):
        return {"test": policy, "p": None, "statistic": None, "note": "no variation within the groups"}
    with warnings.catch_warnings():  # scipy warns about precision on nearly constant samples
        warnings.simplefilter("ignore", RuntimeWarning)
        return _means_test(samples, policy)


def _means_test(samples: list[np.ndarray], policy: str) -> dict:
    if policy == "mann-whitney":
        if len(samples) == 2:
            result = stats.mannwhitneyu(samples[0], samples[1], alternative="two-sided")
            return {"test": "mann-whitney", "p": _num(result.pvalue), "statistic": _num(result.statistic)}
        result = stats.kruskal(*samples)
        return {"test": "kruskal", "p": _num(result.pvalue), "statistic": _num(result.statistic)}
    if len(samples) == 2:
        result = stats.ttest_ind(samples[0], samples[1], equal_var=False)
        return {"test": "welch", "p": _num(result.pvalue), "statistic": _num(result.statistic),
                "df": _num(result.df)}
    result = stats.f_oneway(*samples, equal_var=False)
    return {"test": "welch-anova", "p": _num(result.pvalue), "statistic": _num(result.statistic)}


def gettext_noop(message: str) -> str:
    """Marks a name for makemessages (this module stays free of Django); translated where it is shown
    (analytics.results.presentation)."""
    return message


TEST_NAMES = {
    "chi2": gettext_noop("Pearson chi-square"),
    "fisher": gettext_noop("Fisher's exact test"),
    "fisher-mc": gettext_noop("Fisher's exact test (Monte Carlo)"),
    "welch": gettext_noop("Welch's t-test"),
    "welch-anova": gettext_noop("Welch's ANOVA"),
    "mann-whitney": gettext_noop("Mann-Whitney U"),
    "kruskal": gettext_noop("Kruskal-Wallis"),
    "rao-scott": gettext_noop("Rao-Scott F (design-based chi-square)"),
    "design-t": gettext_noop("design-based t-test (Taylor linearisation)"),
    "design-wald": gettext_noop("design-based Wald F-test (Taylor linearisation)"),
}
