"""Significance tests: the engine's p-values are scipy's, run by hand here."""
import numpy as np
import pytest
from scipy import stats

from analytics.stats import computations as comp
from analytics.stats.computations import Column
from analytics.stats.significance import PAPER_STARS_IT, categorical_test, means_test, stars


def _groups(labels):
    labels = np.asarray(labels)
    return [Column("0", "A", labels == 0, tested=True), Column("1", "B", labels == 1, tested=True),
            Column("all", "All", np.ones(len(labels), bool))]


def test_chi_square_without_continuity_correction_as_scipy():
    table = np.array([[80, 43], [110, 26]])  # brands by group, IT Table 2
    result = categorical_test(table)
    expected = stats.chi2_contingency(table, correction=False)
    assert result["test"] == "chi2"
    assert result["p"] == pytest.approx(expected.pvalue) and result["statistic"] == pytest.approx(expected.statistic)
    assert result["p"] == pytest.approx(0.0040, abs=5e-5) and result["statistic"] == pytest.approx(8.29, abs=0.01)


def test_fisher_exact_when_an_expected_count_is_small():
    table = np.array([[1, 8], [20, 30]])
    result = categorical_test(table)
    assert result["test"] == "fisher"
    assert result["p"] == pytest.approx(stats.fisher_exact(table).pvalue)
    assert result["chi2_p"] == pytest.approx(stats.chi2_contingency(table, correction=False).pvalue)
    assert categorical_test(table, "chi2")["test"] == "chi2"


def test_r_by_c_fisher_is_monte_carlo_and_reproducible():
    table = np.array([[134, 32], [29, 6], [26, 23], [1, 8]])
    first, second = categorical_test(table), categorical_test(table)
    assert first["test"] == "fisher-mc" and first["p"] == second["p"] and first["p"] < 0.001
    assert first["chi2"] == pytest.approx(34.40, abs=0.01)


def test_the_engine_tests_the_group_columns_only():
    rng = np.random.default_rng(3)
    group = rng.integers(0, 2, 300)
    values = rng.integers(1, 4, 300).astype(float)
    block = comp.categorical(values, _groups(group), [1, 2, 3], {})
    expected = stats.chi2_contingency(np.array([[np.sum((values == k) & (group == g)) for g in (0, 1)]
                                                for k in (1, 2, 3)]), correction=False)
    assert block["test"]["p"] == pytest.approx(expected.pvalue)


def test_welch_t_test_and_mann_whitney_as_scipy():
    rng = np.random.default_rng(7)
    a, b = rng.normal(26, 10, 150), rng.normal(45, 20, 60)
    assert means_test([a, b])["p"] == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)
    assert means_test([a, b], "mann-whitney")["p"] == pytest.approx(
        stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
    c = rng.normal(30, 5, 40)
    assert means_test([a, b, c], "mann-whitney")["p"] == pytest.approx(stats.kruskal(a, b, c).pvalue)


def test_means_block_excludes_missing_codes_and_tests_by_hand():
    values = np.array([10, 20, -8, 30, np.nan, 40, 50, -9, 60, 70], dtype=float)
    group = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    block = comp.means([("X", "X", values)], _groups(group))
    row = block["rows"][0]
    assert [c["n"] for c in row["cells"]] == [3, 4, 7]
    assert row["cells"][0]["mean"] == pytest.approx(20) and row["cells"][0]["sd"] == pytest.approx(10)
    assert row["cells"][0]["missing"] == {"no_answer": 1, "dont_know": 1}
    assert row["test"]["p"] == pytest.approx(stats.ttest_ind([10, 20, 30], [40, 50, 60, 70], equal_var=False).pvalue)


def test_percentages_are_of_valid_answers_with_missing_counted_apart():
    values = np.array([1, 1, 2, -8, -9, -7, np.nan, 2], dtype=float)
    block = comp.categorical(values, [Column("all", "All", np.ones(8, bool))], [1, 2], {1: "Yes", 2: "No"})
    assert [r["counts"][0] for r in block["rows"]] == [2, 2]
    assert [r["pcts"][0] for r in block["rows"]] == [50.0, 50.0]
    assert block["columns"][0]["n_valid"] == 4
    assert block["columns"][0]["missing"] == {"no_answer": 1, "not_applicable": 1, "dont_know": 1, "refused": 1}


def test_star_thresholds_are_configurable():
    assert [stars(p) for p in (0.0019, 0.018, 0.027, 0.07, 0.2)] == ["***", "**", "**", "*", ""]
    assert [stars(p, PAPER_STARS_IT) for p in (0.0004, 0.0019, 0.018, 0.07)] == ["***", "**", "**", ""]
    assert stars(None) == ""


def test_tiny_tables_with_many_cells_keep_chi_square():
    table = np.array([[1, 0], [0, 1], [1, 1], [2, 0], [0, 1]])
    result = categorical_test(table)
    assert result["test"] == "chi2" and "Fisher" in result["note"]
    assert result["p"] == pytest.approx(stats.chi2_contingency(table, correction=False).pvalue)
