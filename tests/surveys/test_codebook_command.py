"""`codebook` after `load_instruments` lists every item of the specification with its definition."""
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

SPEC_ITEMS = {
    "italian-districts-2016": (
        "A0.1 A0.2 A1.1 A1.2 A1.3 A1.4.1 A1.4.2 A1.4.3 A1.5 A1.6 A1.7 A1.8 A1.9 A1.10 A1.11 A1.12 A1.13 A1.14 "
        "A2.1 A2.2 A2.3 A2.4 A2.5 A2.6 A2.7 A2.8 A2.9 A3.1 A3.2 A3.3 A3.4 A3.5 A3.6 A3.7 A3.8 A3.9 A3.10 "
        "A4.1 A4.2 A4.3 A4.4 A4.5 A4.6"),
    "basque-digital-2019": (
        "BA1 BA2 BA3 BA4 BA5.1 BA5.2 BA6 BA7.1 BA7.2 BA8.1 BA8.2 BA9 B1 B2 B3 B4 B5 B6 B7.1 B7.2 B7.3 B8 B9.1 "
        "B9.2 B10 B11 B12.1 B12.2 B12.3"),
    "backshoring-interview": (
        "C0.1 C0.2 C0.3 C1.1 C1.2.1 C1.2.2 C1.3 C1.4 C1.5 C1.6 C2.1 C2.2 C3.1 C4.1 C4.2 C4.3 C5.0 C5.1 C5.2 C5.3 "
        "C5.4 C5.5 C6.1 C6.2 C7.1 C7.2 C7.3 C8.1 C8.2 C8.3 C9.1 C9.2 C9.2.code C9.3"),
}


def codebook(capsys, code):
    call_command("codebook", "--survey", code, "--format", "json")
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("code", list(SPEC_ITEMS))
def test_codebook_lists_every_specified_item(capsys, loaded_instruments, code):
    book = codebook(capsys, code)
    assert [i["code"] for i in book["items"]] == SPEC_ITEMS[code].split()


def test_codebook_carries_types_choices_conditions_and_validation(capsys, loaded_instruments):
    items = {i["code"]: i for i in codebook(capsys, "italian-districts-2016")["items"]}
    assert items["A2.7"]["type"] == "split100"
    assert items["A2.9"]["relevance"] == "A2.3 == 1 and A2.7.D > 0"
    assert [c["code"] for c in items["A1.9"]["choices"]] == [1, 2, 3, 4] or \
        [str(c["code"]) for c in items["A1.9"]["choices"]] == ["1", "2", "3", "4"]
    assert items["A1.1"]["validation"].get("min") == 1800
    b = {i["code"]: i for i in codebook(capsys, "basque-digital-2019")["items"]}
    assert b["B1"]["type"] == "grid" and len(b["B1"]["rows"]) == 15
    assert "Big data" in json.dumps(b["B1"]["rows"][0])
    assert b["BA4"]["validation"].get("max_selections") == 3


def test_codebook_csv(capsys, loaded_instruments):
    call_command("codebook", "--survey", "basque-digital-2019", "--format", "csv")
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(("variable", "name", "code")) and "B1_T01" in out


def test_codebook_keeps_the_analyst_notes_respondents_do_not_see(capsys, loaded_instruments):
    items = {i["code"]: i for i in codebook(capsys, "italian-districts-2016")["items"]}
    assert "(r)" in items["A1.1"]["note"]["en"]
    assert "(r)" not in items["A1.1"].get("help", {}).get("en", "")
