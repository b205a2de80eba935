"""Edit rules travel with the workbook: an `edit_rules` sheet out and back in, problems named by rule."""
import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from surveys.authoring.workbook_read import workbook_read
from surveys.models import Questionnaire
from surveys.questionnaire.definitions import DefinitionError, normalise

CODE = "italian-districts-2016"


def test_edit_rules_go_out_as_a_sheet_and_back_in(loaded_instruments, tmp_path):
    target = tmp_path / "a.xlsx"
    call_command("questionnaire_export", "--survey", CODE, "--format", "xlsx", "-o", str(target))
    sheet = load_workbook(target)["edit_rules"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["id", "severity", "condition", "items"] and "message::it" in header
    call_command("questionnaire_import", str(target), "--code", "copy-a")
    original = Questionnaire.objects.get(code=CODE).versions.get().definition
    copy = Questionnaire.objects.get(code="copy-a").versions.get().definition
    assert copy["edit_rules"] == original["edit_rules"] and len(copy["edit_rules"]) == 11
    assert copy["edit_key_items"] == ["A1.2", "A1.5"]


def test_a_broken_rule_in_the_workbook_is_reported_by_rule():
    sheets = {
        "settings": [["form_id", "title", "languages"], ["ruled", "Ruled", "en"]],
        "survey": [["type", "name", "label"], ["begin_group", "M", "Firm"], ["integer", "Q1", "Employees"],
                   ["end_group", "M", ""]],
        "edit_rules": [["id", "severity", "condition", "items", "message"],
                       ["too-many", "soft", "Q1 < 100000", "Q1", "Implausibly many employees"],
                       ["broken", "hard", "Q1 >", "Q1", "Cannot parse"]],
    }
    raw = workbook_read(sheets).raw
    assert [r["id"] for r in raw["edit_rules"]] == ["too-many", "broken"]
    with pytest.raises(DefinitionError) as caught:
        normalise(raw, {}, source="ruled.xlsx")
    assert [e for e in caught.value.errors if e.startswith("edit rule")] == [
        "edit rule broken: cannot parse 'Q1 >' at column 4"]
