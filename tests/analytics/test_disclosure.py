"""Disclosure control of magnitude tables: threshold, dominance, secondary suppression, flags in every output."""
import numpy as np
import pytest

from analytics.results.presentation import block_table, table_csv
from analytics.results.selectors import result_report, result_set_get
from analytics.results.services import results_recompute
from analytics.stats.disclosure import (
    PRIMARY_DOMINANCE,
    PRIMARY_THRESHOLD,
    SECONDARY,
    magnitude_status,
    primary,
    secondary,
)
from tests.analytics.conftest import rm_insert


def test_threshold_rule_needs_three_contributors():
    assert primary(np.array([5.0, 7.0])) == PRIMARY_THRESHOLD
    assert primary(np.array([5.0, 7.0, 6.0])) == ""


def test_p_percent_rule_flags_a_cell_the_second_largest_firm_could_estimate_the_largest_in():
    # 1000 - 900 - 60 = 40 < 10% of 900: the runner-up learns the leader's turnover within 10%
    assert primary(np.array([900.0, 60.0, 20.0, 20.0])) == PRIMARY_DOMINANCE
    assert primary(np.array([400.0, 300.0, 200.0, 100.0])) == ""
    assert primary(np.array([500.0, 400.0, 60.0, 40.0]), nk=(2, 85.0)) == PRIMARY_DOMINANCE  # (2, 85) dominance


def test_a_lone_hidden_group_cell_gets_a_secondary_suppression_of_the_smallest_other_group():
    assert secondary([PRIMARY_DOMINANCE, "", "", ""], [1000, 50, 80, 1130], [0, 1, 2], 3) == \
        [PRIMARY_DOMINANCE, SECONDARY, "", ""]
    assert secondary(["", "", ""], [1, 2, 3], [0, 1], 2) == ["", "", ""]
    assert secondary([PRIMARY_THRESHOLD, "", PRIMARY_THRESHOLD], [1, 2, 3], [0, 1], 2) == \
        [PRIMARY_THRESHOLD, "", PRIMARY_THRESHOLD]  # the margin itself is hidden: nothing to derive


def test_magnitude_status_of_a_row():
    samples = [np.array([5000.0, 10.0, 10.0, 5.0]), np.array([10.0, 12.0, 9.0, 11.0]),
               np.array([3000.0, 4000.0, 5000.0]),
               np.array([5000.0, 10.0, 10.0, 5.0, 10.0, 12.0, 9.0, 11.0, 3000.0, 4000.0, 5000.0])]
    assert magnitude_status(samples, [0, 1, 2], 3) == [PRIMARY_DOMINANCE, SECONDARY, "", ""]


@pytest.fixture
def dominated(instrument_a):
    """Offshoring firms: one giant among small ones; domestic firms: ordinary turnovers (k EUR)."""
    rows = ([{"A_OFFSHORING": 1, "A1_2": 900_000}] + [{"A_OFFSHORING": 1, "A1_2": 5_000}] * 4
            + [{"A_OFFSHORING": 0, "A1_2": 100_000 + 1_000 * i} for i in range(6)])
    rm_insert(instrument_a, rows)
    assert results_recompute(questionnaire_id=instrument_a.pk) == "ok"
    report = result_report(result_set=result_set_get(questionnaire=instrument_a), name="items-by-group")
    return report, next(b for b in report["blocks"] if b["variables"] == ["A1_2"])


def test_a_dominant_firm_shows_primary_and_secondary_suppressions(dominated):
    report, block = dominated
    keys = [c["key"] for c in block["columns"]]
    status = dict(zip(keys, block["rows"][0]["confidentiality"], strict=True))
    assert status == {"0": SECONDARY, "1": PRIMARY_DOMINANCE, "all": ""}
    published = block_table(block, report, suppress_below=5)
    row = published["rows"][0]
    assert "C" in row and "D" in row and "184000.00" not in row  # the offshoring mean is hidden
    assert any("C = confidential" in note for note in published["notes"])
    assert "C" in table_csv(published).splitlines()[1].split(",")
    analyst = block_table(block, report)  # staff see the value with its flag
    assert any(cell.endswith("(C)") for cell in analyst["rows"][0])
