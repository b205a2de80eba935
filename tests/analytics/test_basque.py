"""Basque-like data (generated through the web's validation): the figures match a direct pandas computation."""
import numpy as np
import pandas as pd
import pytest

from analytics.results.selectors import result_set_get, results_frame
from analytics.results.services import results_recompute
from tests.analytics.conftest import load_instrument, rolled_back

pytestmark = pytest.mark.django_db  # so that the test database is set up before the module fixture
TECH = [f"B1_T{n:02d}" for n in range(1, 16)]


@pytest.fixture(scope="module")
def basque(django_db_setup, django_db_blocker):
    """240 responses generated through the web's validation, recomputed once for the module."""
    from surveys.answering.generate import responses_generate

    with rolled_back(django_db_blocker):
        questionnaire = load_instrument("basque-digital-2019")
        responses_generate(questionnaire=questionnaire, count=240, seed=11)
        assert results_recompute(questionnaire_id=questionnaire.pk) == "ok"
        reports = result_set_get(questionnaire=questionnaire).payload["reports"]
        frame = results_frame(questionnaire=questionnaire)
    return reports.get, frame


def _block(report: dict, block_id: str) -> dict:
    return next(b for b in report["blocks"] if b["id"] == block_id)


def test_adoption_rate_per_technology_matches_pandas(basque):
    report, frame = basque
    rows = {r["code"]: r for r in _block(report("bq-fig-12"), "adoption")["rows"]}
    assert list(rows) == TECH
    for column in TECH:
        expected = frame[column].astype(float).eq(1).mean() * 100
        assert rows[column]["pcts"][0] == pytest.approx(expected, abs=1e-3)
        assert rows[column]["counts"][0] == int(frame[column].eq(1).sum())


def test_number_of_technologies_distribution_matches_pandas(basque):
    report, frame = basque
    block = _block(report("bq-fig-11"), "n-tech")
    counted = frame[TECH].astype(float).eq(1).sum(axis=1)
    assert (counted == frame["B_N_TECH"].astype(float)).all()  # the derived variable agrees with its definition
    expected = counted.value_counts(normalize=True).reindex(range(16), fill_value=0) * 100
    assert [r["pcts"][0] for r in block["rows"]] == pytest.approx(expected.tolist(), abs=1e-3)
    at_least = {a["threshold"]: a["pcts"][0] for a in block["at_least"]}
    assert at_least[2] == pytest.approx((counted >= 2).mean() * 100, abs=1e-3)
    assert at_least[10] == pytest.approx((counted >= 10).mean() * 100, abs=1e-3)


def test_sub_group_distributions_match_a_pandas_crosstab(basque):
    report, frame = basque
    block = _block(report("bq-fig-38"), "set-a")
    groups = frame[frame["B_SUBGROUP"].isin([1, 2])]
    table = pd.crosstab(groups["B_N_SETA"].astype(float), groups["B_SUBGROUP"].astype(float), normalize="columns")
    table = table.reindex(range(11), fill_value=0) * 100
    assert [c["key"] for c in block["columns"]] == ["1", "2"]
    for row in block["rows"]:
        assert row["pcts"] == pytest.approx([table.loc[row["code"], 1.0], table.loc[row["code"], 2.0]], abs=1e-3)
    assert [c["n_valid"] for c in block["columns"]] == groups["B_SUBGROUP"].value_counts().sort_index().tolist()


def test_table_4_is_the_share_rating_4_or_5_among_b12_1_yes(basque):
    report, frame = basque
    block = _block(report("bq-table-4"), "mechanisms")
    base = frame[frame["B_SUBGROUP"].isin([1, 2]) & frame["B12_1"].eq(1)]
    for row in block["rows"]:
        for cell, group in zip(row["cells"], (1, 2), strict=True):
            values = base.loc[base["B_SUBGROUP"] == group, row["code"]].astype(float)
            assert cell["n"] == len(values)
            if len(values):
                assert cell["top_pct"] == pytest.approx(values.isin([4, 5]).mean() * 100, abs=1e-3)


def test_plant_countries_count_firms_per_country(basque):
    report, frame = basque
    block = _block(report("bq-fig-28"), "plant-countries")
    lists = frame.loc[frame["BA7_1"].eq(1), "BA7_2"].dropna().str.split(";")
    expected = lists.explode().value_counts()
    for row in block["rows"]:
        assert row["counts"][0] == expected[row["code"]]
    assert block["rows"][0]["label"] != block["rows"][0]["code"]  # country names, not codes


def test_every_catalogue_block_finds_its_variables(basque):
    report, _ = basque
    from analytics.reports import catalogue

    for named in catalogue("basque-digital-2019"):
        if named.includes:
            continue
        missing = [b["id"] for b in report(named.name)["blocks"] if b.get("unavailable")]
        assert not missing, (named.name, missing)


def test_every_percentage_column_adds_up(basque):
    report, _ = basque
    block = _block(report("bq-fig-17"), "activity")
    assert sum(r["pcts"][0] for r in block["rows"]) == pytest.approx(100)
    assert np.isclose(sum(r["counts"][0] for r in block["rows"]), block["columns"][0]["n_valid"])


def test_table_4_prints_the_papers_mechanism_statements(basque):
    from analytics.results.presentation import block_table

    report, _ = basque
    table_4 = report("bq-table-4")
    labels = [row[0] for row in block_table(_block(table_4, "mechanisms"), table_4)["rows"]]
    assert labels[0].startswith("The use of digital technologies for manufacturing activities improves the "
                                "production cost competitiveness of locations with high labour costs")
    assert labels[4].endswith("close to the end market") and labels[5] == "Others"
