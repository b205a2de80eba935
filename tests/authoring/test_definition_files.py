"""Questionnaires as workbooks and files: export, import, located problems, versions, stored sources."""
import hashlib
import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from surveys.authoring.definitions import definition_parse, version_import
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Questionnaire, QuestionnaireVersion, Response
from surveys.questionnaire.codebook import codebook_for
from surveys.questionnaire.definitions import DefinitionError
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "supplier-relations-2025.xlsx"
SHIPPED = ("italian-districts-2016", "basque-digital-2019", "backshoring-interview")
SAME_PARTS = ("languages", "modules", "items", "derived", "variables")


def edited(path: Path, edits: dict[str, dict[str, object]]) -> bytes:
    """The workbook with some cells changed: {sheet: {"A3": value}}."""
    book = load_workbook(path)
    for sheet, cells in edits.items():
        for ref, value in cells.items():
            book[sheet][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("code", SHIPPED)
def test_shipped_instrument_goes_out_as_a_workbook_and_back_in_with_an_identical_codebook(
        loaded_instruments, tmp_path, code):
    target = tmp_path / f"{code}.xlsx"
    call_command("questionnaire_export", "--survey", code, "--format", "xlsx", "-o", str(target))
    assert load_workbook(target).sheetnames[:3] == ["survey", "choices", "settings"]
    call_command("questionnaire_import", str(target), "--code", f"copy-{code}")
    original = codebook_for(Questionnaire.objects.get(code=code))
    copy = codebook_for(Questionnaire.objects.get(code=f"copy-{code}"))
    for part in SAME_PARTS:
        assert copy[part] == original[part], part
    assert copy["versions"][0]["checksum"] != ""
    # and the same workbook under its own code changes nothing: same checksum
    version, what = version_import(content=target.read_bytes(), name=target.name)
    assert what == "unchanged" and version.number == 1


@pytest.mark.parametrize("code", SHIPPED)
def test_shipped_instrument_exported_as_yaml_is_its_seed_file(loaded_instruments, tmp_path, code):
    target = tmp_path / f"{code}.yaml"
    call_command("questionnaire_export", "--survey", code, "--format", "yaml", "-o", str(target))
    seed = Path(__file__).resolve().parents[2] / "surveys" / "questionnaire" / "instruments" / f"{code}.yaml"
    assert target.read_bytes() == seed.read_bytes()


def test_a_workbook_questionnaire_exports_to_yaml_that_imports_unchanged(tmp_path):
    version, what = version_import(content=EXAMPLE.read_bytes(), name=EXAMPLE.name)
    assert what == "created" and version.source_format == "xlsx"
    target = tmp_path / "supplier.yaml"
    call_command("questionnaire_export", "--survey", "supplier-relations-2025", "--format", "yaml",
                 "-o", str(target))
    assert yaml.safe_load(target.read_text())["code"] == "supplier-relations-2025"
    again, what = version_import(content=target.read_bytes(), name=target.name)
    assert (what, again.pk) == ("unchanged", version.pk)


def test_the_version_keeps_its_source_file_and_checksum():
    content = EXAMPLE.read_bytes()
    version, _ = version_import(content=content, name=EXAMPLE.name)
    version = QuestionnaireVersion.objects.get(pk=version.pk)
    assert bytes(version.source_file) == content
    assert version.source_checksum == hashlib.sha256(content).hexdigest()
    assert version.source_name == EXAMPLE.name
    assert version.authored["modules"][0]["code"] == "P1"
    assert [i["code"] for i in version.definition["modules"][1]["items"]] == ["S4", "S5", "S6", "S7", "S8"]


def test_every_problem_is_reported_by_sheet_row_and_column_and_nothing_is_stored(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(edited(EXAMPLE, {"survey": {"A3": "slider", "H9": "S99 == 1"},
                                     "choices": {"E2": "maybe"}}))
    with pytest.raises(CommandError) as exc:
        call_command("questionnaire_import", str(bad))
    text = str(exc.value)
    assert "3 problem(s), nothing stored" in text
    assert "survey row 3, column type: unknown type 'slider'" in text
    assert "survey row 9 (item S5) relevance: 'S99 == 1' refers to unknown S99" in text
    assert "choices row 2, column exclusive: 'maybe' is not yes or no" in text
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize("edits, message", [
    ({"survey": {"A4": "select_one NOPE"}}, "survey row 4, column type: no list 'NOPE' in the choices sheet"),
    ({"survey": {"B5": "S1"}}, "survey row 5 (item S1): duplicate code"),
    ({"settings": {"A2": "Not A Code"}}, "settings row 2, column form_id"),
    ({"derived": {"B2": "S77 + 1"}}, "derived row 2 (derived $SIZE): 'S77 + 1' refers to unknown S77"),
    ({"tables": {"F3": "median"}}, "tables row 3 (table suppliers-by-size row 2): statistic 'median'"),
    ({"tables": {"E2": "S404"}}, "tables row 2 (table suppliers-by-size row 1): 'S404' is not an item"),
    ({"survey": {"A2": "begin_group", "A6": "integer"}}, "survey row 6"),
    ({"survey": {"B7": None}}, "survey row 7, column name: a group needs a name"),
])
def test_workbook_mistakes_are_located(edits, message):
    parsed = definition_parse(content=edited(EXAMPLE, edits), name="x.xlsx")
    assert parsed.definition is None
    assert any(message in p for p in parsed.problems), parsed.problems


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"code: [unclosed\n", "not valid YAML"),
    (b"PK\x03\x04garbage", "damaged or truncated"),
    (b"\x00\x01binary", "binary file"),
    (b"- just\n- a list\n", "holds a mapping"),
    (b"code: x\n", "missing top-level key 'modules'"),
])
def test_unreadable_files_get_a_clear_message(content, message):
    parsed = definition_parse(content=content, name="upload.yaml" if not content.startswith(b"PK") else "u.xlsx")
    assert any(message in p for p in parsed.problems), parsed.problems


