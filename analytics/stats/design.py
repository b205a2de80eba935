"""Design-based estimation for a stratified sample: Taylor linearisation, intervals, CV flags, Rao-Scott.

Pure numpy. A `Design` holds, per respondent row, the weight, the stratum, the stratum's sampling
fraction f_h = m_h / N_h and (optionally) a primary sampling unit. Every estimate is a domain
estimate over the whole design (rows outside the domain contribute zeros), so the variance of a
group's share accounts for the group's size being random too (Cochran 1977 §2.13; Lumley 2010 §2.4).

Variance of a linearised variable z (one value per row):
    V = sum_h (1 - f_h) n_h / (n_h - 1) sum_i (z_hi - mean_h z)^2
over the primary units i of stratum h (Wolter 2007, Särndal et al. 1992 §5.5). A take-all stratum
that answered in full has f_h = 1 and contributes no sampling variance. Validated against the
Stata manual / samplics example (NHANES II zinc mean 87.18207, SE 0.4944827) in
tests/analytics/test_design.py.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CAUTION_CV = 16.6  # per cent: published with a "use with caution" flag (Eurostat / ESS practice)
SUPPRESS_CV = 33.3  # per cent: too unreliable to publish
FLAG_CAUTION, FLAG_SUPPRESSED = "E", "F"  # the letters Statistics Canada and Eurostat tables print
FLAG_NAMES = {FLAG_CAUTION: f"use with caution (CV above {CAUTION_CV}%)",
              FLAG_SUPPRESSED: f"too unreliable to publish (CV above {SUPPRESS_CV}%)"}


def _scipy_stats():
    """scipy.stats, imported on first use: it takes over a second to load, and the exports and the
    web workers that import this module for its types mostly never compute an interval."""
    from scipy import stats

    return stats


@dataclass
class Design:
    weights: np.ndarray  # NaN or 0: the row is not part of the design (no stratum it belongs to)
    strata: np.ndarray  # int codes 0..H-1
    fraction: np.ndarray  # f_h per stratum code (m_h / N_h; 0 without finite population correction)
    psu: np.ndarray | None = None  # int codes; None: each row is its own unit

    def __post_init__(self):
        self.weights = np.where(np.isnan(self.weights), 0.0, self.weights).astype(float)
        self.in_design = (self.weights > 0) & (self.strata >= 0)
        units = self._unit_codes()
        self._unit, unit_strata = units
        self.n_units = len(unit_strata)
        self._unit_strata = unit_strata
        self.n_h = np.bincount(unit_strata, minlength=len(self.fraction)).astype(float)
        self.df = max(self.n_units - int(np.count_nonzero(self.n_h)), 1)  # units minus strata, as Stata and R
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = (1 - self.fraction) * self.n_h / (self.n_h - 1)
        self._factor = np.where(self.n_h > 1, np.clip(factor, 0, None), 0.0)

    def _unit_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Each in-design row's primary unit (-1 outside), and each unit's stratum."""
        rows = np.flatnonzero(self.in_design)
        ids = rows if self.psu is None else self.psu[rows]
        pairs = np.stack([self.strata[rows], ids], axis=1) if len(rows) else np.zeros((0, 2), dtype=np.int64)
        unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
        unit = np.full(len(self.weights), -1, dtype=np.int64)
        unit[rows] = inverse.ravel()
        return unit, unique[:, 0].astype(np.int64) if len(unique) else np.zeros(0, dtype=np.int64)

    @classmethod
    def simple(cls, weights: np.ndarray) -> Design:
        """Weights alone: one stratum, with-replacement variance (no finite population correction)."""
        weights = np.asarray(weights, dtype=float)
        return cls(weights, np.zeros(len(weights), dtype=np.int64), np.zeros(1))

    def subset(self, mask: np.ndarray) -> Design:
        """The same design over fewer rows (a result set's scope): strata and fractions kept."""
        psu = None if self.psu is None else self.psu[mask]
        return Design(self.weights[mask], self.strata[mask], self.fraction, psu)

    def covariance(self, z: np.ndarray) -> np.ndarray:
        """Variance-covariance matrix of the totals of the columns of z (rows x k), or a variance for a vector."""
        vector = z.ndim == 1
        z = z.reshape(len(z), -1) if vector else z
        z = z[self.in_design]
        unit, strata, size = self._unit[self.in_design], self._unit_strata, len(self.fraction)
        totals = np.column_stack([np.bincount(unit, weights=col, minlength=self.n_units) for col in z.T])
        sums = np.column_stack([np.bincount(strata, weights=col, minlength=size) for col in totals.T])
        scaled = totals * np.sqrt(self._factor[self._unit_strata])[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            centre = np.where(self.n_h > 0, self._factor / self.n_h, 0.0)
        cov = scaled.T @ scaled - (sums * centre[:, None]).T @ sums
        return float(cov[0, 0]) if vector else cov


# ------------------------------------------------------------------ estimates of one domain
def domain_mean(design: Design, y: np.ndarray, domain: np.ndarray) -> tuple[float, float, np.ndarray]:
    """(ratio estimate, its variance, linearised variable) of the mean of y over the domain."""
    d = domain & design.in_design
    w = design.weights * d
    total_w = w.sum()
    if total_w <= 0:
        return np.nan, np.nan, np.zeros(len(w))
    y = np.where(d, y, 0.0)
    mean = float((w * y).sum() / total_w)
    z = w * (y - mean) / total_w
    return mean, design.covariance(z), z


def domain_total(design: Design, y: np.ndarray, domain: np.ndarray) -> tuple[float, float]:
    w = design.weights * (domain & design.in_design)
    z = w * np.where(w > 0, y, 0.0)
    return float(z.sum()), design.covariance(z)


def srs_variance(design: Design, y: np.ndarray, domain: np.ndarray, mean: float) -> float:
    """Variance of the mean had the same domain been a simple random sample (the design effect's denominator)."""
    d = domain & design.in_design
    n, w = int(np.count_nonzero(d)), design.weights[d]
    if n < 2:
        return np.nan
    population = w.sum()
    spread = (w * (y[d] - mean) ** 2).sum() / population * n / (n - 1)
    return max(1 - n / population, 0.0) * spread / n


def summarise(estimate: float, variance: float, *, df: int, n: int, srs: float = np.nan, scale: float = 1.0,
              bounds: tuple[float, float] | None = None, confidence: float = 0.95) -> dict:
    """Estimate, SE, t interval on the design's degrees of freedom, CV (%), design effect and the CV flag."""
    if np.isnan(estimate):
        return {"est": None, "se": None, "low": None, "high": None, "cv": None, "deff": None, "flag": "", "n": n}
    se = float(np.sqrt(max(variance, 0.0))) if not np.isnan(variance) else np.nan
    half = _scipy_stats().t.ppf(0.5 + confidence / 2, df) * se
    low, high = estimate - half, estimate + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    cv = 100 * se / abs(estimate) if estimate else (0.0 if se == 0 else np.nan)
    return {"est": _num(scale * estimate), "se": _num(scale * se), "low": _num(scale * low),
            "high": _num(scale * high), "cv": _num(cv), "deff": _num(variance / srs if srs and srs > 0 else np.nan),
            "flag": cv_flag(_num(cv)), "n": n}


def cv_flag(cv: float | None) -> str:
    if cv is None:
        return ""
    return FLAG_SUPPRESSED if cv > SUPPRESS_CV else FLAG_CAUTION if cv > CAUTION_CV else ""


def share(design: Design, indicator: np.ndarray, domain: np.ndarray) -> dict:
    """Weighted percentage of rows with indicator true within the domain, with its precision."""
    y = indicator.astype(float)
    mean, variance, _ = domain_mean(design, y, domain)
    n = int(np.count_nonzero(domain & design.in_design))
    srs = srs_variance(design, y, domain, mean) if n else np.nan
    return summarise(mean, variance, df=design.df, n=n, srs=srs, scale=100.0, bounds=(0.0, 1.0))


def mean(design: Design, values: np.ndarray, domain: np.ndarray) -> dict:
    estimate, variance, _ = domain_mean(design, values, domain)
    n = int(np.count_nonzero(domain & design.in_design))
    srs = srs_variance(design, values, domain, estimate) if n else np.nan
    return summarise(estimate, variance, df=design.df, n=n, srs=srs)


def total(design: Design, values: np.ndarray, domain: np.ndarray) -> dict:
    estimate, variance = domain_total(design, values, domain)
    n = int(np.count_nonzero(domain & design.in_design))
    return summarise(estimate if n else np.nan, variance, df=design.df, n=n)


# ------------------------------------------------------------------ tests that account for the design
def rao_scott(design: Design, rows: np.ndarray, cols: np.ndarray, domain: np.ndarray) -> dict | None:
    """Second-order Rao-Scott F test of independence of two codes (ints >= 0) over the domain.

    As R's survey::svychisq(statistic = "F"): Pearson's X^2 of the weighted table scaled to the
    domain's n, divided by the trace of the generalised design-effect matrix Delta, referred to
    F(d0, d0 * df) with d0 = tr(Delta)^2 / tr(Delta^2) (Rao and Scott 1984).
    """
    d = domain & design.in_design & (rows >= 0) & (cols >= 0)
    r_levels, c_levels = np.unique(rows[d]), np.unique(cols[d])
    r, c, n = len(r_levels), len(c_levels), int(np.count_nonzero(d))
    if r < 2 or c < 2 or n < 2:
        return None
    cell = np.searchsorted(r_levels, rows[d]) + r * np.searchsorted(c_levels, cols[d])
    w = design.weights[d]
    p = np.bincount(cell, weights=w, minlength=r * c) / w.sum()
    indicators = np.zeros((len(design.weights), r * c))
    indicators[np.flatnonzero(d), cell] = 1.0
    z = (design.weights * d)[:, None] * (indicators - p[None, :]) / w.sum()
    z[~d] = 0.0
    variance = design.covariance(z)
    contrast = _interaction_contrasts(r, c)
    inverse = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
    denominator = contrast.T @ (np.diag(inverse) / n) @ contrast
    numerator = contrast.T @ np.diag(inverse) @ variance @ np.diag(inverse) @ contrast
    delta = np.linalg.lstsq(denominator, numerator, rcond=None)[0]
    trace, trace2 = float(np.trace(delta)), float(np.trace(delta @ delta))
    table = (p * n).reshape(c, r).T
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum(np.where(expected > 0, (table - expected) ** 2 / expected, 0.0)))
    if trace <= 0 or trace2 <= 0:
        return {"test": "rao-scott", "p": None, "statistic": None, "note": "no sampling variance in this table"}
    d0 = trace * trace / trace2
    statistic = pearson / trace
    p_value = _scipy_stats().f.sf(statistic, d0, d0 * design.df)
    return {"test": "rao-scott", "p": _num(p_value), "statistic": _num(statistic), "df": _num(d0),
            "df_denominator": _num(d0 * design.df), "pearson": _num(pearson),
            "mean_deff": _num(trace / ((r - 1) * (c - 1)))}


