"""Design-based precision: Taylor-linearised SEs against a published example and samplics, CV flags, Rao-Scott."""
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.stats.design import Design, cv_flag, mean, means_wald, rao_scott, share, total

NHANES = Path(__import__("samplics").__file__).parent / "datasets" / "data" / "nhanes2.csv"


def sig4(value: float) -> str:
    return f"{value:.4g}"


def test_mean_and_se_match_the_published_nhanes_ii_example_to_four_significant_figures():
    """Stata [SVY] manual, `svy: mean zinc` (also the samplics README): 87.18207, SE .4944827, 86.17356-88.19057."""
    data = pd.read_csv(NHANES)
    strata = data["stratid"].to_numpy() - 1
    design = Design(data["finalwgt"].to_numpy(float), strata, np.zeros(strata.max() + 1), data["psuid"].to_numpy())
    zinc = data["zinc"].to_numpy(float)
    result = mean(design, np.nan_to_num(zinc), ~np.isnan(zinc))
    assert design.df == 31  # 62 PSUs - 31 strata
    assert [sig4(result[k]) for k in ("est", "se", "low", "high")] == ["87.18", "0.4945", "86.17", "88.19"]


@pytest.fixture
def stratified():
    """Three strata with finite population corrections; the last is small and heavily sampled."""
    rng = np.random.default_rng(7)
    population, sampled = [400, 150, 30], [40, 30, 30]
    strata = np.repeat([0, 1, 2], sampled)
    weights = np.array([population[h] / sampled[h] for h in strata])
    values = rng.normal(50, 10, 100) + 5 * strata
    groups = rng.integers(0, 2, 100)
    fraction = np.array([n / big for n, big in zip(sampled, population, strict=True)])
    return Design(weights, strata, fraction), values, groups, fraction


def test_means_totals_and_shares_agree_with_samplics_taylor_estimator(stratified):
    from samplics import PopParam, TaylorEstimator

    design, values, groups, fraction = stratified
    fpc = {h: 1 - f for h, f in enumerate(fraction)}
    everyone = np.ones(100, bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for param, ours in ((PopParam.mean, mean(design, values, everyone)),
                            (PopParam.total, total(design, values, everyone))):
            reference = TaylorEstimator(param)
            reference.estimate(y=values, samp_weight=design.weights, stratum=design.strata, fpc=fpc)
            assert (sig4(ours["est"]), sig4(ours["se"])) == (sig4(reference.point_est), sig4(reference.stderror))
        domains = TaylorEstimator(PopParam.mean)
        domains.estimate(y=values, samp_weight=design.weights, stratum=design.strata, fpc=fpc, domain=groups)
        proportion = TaylorEstimator(PopParam.prop)
        proportion.estimate(y=(values > 55).astype(int), samp_weight=design.weights, stratum=design.strata, fpc=fpc)
    for g in (0, 1):
        assert sig4(mean(design, values, groups == g)["se"]) == sig4(domains.stderror[g])
    ours = share(design, values > 55, everyone)
    assert sig4(ours["se"]) == sig4(100 * proportion.stderror[1])


def test_take_all_stratum_that_answered_in_full_has_no_sampling_variance(stratified):
    design, values, _, _ = stratified
    census = Design(design.weights, design.strata, np.array([0.1, 0.2, 1.0]))
    result = mean(census, values, census.strata == 2)
    assert result["se"] == 0 and result["cv"] == 0 and result["flag"] == ""
    assert mean(census, values, census.strata == 0)["se"] > 0


def test_cv_flags_follow_the_published_thresholds():
    assert [cv_flag(c) for c in (None, 5.0, 16.6, 16.7, 33.3, 33.4)] == ["", "", "", "E", "E", "F"]


def test_a_rare_share_in_a_small_domain_is_flagged_for_suppression(stratified):
    design, values, groups, _ = stratified
    rare = share(design, values > 72, groups == 0)
    assert rare["cv"] > 33.3 and rare["flag"] == "F"


def test_rao_scott_on_a_simple_random_sample_is_pearson_scaled_by_n_minus_one_over_n():
    """With equal weights and one stratum, Delta = n/(n-1) I: F x df = X^2 (n-1)/n (Rao and Scott 1984)."""
    rng = np.random.default_rng(3)
    rows, cols = rng.integers(0, 3, 300), rng.integers(0, 2, 300)
    design = Design.simple(np.ones(300))
    result = rao_scott(design, rows, cols, np.ones(300, bool))
    table = pd.crosstab(rows, cols).to_numpy()
    pearson = stats.chi2_contingency(table, correction=False).statistic
    assert result["pearson"] == pytest.approx(pearson)
    assert result["statistic"] * 2 == pytest.approx(pearson * 299 / 300)
    assert result["df"] == pytest.approx(2.0)


def test_rao_scott_deflates_the_chi_square_when_clusters_make_answers_alike():
    data = pd.read_csv(NHANES).dropna(subset=["highbp"])
    strata = data["stratid"].to_numpy() - 1
    design = Design(data["finalwgt"].to_numpy(float), strata, np.zeros(strata.max() + 1), data["psuid"].to_numpy())
    result = rao_scott(design, data["race"].to_numpy().astype(int), data["highbp"].to_numpy().astype(int),
                       np.ones(len(data), bool))
    assert result["mean_deff"] > 1 and result["statistic"] < result["pearson"] / 2


def test_design_t_test_between_two_domains(stratified):
    design, values, groups, _ = stratified
    result = means_wald(design, values, [groups == 0, groups == 1])
    m0, m1 = mean(design, values, groups == 0), mean(design, values, groups == 1)
    assert result["test"] == "design-t" and result["df"] == 97
    # the domains are disjoint but share strata: the SE of the difference is close to sqrt(se0^2 + se1^2)
    assert abs(result["statistic"]) == pytest.approx(abs(m1["est"] - m0["est"]) / np.hypot(m0["se"], m1["se"]),
                                                     rel=0.1)