def test_import_of_a_fielded_version_creates_a_new_version_and_answers_keep_theirs(tmp_path):
    first, _ = version_import(content=EXAMPLE.read_bytes(), name=EXAMPLE.name)
    invitation = invitation_issue(wave=wave_default(questionnaire=first.questionnaire), firm=FirmFactory())[0]
    Response.objects.filter(invitation=invitation).update(answers={"S1": 1990})
    changed = edited(EXAMPLE, {"survey": {"C3": "Founding year?"}})
    second, what = version_import(content=changed, name="v2.xlsx")
    assert what == "created" and second.number == 2
    assert Response.objects.get(invitation=invitation).version_id == first.pk


def test_import_refuses_a_broken_file_without_touching_the_stored_version():
    version_import(content=EXAMPLE.read_bytes(), name=EXAMPLE.name)
    with pytest.raises(DefinitionError):
        version_import(content=edited(EXAMPLE, {"survey": {"H9": "S99 == 1"}}), name="bad.xlsx")
    assert QuestionnaireVersion.objects.count() == 1


@pytest.mark.parametrize("text, item, expected", [
    ("${S4} = 1", "", "S4 == 1"),
    (". >= 1 and . <= 10", "S2", "S2 >= 1 and S2 <= 10"),
    ("selected(${S6}, '2') or ${S2} != 3", "", "sel(S6, 2) or S2 != 3"),
    ("A2.7.R + A2.7.I > 0.5 and A1.4.1 != 'IT'", "A2", "A2.7.R + A2.7.I > 0.5 and A1.4.1 != 'IT'"),
    ("if($X == 1, 0, 1) >= 0", "", "if($X == 1, 0, 1) >= 0"),
])
def test_xlsform_spellings_of_conditions_are_read_as_ours(text, item, expected):
    from surveys.authoring.xlsform import condition

    assert condition(text, item) == expected


def test_a_workbook_written_with_xlsform_conditions_imports():
    content = edited(EXAMPLE, {"survey": {"H9": "${S4} = 1", "I4": ". >= 1"}})
    parsed = definition_parse(content=content, name="x.xlsx")
    assert parsed.problems == []
    items = {i["code"]: i for m in parsed.definition["modules"] for i in m["items"]}
    assert items["S5"]["relevance"] == "S4 == 1" and items["S2"]["checks"][0]["assert"] == "S2 >= 1"