def _interaction_contrasts(r: int, c: int) -> np.ndarray:
    """Interaction columns of an r x c table (cells rows-fastest) made orthogonal to the main effects."""
    row = np.tile(np.arange(r), c)
    col = np.repeat(np.arange(c), r)
    main = np.column_stack([np.ones(r * c)] + [row == i for i in range(1, r)] + [col == j for j in range(1, c)])
    inter = np.column_stack([(row == i) & (col == j) for i in range(1, r) for j in range(1, c)]).astype(float)
    coef = np.linalg.lstsq(main.astype(float), inter, rcond=None)[0]
    return inter - main.astype(float) @ coef


def means_wald(design: Design, values: np.ndarray, domains: list[np.ndarray]) -> dict | None:
    """Design-based test that the domain means are equal: t for two groups, Wald F for more."""
    if len(domains) < 2 or any(np.count_nonzero(dm & design.in_design) < 2 for dm in domains):
        return None
    estimates, z = [], []
    for domain in domains:
        m, _, lin = domain_mean(design, values, domain)
        estimates.append(m)
        z.append(lin)
    diffs = np.array(estimates[1:]) - estimates[0]
    cov = design.covariance(np.column_stack([zi - z[0] for zi in z[1:]]))
    if len(domains) == 2:
        se = float(np.sqrt(cov[0, 0]))
        if se == 0:
            return {"test": "design-t", "p": None, "statistic": None, "note": "no sampling variance"}
        t = float(diffs[0] / se)
        return {"test": "design-t", "p": _num(2 * _scipy_stats().t.sf(abs(t), design.df)), "statistic": _num(t),
                "df": design.df}
    wald = float(diffs @ np.linalg.pinv(cov) @ diffs)
    k = len(domains) - 1
    return {"test": "design-wald", "p": _num(_scipy_stats().f.sf(wald / k, k, design.df)), "statistic": _num(wald / k),
            "df": k, "df_denominator": design.df}


def _num(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if np.isnan(value) or np.isinf(value) else value
