"""IT Table 2 reproduced from a dataset built to the printed counts (instruments.md §4.A.2)."""
import pandas as pd
import pytest

from analytics.presentation import report_tables
from analytics.reports import Data, compute_report, report_get
from analytics.selectors import result_report, result_set_get
from analytics.services import results_recompute
from tests.analytics.conftest import rm_insert
from tests.analytics.datasets import italian_table2_rows

CODE = "italian-districts-2016"


def _cells(tables: list[dict], block: str) -> dict[str, list[str]]:
    table = next(t for t in tables if t["id"] == block)
    return {row[0].rstrip("*"): row[1:] for row in table["rows"]}


@pytest.fixture
def table_2(instrument_a):
    rm_insert(instrument_a, italian_table2_rows())
    assert results_recompute(questionnaire_id=instrument_a.pk) == "ok"
    stored = result_report(result_set=result_set_get(questionnaire=instrument_a), name="it-table-2")
    return report_tables(stored)


def test_table_2_prints_the_papers_counts_and_percentages(table_2):
    turnover = _cells(table_2, "turnover")
    assert turnover["Less than 5 ml Euros"] == ["134", "70.5", "32", "46.4", "166", "64.1"]
    assert turnover["More than 50 ml Euros"] == ["1", "0.5", "8", "11.6", "9", "3.5"]  # printed "0,5"
    industry = _cells(table_2, "industry")
    assert industry["Mechanics"] == ["63", "33.2", "31", "44.9", "94", "36.3"]
    assert industry["Fashion"] == ["55", "28.9", "24", "34.8", "79", "30.5"]  # printed "Fashiom" (IC-A12)
    advantage = _cells(table_2, "competitive-advantage")
    assert advantage["Quality"] == ["72", "37.9", "23", "33.3", "95", "36.7"]
    assert advantage["Efficiency"] == ["20", "10.5", "10", "14.5", "30", "11.6"]
    organisation = _cells(table_2, "organisation")
    assert list(organisation)[:4] == ["Make to order", "Make to stock", "Assemble to order", "Engineer to order"]
    assert organisation["Assemble to order"] == ["33", "17.4", "14", "20.3", "47", "18.1"]
    market = _cells(table_2, "market")
    assert market["B2B"] == ["83", "43.7", "29", "42.0", "112", "43.2"]
    functions = _cells(table_2, "functions")
    assert functions["Marketing department"][:6] == ["63", "33.2", "34", "49.3", "97", "37.5"]
    assert functions["Firms with proprietary brands"][:6] == ["80", "42.1", "43", "62.3", "123", "47.5"]
    founding = _cells(table_2, "founding")["Year of founding"]
    assert (founding[0], founding[2], founding[4]) == ("1984", "1981", "1983")


def test_table_2_recomputes_the_three_cells_the_paper_misprints(table_2):
    positioning = _cells(table_2, "positioning")
    assert positioning["High/medium-high"][:2] == ["127", "66.8"]  # paper: 66.9 (IC-A11)
    assert positioning["Medium-low/low"][:2] == ["13", "6.8"]  # paper: 6.9 (IC-A11)
    assert _cells(table_2, "functions")["R&D department"][4:6] == ["135", "52.1"]  # paper: "35" (IC-A6)


def test_table_2_stars_follow_the_default_legend_and_show_the_p_values(table_2):
    functions = {row[0]: row for row in next(t for t in table_2 if t["id"] == "functions")["rows"]}
    assert functions["Firms with proprietary brands***"][-1] == "0.0040"
    assert functions["R&D department***"][-1] == "0.0019"
    assert functions["Marketing department**"][-1] == "0.0178"
    industry = next(t for t in table_2 if t["id"] == "industry")
    assert industry["rows"][0][0] == "Furniture**"  # p = 0.027: ** by default, the paper prints * (IC-A10)
    assert "χ²(2) = 7.22" in industry["test"] and "p = 0.0270" in industry["test"]
    turnover = next(t for t in table_2 if t["id"] == "turnover")
    assert "χ²(3) = 34.40" in turnover["test"] and turnover["rows"][0][0].endswith("***")


def test_table_2_every_block_states_its_base(table_2):
    for table in table_2:
        assert any("N = 259" in note for note in table["notes"]), table["id"]


def test_the_papers_own_legend_can_be_switched_on():
    from dataclasses import replace

    from analytics.significance import PAPER_STARS_IT

    report = replace(report_get(CODE, "it-table-2"), stars=PAPER_STARS_IT)
    tables = report_tables(compute_report(report, Data(pd.DataFrame(italian_table2_rows()))))
    functions = [row[0] for row in next(t for t in tables if t["id"] == "functions")["rows"]]
    assert functions[:3] == ["Marketing department**", "Firms with proprietary brands**", "R&D department**"]


def test_table_1_rows_consistent_with_table_2(table_2, instrument_a):
    table_1 = report_tables(result_report(result_set=result_set_get(questionnaire=instrument_a), name="it-table-1"))
    positioning = _cells(table_1, "positioning")
    assert [positioning[k][:2] for k in positioning if k != "N (valid answers)"][:5] == [
        ["35", "13.5"], ["143", "55.2"], ["66", "25.5"], ["12", "4.6"], ["3", "1.2"]]
    assert _cells(table_1, "competitive-advantage")["Product quality"][:2] == ["95", "36.7"]  # paper 36.8 (IC-A2)
    assert _cells(table_1, "business-group")["Part of a business group"][:2] == ["54", "20.8"]
