"""Editors' changes: raw answers never overwritten, edited values read by results and edited exports, audit."""
import csv
from unittest.mock import patch

import pytest
from django.core.management import call_command

from analytics.data.export.jobs import export_write
from analytics.data.export.options import ExportOptions
from analytics.editing.edits import EditRefused, flags_accept, value_edit
from analytics.editing.rules import rules_run
from analytics.editing.scores import cases_score
from analytics.models import EditCase, ResultSet, RuleResult, ValueEdit
from analytics.results.services import results_recompute
from surveys.answering.readmodel import readmodel_frame
from surveys.answering.saves import response_save_page, response_submit
from surveys.questionnaire.definitions import normalise, version_store
from tests.editing.conftest import CLEAN_A, submitted

FDI_BEFORE_FOUNDING = {**CLEAN_A, "A3.6": 1980}


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password="pw")


@pytest.fixture
def flagged(instrument_a):
    submitted(instrument_a, CLEAN_A)
    response = submitted(instrument_a, FDI_BEFORE_FOUNDING)
    rules_run(questionnaire=instrument_a)
    cases_score(questionnaire=instrument_a)
    return response


def _turnover_mean(questionnaire) -> float:
    results_recompute(questionnaire_id=questionnaire.pk, force=True)
    payload = ResultSet.objects.get(questionnaire=questionnaire, key="all").payload
    block = next(b for b in payload["reports"]["it-table-1"]["blocks"] if b["id"] == "turnover")
    return block["rows"][0]["cells"][0]["mean"]


def test_fixing_a_value_keeps_the_raw_answer_and_clears_the_flag(flagged, editor):
    edit = value_edit(response_id=flagged.pk, key="A3.6", raw="1995", reason="confirmed", note="phoned", editor=editor)
    flagged.refresh_from_db()
    assert flagged.answers["A3.6"] == 1980  # raw answers never overwritten
    raw = readmodel_frame(flagged.version.questionnaire, where="response_id = %s", params=[flagged.pk])
    edited = readmodel_frame(flagged.version.questionnaire, where="response_id = %s", params=[flagged.pk],
                             values="edited")
    assert raw["A3_6"].iloc[0] == 1980 and edited["A3_6"].iloc[0] == 1995
    assert (edit.old_value, edit.new_value, edit.reason, edit.editor) == (1980, 1995, "confirmed", editor)
    assert edit.rules == ["A-founded-before-fdi"]
    assert RuleResult.objects.get(response=flagged).passed
    case = EditCase.objects.get(response=flagged)
    assert case.open_rules == 0 and case.score == 0


def test_an_edit_is_validated_by_the_items_own_validation(flagged, editor):
    for raw in ("1700", "abc", "1995.5"):  # A3.6 is a year from 1950 to 2016
        with pytest.raises(EditRefused):
            value_edit(response_id=flagged.pk, key="A3.6", raw=raw, reason="confirmed", note="", editor=editor)
    with pytest.raises(EditRefused):
        value_edit(response_id=flagged.pk, key="NOPE", raw="1", reason="confirmed", note="", editor=editor)
    with pytest.raises(EditRefused):
        value_edit(response_id=flagged.pk, key="A3.6", raw="1995", reason="because", note="", editor=editor)
    assert not ValueEdit.objects.exists()


def test_results_use_edited_values(instrument_a, editor):
    response = submitted(instrument_a, CLEAN_A)
    submitted(instrument_a, {**CLEAN_A, "A1.2": 9000})
    assert _turnover_mean(instrument_a) == 7.0  # (5000 + 9000) / 2 thousand euros, in millions
    value_edit(response_id=response.pk, key="A1.2", raw="7000", reason="typing", note="", editor=editor)
    assert _turnover_mean(instrument_a) == 8.0


def test_exports_choose_raw_or_edited_values(flagged, editor, tmp_path):
    value_edit(response_id=flagged.pk, key="A3.6", raw="1995", reason="confirmed", note="", editor=editor)
    years = {}
    for values in ("raw", "edited"):
        path = tmp_path / f"{values}.csv"
        export_write(questionnaire=flagged.version.questionnaire, options=ExportOptions(values=values), path=path)
        rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
        years[values] = sorted(r["A3_6"] for r in rows)
    assert years == {"raw": ["1980", "2005"], "edited": ["1995", "2005"]}


