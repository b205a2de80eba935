"""The codebook (dict, JSON, CSV, HTML) and variables that keep name and position across versions."""
import copy
import csv
import io
import json

import pytest

from analytics.data.export.jobs import export_write
from analytics.data.export.options import ExportOptions
from analytics.data.imports import responses_import_path
from surveys.answering.readmodel import readmodel_delete
from surveys.fieldwork.invitations import wave_default
from surveys.models import Invitation, Response
from surveys.questionnaire.codebook import codebook_csv, codebook_for
from surveys.questionnaire.definitions import checksum, version_store
from tests.data.conftest import DOMESTIC, record
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db


def test_codebook_has_every_item_with_its_definition(mini_version):
    book = codebook_for(mini_version.questionnaire)
    json.dumps(book)  # JSON-safe as it is
    items = {i["code"]: i for i in book["items"]}
    assert list(items) == [f"Q{n}" for n in range(1, 13)]
    assert items["Q1"]["wording"] == {"en": "Founded?", "it": "Fondata?"}
    assert items["Q1"]["validation"] == {"min": 1800, "max": 2016}
    assert items["Q4"]["relevance"] == "Q3 == 1" and items["Q4"]["checks"][0]["assert"] == "Q4 > 0"
    assert [(c["code"], c["other"], c["exclusive"]) for c in items["Q7"]["choices"]] == [
        ("EU", False, False), ("FE", False, False), ("OT", True, False), ("NO", False, True)]
    assert items["Q7"]["variables"] == ["Q7_EU", "Q7_FE", "Q7_OT", "Q7_NO", "Q7_other"]
    assert [r["code"] for r in items["Q8"]["rows"]] == ["1", "EU"] and items["Q8"]["rows"][1]["relevance"]
    assert items["Q5"]["type"] == "split100" and items["Q5"]["variables"] == ["Q5_D", "Q5_A"]
    derived = {d["name"]: d for d in book["derived"]}
    assert derived["$OFFSHORING"]["expression"] == "if(Q3 == 0, 0, coalesce(Q6, 0))"
    assert derived["$OFFSHORING"]["variable"] == "OFFSHORING" and derived["$OFFSHORING"]["versions"] == [1]
    variables = {v["name"]: v for v in book["variables"]}
    assert variables["Q8_1"]["measure"] == "ordinal" and variables["Q8_1"]["missing_values"] == [-9, -8, -7]
    assert {"code": 1, "label": {"en": "Selected", "it": "Selezionato", "es": "Seleccionado"}} in \
        variables["Q7_EU"]["value_labels"]
    assert [m["code"] for m in book["missing_values"]] == [-7, -8, -9]


def test_codebook_csv_has_one_row_per_variable(mini_version):
    rows = list(csv.DictReader(io.StringIO(codebook_csv(codebook_for(mini_version.questionnaire), "it"))))
    by_name = {r["name"]: r for r in rows}
    assert rows[0]["name"] == "firm" and by_name["Q1"]["label"] == "Fondata?"
    assert "1=Sì" in by_name["Q3"]["value_labels"] and by_name["Q4"]["relevance"] == "Q3 == 1"


@pytest.fixture
def two_versions(mini_version, mini_definition):
    """Version 2 rewords Q1, drops Q10 and adds Q13; a firm answered each version."""
    record(mini_version, FirmFactory(), DOMESTIC)
    definition = copy.deepcopy(mini_definition)
    items = definition["modules"][1]["items"]
    definition["modules"][0]["items"][0]["wording"] = {"en": "Year founded?", "it": "Anno di fondazione?"}
    items[:] = [i for i in items if i["code"] != "Q10"]
    new = copy.deepcopy(definition["modules"][0]["items"][2])
    new.update(code="Q13", wording={"en": "Exporter?"})
    items.append(new)
    definition["checksum"] = checksum(definition)
    v2, what = version_store(definition)
    assert what == "created" and v2.number == 2
    record(v2, FirmFactory(), {**{k: v for k, v in DOMESTIC.items() if k != "Q10"}, "Q13": "1"})
    return mini_version.questionnaire


def test_codebook_says_which_versions_hold_each_item(two_versions):
    book = codebook_for(two_versions)
    items = {i["code"]: i for i in book["items"]}
    assert items["Q1"]["versions"] == [1, 2] and items["Q1"]["wording"]["en"] == "Year founded?"
    assert items["Q1"]["earlier_wordings"] == [{"versions": [1], "wording": {"en": "Founded?", "it": "Fondata?"}}]
    assert items["Q10"]["versions"] == [1] and items["Q13"]["versions"] == [2]
    assert {v["name"]: v["versions"] for v in book["variables"]}["Q13"] == [2]


def test_variables_keep_name_and_position_across_versions(two_versions, tmp_path):
    path = tmp_path / "both.csv"
    export_write(questionnaire=two_versions, options=ExportOptions(), path=path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = list(rows[0])
    assert header.index("Q10") == header.index("Q9") + 1 and header[-1] == "Q13"  # new ones are appended
    v1, v2 = sorted(rows, key=lambda r: r["version"])
    assert (v1["Q13"], v2["Q13"], v1["Q10"], v2["Q10"]) == ("-7", "1", "'" + DOMESTIC["Q10"], "")
    # the mixed file imports back into both waves and exports the same again
    readmodel_delete(list(Response.objects.values_list("pk", flat=True)), two_versions)
    Response.objects.all().delete()
    Invitation.objects.all().delete()
    report = responses_import_path(questionnaire=two_versions, path=path)
    assert report.imported and report.created == 2, report.problems
    again = tmp_path / "again.csv"
    export_write(questionnaire=two_versions, options=ExportOptions(), path=again)
    assert again.read_bytes() == path.read_bytes()
    assert wave_default(questionnaire=two_versions).version.number == 2


def test_codebook_page_is_printable_html_in_each_language(admin_client, mini_version):
    page = admin_client.get("/staff/data/mini-test/codebook/?language=it")
    text = page.content.decode()
    assert page.status_code == 200 and "Fondata?" in text and "Q7_EU" in text and "@media print" in text
    assert "if(Q3 == 0, 0, coalesce(Q6, 0))" in text
    assert admin_client.get("/staff/data/mini-test/codebook.json").json()["questionnaire"] == "mini-test"
    assert admin_client.get("/staff/data/mini-test/codebook.csv").content.startswith(b"name,")
    assert admin_client.get("/staff/data/mini-test/codebook.xml").status_code == 404


def test_codebook_page_is_for_staff_only(client, mini_version):
    assert client.get("/staff/data/mini-test/codebook/").status_code == 302
