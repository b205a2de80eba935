"""`codebook --format ddi`: DDI-Codebook 2.5 XML (variables, labels, categories, missing values, universe)."""
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db
NS = {"ddi": "ddi:codebook:2_5"}
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def ddi(capsys, code, *extra) -> ET.Element:
    call_command("codebook", "--survey", code, "--format", "ddi", *extra)
    return ET.fromstring(capsys.readouterr().out.encode())


def var(root: ET.Element, name: str) -> ET.Element:
    return root.find(f".//ddi:dataDscr/ddi:var[@name='{name}']", NS)


def test_ddi_codebook_has_the_25_root_study_file_and_every_variable(capsys, loaded_instruments):
    root = ddi(capsys, "italian-districts-2016")
    assert root.tag == "{ddi:codebook:2_5}codeBook" and root.get("version") == "2.5"
    assert root.find("ddi:stdyDscr/ddi:citation/ddi:titlStmt/ddi:IDNo", NS).text == "italian-districts-2016"
    variables = root.findall(".//ddi:var", NS)
    call_command("codebook", "--survey", "italian-districts-2016", "--format", "json")
    import json

    book = json.loads(capsys.readouterr().out)
    assert [v.get("name") for v in variables] == [v["name"] for v in book["variables"]]
    assert root.find(".//ddi:fileTxt/ddi:dimensns/ddi:varQnty", NS).text == str(len(variables))
    grouped = {ref for group in root.findall(".//ddi:varGrp", NS) for ref in group.get("var").split()}
    assert grouped == {v.get("ID") for v in variables}


def test_ddi_variable_carries_labels_question_categories_missing_values_and_universe(capsys, loaded_instruments):
    root = ddi(capsys, "italian-districts-2016")
    turnover = var(root, "A1_2")
    assert turnover.get("intrvl") == "contin"
    question = {q.get(LANG): q.find("ddi:qstnLit", NS).text for q in turnover.findall("ddi:qstn", NS)}
    assert question["en"] == "What was the company's turnover in 2015?" and "fatturato" in question["it"]
    missing = {c.find("ddi:catValu", NS).text: c.find("ddi:labl", NS).text
               for c in turnover.findall("ddi:catgry[@missing='Y']", NS)}
    assert missing == {"-7": "Not applicable", "-8": "Don't know", "-9": "Refused"}
    skipped = var(root, "A2_9_1")  # asked only of outsourcers with district suppliers
    assert "A2.3 == 1 and A2.7.D > 0" in skipped.find("ddi:universe", NS).text
    district = var(root, "A_DISTRICT")
    codes = [c.find("ddi:catValu", NS).text for c in district.findall("ddi:catgry", NS) if not c.get("missing")]
    assert codes[:2] == ["D1", "D2"]
    assert district.find("ddi:derivation/ddi:drvcmd", NS).text == "A0.1"


def test_ddi_of_an_unknown_version_is_a_clear_error(capsys, loaded_instruments):
    with pytest.raises(CommandError, match="no version 9"):
        call_command("codebook", "--survey", "italian-districts-2016", "--format", "ddi",
                     "--questionnaire-version", "9")


# The DDI Alliance's DDI-Codebook 2.5 schemas (LGPL-3.0, see the files' headers), kept here so CI validates offline
DDI_SCHEMA = Path(__file__).resolve().parent / "ddi25" / "codebook.xsd"


@pytest.mark.parametrize("code", ["italian-districts-2016", "basque-digital-2019", "backshoring-interview"])
def test_ddi_validates_against_the_ddi_codebook_25_schema(capsys, loaded_instruments, code):
    from lxml import etree

    call_command("codebook", "--survey", code, "--format", "ddi")
    schema = etree.XMLSchema(etree.parse(str(DDI_SCHEMA)))
    document = etree.fromstring(capsys.readouterr().out.encode())
    assert schema.validate(document), schema.error_log
