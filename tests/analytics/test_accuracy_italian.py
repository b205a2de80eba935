"""IT Table 2 reproduced from a dataset built to the printed counts (instruments.md §4.A.2)."""
import pandas as pd
import pytest

from analytics.reports import Data, compute_report, report_get
from analytics.results.presentation import report_tables
from analytics.results.selectors import result_report, result_set_get
from analytics.results.services import results_recompute
from tests.analytics.conftest import load_instrument, rm_insert, rolled_back
from tests.analytics.datasets import italian_table2_rows

CODE = "italian-districts-2016"
pytestmark = pytest.mark.django_db  # so that the test database is set up before the module fixture


def _cells(tables: list[dict], block: str) -> dict[str, list[str]]:
    table = next(t for t in tables if t["id"] == block)
    return {row[0].rstrip("*"): row[1:] for row in table["rows"]}


@pytest.fixture(scope="module")
def stored(django_db_setup, django_db_blocker) -> dict:
    """The stored reports after a recompute of the Table 2 dataset (read-model rows), once per module."""
    with rolled_back(django_db_blocker):
        questionnaire = load_instrument(CODE)
        rm_insert(questionnaire, italian_table2_rows())
        assert results_recompute(questionnaire_id=questionnaire.pk) == "ok"
        main = result_set_get(questionnaire=questionnaire)
        assert result_report(result_set=main, name="it-table-2") == main.payload["reports"]["it-table-2"]
        return main.payload["reports"]


@pytest.fixture
def table_2(stored):
    return report_tables(stored["it-table-2"])


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
    # one test for the whole table: its stars go with the table and its test line, never on a category label
    assert industry["rows"][0][0] == "Furniture" and industry["stars"] == "**"  # p = 0.027; the paper prints *
    assert "**" in industry["test"]
    assert "χ²(2) = 7.22" in industry["test"] and "p = 0.0270" in industry["test"]
    turnover = next(t for t in table_2 if t["id"] == "turnover")
    assert "χ²(3) = 34.40" in turnover["test"] and turnover["stars"] == "***"
    assert not any(row[0].endswith("*") for row in turnover["rows"])


def test_table_2_every_block_states_its_base(table_2):
    for table in table_2:
        assert any("N = 259" in note for note in table["notes"]), table["id"]


def test_the_papers_own_legend_can_be_switched_on():
    from dataclasses import replace

    from analytics.stats.significance import PAPER_STARS_IT

    report = replace(report_get(CODE, "it-table-2"), stars=PAPER_STARS_IT)
    tables = report_tables(compute_report(report, Data(pd.DataFrame(italian_table2_rows()))))
    functions = [row[0] for row in next(t for t in tables if t["id"] == "functions")["rows"]]
    assert functions[:3] == ["Marketing department**", "Firms with proprietary brands**", "R&D department**"]


def test_table_1_rows_consistent_with_table_2(stored):
    table_1 = report_tables(stored["it-table-1"])
    positioning = _cells(table_1, "positioning")
    assert [positioning[k][:2] for k in positioning if k != "N (valid answers)"][:5] == [
        ["35", "13.5"], ["143", "55.2"], ["66", "25.5"], ["12", "4.6"], ["3", "1.2"]]
    assert _cells(table_1, "competitive-advantage")["Product quality"][:2] == ["95", "36.7"]  # paper 36.8 (IC-A2)
    assert _cells(table_1, "business-group")["Part of a business group"][:2] == ["54", "20.8"]


def _outsourcing_rows() -> list[dict]:
    """Ten outsourcing firms (6 domestic, 4 offshoring) and two that do not outsource."""
    rows = []
    for n in range(6):
        rows.append({"A_OFFSHORING": 0, "A2_3": 1, "A2_4": 20 + n, "A2_5": 10 + n, "A2_7_D": 70, "A2_7_R": 20,
                     "A2_7_I": 10, "A2_7_A": 0, "A2_8_1": 4, "A_HAS_DISTRICT_SUPP": 1, "A2_9_4": 4 + n % 2})
    for n in range(4):
        rows.append({"A_OFFSHORING": 1, "A2_3": 1, "A2_4": 40 + n, "A2_5": 50 + n, "A2_7_D": 40, "A2_7_R": 10,
                     "A2_7_I": 20, "A2_7_A": 30, "A2_8_1": 5, "A_HAS_DISTRICT_SUPP": 1, "A2_9_4": 3 + n % 2})
    rows += [{"A_OFFSHORING": 0, "A2_3": 0, "A2_4": -7, "A2_7_D": -7, "A2_7_R": -7, "A2_7_I": -7, "A2_7_A": -7,
              "A2_8_1": 3, "A_HAS_DISTRICT_SUPP": 0}] * 2
    return rows


def test_table_3_prints_a_structural_zero_and_each_rows_n():
    tables = report_tables(compute_report(report_get(CODE, "it-table-3"), Data(pd.DataFrame(_outsourcing_rows()))))
    location = {r[0].rstrip("*"): r for r in next(t for t in tables if t["id"] == "supplier-location")["rows"]}
    assert location["Abroad"][1:7] == ["—", "6", "30.0", "4", "12.0", "10"]
    assert location["Industrial district"][1:7] == ["70.0", "6", "40.0", "4", "58.0", "10"]
    factors = next(t for t in tables if t["id"] == "local-factors")["rows"][0]
    assert factors[1:7] == ["3.75", "8", "5.00", "4", "4.17", "12"]  # all firms, 1-5 means with two decimals
    assert "Base: firms that outsource, N = 10." in next(t for t in tables if t["id"] == "outsourcing")["notes"][0]


def test_table_4_counts_and_the_33_firms_that_did_not_consider_backshoring():
    rows = ([{"A_EMERGING": 1, "A4_1": 1, "A_BS_CONSIDERED": 1}] * 13 + [{"A_EMERGING": 1, "A4_1": 2,
                                                                          "A_BS_CONSIDERED": 1}] * 4
            + [{"A_EMERGING": 1, "A4_1": 3, "A_BS_CONSIDERED": 0}] * 33)
    rows += [{"A_EMERGING": 0, "A4_1": -7}] * 9
    tables = report_tables(compute_report(report_get(CODE, "it-table-4"), Data(pd.DataFrame(rows))))
    practices = {r[0]: r[1:3] for r in next(t for t in tables if t["id"] == "practices")["rows"]}
    assert practices == {"Closer to Italy": ["4", "8.0"], "In Italy": ["13", "26.0"],
                         "Not considered": ["33", "66.0"], "N (valid answers)": ["50", ""]}  # paper: 65.0 (IC-A17)


def test_every_italian_catalogue_block_finds_its_variables(stored):
    from analytics.reports import catalogue

    for named in catalogue(CODE):
        missing = [b["id"] for b in stored[named.name]["blocks"] if b.get("unavailable")]
        assert not missing, (named.name, missing)
