"""Weights from the sample the platform drew: N_h / n_h, non-response within strata, take-all, raking."""
import numpy as np
import pytest

from analytics.results.selectors import result_report, result_set_get
from analytics.results.services import results_recompute, results_weighting_set
from analytics.results.weights import frame_design
from analytics.stats.weighting import WeightingError, rake
from surveys.answering.readmodel import readmodel_frame
from surveys.fieldwork.sampling import sample_draw
from surveys.models import Wave
from tests.analytics.conftest import rm_insert
from tests.factories import RegisterFirmFactory


@pytest.fixture
def drawn(instrument_a):
    """40 small firms in TV_FURN, 20 in VI_MECH (n_h = 10 and 5), 3 large firms taken with certainty."""
    RegisterFirmFactory.create_batch(40, district="TV_FURN", employees=20)
    RegisterFirmFactory.create_batch(20, district="VI_MECH", employees=30)
    RegisterFirmFactory.create_batch(3, district="VI_MECH", employees=400)
    wave = Wave.objects.create(questionnaire=instrument_a, version=instrument_a.versions.first(), code="w1")
    sample = sample_draw(wave=wave, name="main", strata_fields=["district"], size=18,
                         take_all={"employees__gte": 250}, seed=5)
    firms = {s.key: list(s.selections.values_list("firm_id", flat=True)) for s in sample.strata.all()}
    rows = ([{"firm_id": f, "A1_10": int(i < 3)} for i, f in enumerate(firms["TV_FURN"][:4])]  # 4 of 10 answer
            + [{"firm_id": f, "A1_10": 0} for f in firms["VI_MECH"][:5]]  # all 5 answer
            + [{"firm_id": f, "A1_10": 1} for f in firms["VI_MECH|TAKE-ALL"]])  # all 3 answer
    rm_insert(instrument_a, rows + [{"firm_id": 999_999, "A1_10": 1}], wave_id=wave.pk)  # one outside the sample
    return instrument_a, sample


def test_weights_are_design_weight_times_the_response_adjustment_per_stratum(drawn):
    questionnaire, sample = drawn
    frame = readmodel_frame(questionnaire, where="status = %s", params=["submitted"])
    found = frame_design(frame=frame, questionnaire=questionnaire)
    weights = found.design.weights
    assert sorted(set(np.round(weights[weights > 0], 6))) == [1.0, 4.0, 10.0]  # take-all, 20/5, 40/4
    assert found.unweighted == 1 and weights.sum() == pytest.approx(63)  # N = 40 + 20 + 3
    facts = found.strata[f"{sample.pk}:TV_FURN"]
    assert (facts["design_weight"], facts["nonresponse_adjustment"], facts["m"]) == (4.0, 2.5, 4)
    assert found.strata[f"{sample.pk}:VI_MECH|TAKE-ALL"]["take_all"] is True


def test_recompute_of_a_drawn_wave_publishes_se_interval_cv_and_design_effect(drawn):
    questionnaire, _ = drawn
    assert results_recompute(questionnaire_id=questionnaire.pk) == "ok"
    result_set = result_set_get(questionnaire=questionnaire)
    assert result_set.payload["design"]["source"] == "samples" and result_set.payload["design"]["take_all"] == 1
    table_1 = result_report(result_set=result_set, name="it-table-1")
    weighted = next(b for b in table_1["blocks"] if b["id"] == "functions")["rows"][0]["weighted"]
    assert weighted["pcts"][0] == pytest.approx(100 * (30 + 3) / 63)  # 3 of 4 in TV_FURN, the take-all firms
    assert weighted["se"][0] > 0 and weighted["cv"][0] > 0 and weighted["deff"][0] > 0
    assert weighted["low"][0] < weighted["pcts"][0] < weighted["high"][0]
    assert weighted["flags"][0] in ("", "E", "F")


def test_raking_to_register_margins_hits_the_margins(drawn):
    questionnaire, _ = drawn
    results_weighting_set(questionnaire=questionnaire, rake_by=["size_class"])
    frame = readmodel_frame(questionnaire, where="status = %s", params=["submitted"])
    weights = frame_design(frame=frame, questionnaire=questionnaire).design.weights
    large = weights[frame["firm_id"].isin(
        list(__import__("surveys.models", fromlist=["Firm"]).Firm.objects.filter(employees=400).values_list(
            "pk", flat=True))).to_numpy()]
    assert large.sum() == pytest.approx(3) and weights.sum() == pytest.approx(63)


def test_rake_pure_function_reaches_both_margins_and_names_missing_totals():
    sizes = np.array(["S", "S", "L", "L", "S"], dtype=object)
    sectors = np.array(["A", "B", "A", "B", "B"], dtype=object)
    raked = rake(np.ones(5), {"size": (sizes, {"S": 60, "L": 40}), "sector": (sectors, {"A": 30, "B": 70})})
    assert raked[sizes == "S"].sum() == pytest.approx(60) and raked[sectors == "A"].sum() == pytest.approx(30)
    with pytest.raises(WeightingError, match="L"):
        rake(np.ones(5), {"size": (sizes, {"S": 60})})


def test_sdmx_csv_of_weighted_results_carries_se_interval_cv_and_status(drawn, capsys):
    import csv
    import io

    from django.core.management import call_command

    call_command("report", "--survey", "italian-districts-2016", "--report", "it-table-1", "--format", "sdmx-csv")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    weighted = next(r for r in rows if r["TABLE"] == "functions" and r["STAT"] == "PCT_W" and r["ROW"] == "A1_10")
    assert float(weighted["OBS_VALUE"]) == pytest.approx(100 * 33 / 63, rel=1e-5)
    assert float(weighted["SE"]) > 0 and float(weighted["CI_LOWER"]) < float(weighted["OBS_VALUE"])
    assert weighted["OBS_STATUS"] in ("A", "U") and weighted["CONF_STATUS"] == "F" and weighted["CV"]


def test_dashboard_shows_se_interval_and_cv_of_a_wave_drawn_by_the_platform(drawn, client, django_user_model):
    from django.urls import reverse

    questionnaire, _ = drawn
    assert results_recompute(questionnaire_id=questionnaire.pk) == "ok"
    client.force_login(django_user_model.objects.create_user("staff", password="pw", is_staff=True))
    page = client.get(reverse("results:dashboard", args=[questionnaire.code]), {"report": "it-table-1"})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="design-summary"' in html and "3 strata, 1 taken whole" in html
    assert "Whole sample SE</th>" in html
    assert "Marketing department" in html and "CV %</th>" in html and "95% CI</th>" in html
    assert f"{100 * 33 / 63:.1f}" in html  # the weighted share of firms with a marketing department


def test_exports_carry_the_weights_of_the_drawn_sample(drawn, tmp_path):
    import csv

    from analytics.data.export.jobs import export_write
    from analytics.data.export.options import ExportOptions

    questionnaire, _ = drawn
    path = tmp_path / "out.csv"
    export_write(questionnaire=questionnaire, options=ExportOptions(format="csv"), path=path)
    with path.open(encoding="utf-8") as handle:
        weights = sorted(row["weight"] for row in csv.DictReader(handle))
    assert weights == [""] + ["1"] * 3 + ["10"] * 4 + ["4"] * 5  # outside the sample: no weight
