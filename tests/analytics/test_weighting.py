"""Design weights N_h / m_h and weighted estimates, against a hand computation."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.results.services import results_recompute, results_weighting_set
from analytics.stats import computations as comp
from analytics.stats.computations import Column
from analytics.stats.design import Design
from analytics.stats.design import mean as design_mean
from analytics.stats.design import share as design_share
from analytics.stats.weighting import design_weights, kish_neff
from tests.analytics.conftest import rm_insert

# Two strata: 4 respondents of a population of 40, 2 of a population of 60.
STRATA = pd.Series(["S", "S", "S", "S", "L", "L"])
YES = np.array([1, 0, 0, 0, 1, 1], dtype=float)


def test_design_weights_are_population_over_respondents_per_stratum():
    weights = design_weights(STRATA, {"S": 40, "L": 60})
    assert weights.tolist() == [10, 10, 10, 10, 30, 30]
    by_wave = design_weights(STRATA, {"S": 40, "L": 60}, by=pd.Series([1, 1, 2, 2, 1, 2]))
    assert by_wave.tolist() == [20, 20, 20, 20, 60, 60]
    with pytest.raises(ValueError, match="X"):
        design_weights(pd.Series(["S", "X"]), {"S": 1})


def test_weighted_share_and_mean_carry_the_stratified_standard_error():
    """Two strata, fractions m_h / N_h: the textbook stratified variance (Cochran 1977, eq. 5.6)."""
    weights = design_weights(STRATA, {"S": 40, "L": 60})
    design = Design(weights, np.array([0, 0, 0, 0, 1, 1]), np.array([4 / 40, 2 / 60]))
    values = np.array([2, 4, 6, 8, 10, 12], dtype=float)
    shares = {"S": 0.4, "L": 0.6}
    by_stratum = {"S": values[:4], "L": values[4:]}
    variance = sum(shares[h] ** 2 * (1 - len(v) / n) * v.var(ddof=1) / len(v)
                   for (h, v), n in zip(by_stratum.items(), (40, 60), strict=True))
    result = design_mean(design, values, np.ones(6, bool))
    assert result["est"] == pytest.approx(8.6)
    assert result["se"] == pytest.approx(math.sqrt(variance))
    half = stats.t.ppf(0.975, 6 - 2) * math.sqrt(variance)  # df = units - strata
    assert (result["low"], result["high"]) == pytest.approx((8.6 - half, 8.6 + half))
    assert design_share(design, YES == 1, np.ones(6, bool))["est"] == pytest.approx(70.0)
    assert kish_neff(weights) == pytest.approx(100 ** 2 / (4 * 10 ** 2 + 2 * 30 ** 2))


def test_blocks_carry_weighted_estimates_next_to_unweighted_ones():
    weights = design_weights(STRATA, {"S": 40, "L": 60})
    column = [Column("all", "All", np.ones(6, bool))]
    block = comp.rates([("Y", "Yes", YES)], column, weights=weights)
    assert block["rows"][0]["pcts"] == [50.0]
    assert block["rows"][0]["weighted"]["pcts"] == [pytest.approx(70.0)]
    cat = comp.categorical(YES, column, [1, 0], {}, weights=weights)
    assert cat["weighted"]["rows"][0]["pcts"] == [pytest.approx(70.0)]
    assert cat["weighted"]["columns"][0]["n_eff"] == pytest.approx(4.55, abs=0.01)


def test_recompute_uses_the_population_snapshot_of_the_sampling_frame(instrument_a):
    rm_insert(instrument_a, [{"A_DISTRICT": "D1", "A1_10": 1}] * 4 + [{"A_DISTRICT": "D4", "A1_10": 0}] * 2)
    results_weighting_set(questionnaire=instrument_a, population={"D1": 10, "D4": 90}, stratum_column="A_DISTRICT",
                          source="issue 4 sample, test")
    assert results_recompute(questionnaire_id=instrument_a.pk) == "ok"
    from analytics.results.selectors import result_report, result_set_get

    table_1 = result_report(result_set=result_set_get(questionnaire=instrument_a), name="it-table-1")
    marketing = next(b for b in table_1["blocks"] if b["id"] == "functions")["rows"][0]
    assert marketing["pcts"][0] == pytest.approx(100 * 4 / 6)
    assert marketing["weighted"]["pcts"][0] == pytest.approx(10.0)  # 10 of a population of 100