def test_export_command_takes_values(flagged, editor, tmp_path):
    value_edit(response_id=flagged.pk, key="A3.6", raw="1995", reason="confirmed", note="", editor=editor)
    out = tmp_path / "raw.csv"
    call_command("export_responses", survey=flagged.version.questionnaire.code, format="csv", output=str(out),
                 values="raw")
    assert "1980" in out.read_text(encoding="utf-8-sig")


def test_accepting_marks_the_flags_and_empties_the_queue_entry(flagged, editor):
    edit = flags_accept(response_id=flagged.pk, reason="verified", note="firm re-founded", editor=editor)
    result = RuleResult.objects.get(response=flagged)
    assert not result.passed and result.accepted_by == editor and edit.rules == ["A-founded-before-fdi"]
    assert EditCase.objects.get(response=flagged).score == 0
    rules_run(questionnaire=flagged.version.questionnaire)  # a re-run keeps the acceptance
    assert RuleResult.objects.get(response=flagged).accepted_by == editor
    with pytest.raises(EditRefused):
        flags_accept(response_id=flagged.pk, reason="verified", note="", editor=editor)


def test_the_queue_is_ordered_by_score(instrument_a):
    small = submitted(instrument_a, {**FDI_BEFORE_FOUNDING, "A1.2": 2000, "A1.5": 20})
    big = submitted(instrument_a, {**FDI_BEFORE_FOUNDING, "A1.2": 50000, "A1.5": 200})
    soft = submitted(instrument_a, {**CLEAN_A, "A1.2": 20000, "A1.5": 1000})  # 20 k€ per employee: soft
    submitted(instrument_a, CLEAN_A)
    rules_run(questionnaire=instrument_a)
    cases_score(questionnaire=instrument_a)
    order = list(EditCase.objects.values_list("response_id", flat=True))
    assert order == [big.pk, soft.pk, small.pk]
    cases = {c.response_id: c for c in EditCase.objects.all()}
    assert cases[big.pk].suspicion == 1 and cases[soft.pk].suspicion == 0.5
    # turnover 50,000 of 77,000 and employees 200 of 1,260, averaged, as a percentage
    assert cases[big.pk].score == pytest.approx(100 * (50000 / 77000 + 200 / 1260) / 2)


def test_edit_run_prints_the_count_of_each_rule(flagged, capsys):
    call_command("edit_run", survey=flagged.version.questionnaire.code)
    out = capsys.readouterr().out
    assert "A-founded-before-fdi" in out
    line = next(x for x in out.splitlines() if x.startswith("A-founded-before-fdi"))
    assert line.split()[1:] == ["hard", "1", "0"]
    assert "1 responses in the editing queue" in out


def test_an_edit_reports_what_it_changes_in_the_published_estimates(instrument_a, editor):
    response = submitted(instrument_a, CLEAN_A)
    submitted(instrument_a, {**CLEAN_A, "A1.5": 60})
    edit = value_edit(response_id=response.pk, key="A1.5", raw="8", reason="typing", note="", editor=editor)
    assert edit.impact["A1_5"] == {"statistic": "mean", "before": 50.0, "after": 34.0}
    # the derived size class moves too (small -> micro); A_LT50 does not (below 50 before and after)
    assert edit.impact["A_SIZE_EMP=SMALL"] == {"statistic": "%", "before": 50.0, "after": 0.0}
    assert edit.impact["A_SIZE_EMP=MICRO"] == {"statistic": "%", "before": 0.0, "after": 50.0}
    assert not any(k.startswith("A_LT50") for k in edit.impact)


MINI_RULED = {"code": "mini-ruled", "modules": [{"code": "M", "items": [
    {"code": "Q1", "type": "numeric", "wording": {"en": "Employees"}},
    {"code": "Q2", "type": "numeric", "wording": {"en": "Staff abroad"}}]}],
    "edit_rules": [{"id": "abroad-within-total", "severity": "hard", "condition": "Q2 <= Q1",
                    "message": {"en": "More staff abroad than in total."}, "items": ["Q1", "Q2"]}]}


