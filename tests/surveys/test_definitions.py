"""Loading definition files: errors named by item, idempotence, immutable fielded versions."""
import copy

import pytest
import yaml
from django.core.management import call_command

from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Item, QuestionnaireVersion, Response
from surveys.questionnaire.definitions import (
    DefinitionError,
    instrument_files,
    normalise,
    read_reference_lists,
    version_store,
)
from tests.conftest import MINI
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db


def mini_raw() -> dict:
    return yaml.safe_load(MINI.read_text())


def refs():
    return {"COUNTRY": read_reference_lists()["COUNTRY"]}


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["modules"][0]["items"][3].update(relevance="Q3 == "), "item Q4 relevance: cannot parse"),
    (lambda d: d["modules"][0]["items"][3].update(relevance="Q99 == 1"),
     "item Q4 relevance: 'Q99 == 1' refers to unknown Q99"),
    (lambda d: d["modules"][0]["items"][0].update(type="slider"), "item Q1: unknown type 'slider'"),
    (lambda d: d["modules"][1]["items"][1].update(choices="NOPE"), "item Q7: unknown choice list 'NOPE'"),
    (lambda d: d["modules"][0]["items"][1].update(code="Q1"), "item Q1: duplicate code"),
    (lambda d: d["derived"][0].update(expr="$LATER == 1"), "derived $OFFSHORING: '$LATER == 1' refers to unknown"),
    (lambda d: d["choice_lists"]["AREAS"].append({"code": False, "label": {"en": "x"}}), "quote codes"),
])
def test_bad_definitions_are_reported_with_the_item_code(mutate, message):
    raw = mini_raw()
    mutate(raw)
    with pytest.raises(DefinitionError) as exc:
        normalise(raw, refs(), source="mini.yaml")
    assert any(message in e for e in exc.value.errors), exc.value.errors


def test_unchanged_definition_is_idempotent():
    definition = normalise(mini_raw(), refs())
    first, what1 = version_store(definition)
    second, what2 = version_store(copy.deepcopy(definition))
    assert (what1, what2) == ("created", "unchanged") and first.pk == second.pk
    assert QuestionnaireVersion.objects.count() == 1


def test_unfielded_version_is_rewritten_in_place():
    version, _ = version_store(normalise(mini_raw(), refs()))
    raw = mini_raw()
    raw["modules"][0]["items"][0]["wording"]["en"] = "Year of founding?"
    again, what = version_store(normalise(raw, refs()))
    assert what == "rewritten" and again.pk == version.pk
    assert Item.objects.get(version=version, code="Q1").wording["en"] == "Year of founding?"


def test_editing_a_fielded_version_creates_a_new_one_and_old_responses_keep_theirs():
    version, _ = version_store(normalise(mini_raw(), refs()))
    invitation, _, _ = invitation_issue(wave=wave_default(questionnaire=version.questionnaire), firm=FirmFactory())
    raw = mini_raw()
    raw["modules"][0]["items"][0]["wording"]["en"] = "Year of founding?"
    new, what = version_store(normalise(raw, refs()))
    assert what == "created" and new.number == 2
    assert Response.objects.get(invitation=invitation).version == version
    assert Item.objects.get(version=version, code="Q1").wording["en"] == "Founded?"
    assert version.definition["modules"][0]["items"][0]["wording"]["en"] == "Founded?"


def test_load_instruments_loads_the_three_instruments_idempotently(capsys):
    call_command("load_instruments")
    call_command("load_instruments")
    out = capsys.readouterr().out
    for code in ("italian-districts-2016", "basque-digital-2019", "backshoring-interview"):
        assert f"{code}: version 1 created" in out and f"{code}: version 1 unchanged" in out


def test_invite_command_prints_a_personal_url_and_reuses_the_case(capsys, mini_version):
    firm = FirmFactory(identifier="IT00000000001")
    call_command("invite", "--survey", "mini-test", "--firm", "IT00000000001")
    call_command("invite", "--survey", "mini-test", "--firm", str(firm.pk))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("created invitation") and lines[1].startswith("existing invitation")
    assert lines[0].split()[-1] == lines[1].split()[-1] and "/s/" in lines[0]
    assert firm.invitations.count() == 1
    token = lines[0].rsplit("/s/", 1)[1].strip("/")
    assert token not in firm.invitations.get().token_hash



def test_loader_warns_about_texts_missing_in_a_declared_language(caplog):
    raw = yaml.safe_load(MINI.read_text())
    with caplog.at_level("WARNING", logger="surveys.instruments"):
        normalise(raw, {"COUNTRY": read_reference_lists()["COUNTRY"]}, source="mini.yaml")
    messages = [r.getMessage() for r in caplog.records]
    assert "mini.yaml: item Q2 wording: no it text" in messages  # mini.yaml declares en and it
    assert not any("item Q1 wording" in m for m in messages)  # Q1 has both


def test_shipped_instruments_have_every_text_in_every_declared_language(caplog):
    refs = read_reference_lists()
    with caplog.at_level("WARNING", logger="surveys.instruments"):
        for path in instrument_files():
            normalise(yaml.safe_load(path.read_text()), refs, source=path.name)
    assert [r.getMessage() for r in caplog.records] == []
