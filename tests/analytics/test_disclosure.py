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


def test_sdmx_csv_carries_conf_status_and_hides_confidential_values(dominated, capsys):
    import csv
    import io

    from django.core.management import call_command

    call_command("report", "--survey", "italian-districts-2016", "--report", "items-by-group", "--format", "sdmx-csv",
                 "--suppress")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["DATAFLOW"] == "BSP:ITALIAN_DISTRICTS_2016_ITEMS_BY_GROUP(1.0)"
    turnover = {r["GROUP"]: r for r in rows if r["TABLE"] == "var-A1_2" and r["STAT"] == "MEAN"}
    assert {g: (r["CONF_STATUS"], r["OBS_VALUE"]) for g, r in turnover.items()} == {
        "0": ("D", ""), "1": ("C", ""), "all": ("F", turnover["all"]["OBS_VALUE"])}
    assert float(turnover["all"]["OBS_VALUE"]) == pytest.approx((900_000 + 20_000 + 615_000) / 11, rel=1e-5)


def test_sdmx_small_counts_keep_the_small_cell_rule_as_conf_status_a():
    from analytics.results.sdmx import report_sdmx_rows

    block = {"id": "t", "kind": "categorical", "columns": [{"key": "all"}],
             "rows": [{"code": 1, "counts": [2], "pcts": [18.2]}, {"code": 2, "counts": [9], "pcts": [81.8]}]}
    rows = report_sdmx_rows({"blocks": [block]}, dataflow="BSP:T(1.0)", suppress_below=5)
    assert [(r["ROW"], r["STAT"], r["OBS_VALUE"], r["CONF_STATUS"]) for r in rows] == [
        ("1", "COUNT", "", "A"), ("1", "PCT", "", "A"), ("2", "COUNT", "", "D"), ("2", "PCT", "", "D")]
    block["rows"].append({"code": 3, "counts": [20], "pcts": [64.5]})  # a third row: only the next smallest goes
    rows = report_sdmx_rows({"blocks": [block]}, dataflow="BSP:T(1.0)", suppress_below=5)
    assert [r["CONF_STATUS"] for r in rows if r["STAT"] == "COUNT"] == ["A", "D", "F"]


def test_dashboard_shows_the_primary_and_secondary_suppressions_to_analysts(dominated, client, django_user_model):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    analyst = django_user_model.objects.create_user("analyst", password="pw")
    analyst.user_permissions.add(Permission.objects.get(codename="view_results"))
    client.force_login(analyst)
    html = client.get(reverse("results:dashboard", args=["italian-districts-2016"]),
                      {"report": "items-by-group"}).content.decode()
    block = html[html.index('id="block-items-by-group-var-A1_2"'):]
    block = block[:block.index("</table>")]
    assert '<td class="text-end">C</td>' in block and '<td class="text-end">D</td>' in block
    assert "184000" not in block
    assert "C = confidential" in html
    dotted = client.get(reverse("results:block_csv", args=["italian-districts-2016", "items-by-group", "item-A1.3"]))
    assert dotted.status_code == 200  # item codes with dots in block ids download too
    published = client.get(reverse("results:block_csv", args=["italian-districts-2016", "items-by-group", "var-A1_2"]))
    assert ",C," in published.content.decode() and ",D," in published.content.decode()