def test_a_submit_runs_the_rules_in_a_task_after_commit(db, django_capture_on_commit_callbacks):
    from surveys.fieldwork.invitations import invitation_issue, wave_default
    from tests.factories import FirmFactory

    version, _ = version_store(normalise(MINI_RULED, {}, source="mini-ruled"))
    invitation, _, _ = invitation_issue(wave=wave_default(questionnaire=version.questionnaire), firm=FirmFactory())
    response = invitation.response
    response_save_page(response_id=response.pk, module_code="M", raw={"Q1": "5", "Q2": "9"}, revision=0)
    with patch("analytics.editing.tasks.editing_run_task.apply_async") as send:
        with django_capture_on_commit_callbacks(execute=True):
            response_submit(response_id=response.pk)
    send.assert_called_once()
    assert send.call_args.args[0] == (response.pk,)
    with django_capture_on_commit_callbacks(execute=True):
        response_submit(response_id=response.pk)  # a second submit is a no-op: nothing more to run
    from analytics.editing.tasks import editing_run_task

    assert editing_run_task(response.pk) == ["abroad-within-total"]
    assert editing_run_task(response.pk) == ["abroad-within-total"]  # idempotent
    assert RuleResult.objects.get(response=response).rule_id == "abroad-within-total"
    assert EditCase.objects.get(response=response).open_rules == 1


def test_the_design_weight_multiplies_the_score(instrument_a):
    from analytics.models import Weighting

    # stratum D1: 1 respondent of 50 firms (weight 50); D2: 2 respondents of 20 firms (weight 10)
    Weighting.objects.create(questionnaire=instrument_a, stratum_column="A_DISTRICT", population={"D1": 50, "D2": 20})
    heavy = submitted(instrument_a, {**FDI_BEFORE_FOUNDING, "A0.1": "D1"})
    light = submitted(instrument_a, {**FDI_BEFORE_FOUNDING, "A0.1": "D2"})
    submitted(instrument_a, {**CLEAN_A, "A0.1": "D2"})
    rules_run(questionnaire=instrument_a)
    cases_score(questionnaire=instrument_a)
    cases = {c.response_id: c for c in EditCase.objects.all()}
    assert (cases[heavy.pk].weight, cases[light.pk].weight) == (50, 10)
    assert list(EditCase.objects.values_list("response_id", flat=True)) == [heavy.pk, light.pk]
    # equal answers: the score is the weight's share of the weighted totals (50 of 70 firms)
    assert cases[heavy.pk].score == pytest.approx(100 * 50 / 70)


def test_a_run_over_the_questionnaire_rebuilds_edited_rows_from_new_answers(flagged, editor):
    """An import may replace a response an editor changed: its edited row is rebuilt from the new answers."""
    from analytics.editing.edits import editing_run_all
    from surveys.answering.readmodel import readmodel_upsert

    value_edit(response_id=flagged.pk, key="A1.2", raw="6000", reason="typing", note="", editor=editor)
    flagged.answers = {**flagged.answers, "A3.6": 2001}  # as a re-import would: the raw answers replaced
    flagged.save()
    readmodel_upsert([flagged], flagged.version.questionnaire)
    assert editing_run_all(questionnaire_id=flagged.version.questionnaire_id) == {}
    edited = readmodel_frame(flagged.version.questionnaire, where="response_id = %s", params=[flagged.pk],
                             values="edited")
    assert (edited["A3_6"].iloc[0], edited["A1_2"].iloc[0]) == (2001, 6000)
    assert RuleResult.objects.get(response=flagged).passed


def test_the_import_enqueues_the_run_after_commit(mini_version, django_capture_on_commit_callbacks):
    import io

    from analytics.data.imports import responses_import
    from tests.factories import FirmFactory

    firm = FirmFactory()
    text = f"firm,Q1,Q2,Q3,Q8_1,Q9,Q10\n{firm.pseudonym},1975,800,0,2,DE,text\n"
    with patch("analytics.editing.tasks.editing_run_all_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            report = responses_import(questionnaire=mini_version.questionnaire, stream=io.BytesIO(text.encode()),
                                      filename="t.csv")
    assert report.imported, report.problems
    delay.assert_called_once_with(mini_version.questionnaire_id)


def test_a_submissions_rules_run_after_its_results_recompute(settings):
    """On a worker that runs one task at a time, scoring the edit queue (a read of every row) must not
    hold up the updated result the respondent's submission asked for: the rules are sent later."""
    from analytics.editing.edits import RUN_TASK, editing_schedule

    with patch("surveys.dispatch.enqueue") as enqueue:
        editing_schedule(response_id=7)
    (name, response_id), options = enqueue.call_args
    assert (name, response_id) == (RUN_TASK, 7)
    assert options["countdown"] == settings.EDITING_RUN_DELAY_SECONDS > settings.ANALYTICS_COALESCE_SECONDS
