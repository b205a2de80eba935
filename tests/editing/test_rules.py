"""Every shipped edit rule flags its planted inconsistency, and none flags a clean response."""
import pytest

from analytics.editing.rules import rule_counts, rules_failing, rules_run
from analytics.models import EditCase, RuleResult
from surveys.questionnaire.definitions import DefinitionError, normalise
from surveys.questionnaire.spec import spec_for_version
from tests.editing.conftest import CLEAN_A, CLEAN_B, submitted

PLANTED_A = {
    "A-turnover-split-100": {"A1.3.AB": 30.0},
    "A-suppliers-split-100": {"A2.7.A": 20},
    "A-founded-before-fdi": {"A3.6": 1980},
    "A-founded-before-sourcing": {"A3.2": 1985},
    "A-turnover-per-employee": {"A1.5": 1000},
    "A-turnover-above-frame": {"A1.2": 900, "A1.5": 5},
    "A-backshoring-after-offshoring": {"A4.4": 1995},
    "A-backshoring-needs-offshoring": {"A3.1": 0, "A3.5": 0, "A2.7.A": 0, "A2.7.I": 30, "A3.2": None, "A3.6": None},
    "A-foreign-suppliers-consistent": {"A3.1": 0},
    "A-outsourced-share-positive": {"A2.4": 0.0},
    "A-export-markets-differ": {"A1.4.2": "FR"},
}
PLANTED_B = {
    "B-turnover-per-size-class": {"BA1": 1, "BA2": 5},
    "B-plants-abroad-listed": {"BA7.2": None},
    "B-no-rnd-abroad-exclusive": {"BA8.2": [0, 1]},
    "B-backshoring-after-offshoring": {"BA7.1": 0, "BA7.2": None, "B9.1": 0},
    "B-other-mechanism-described": {"B12.2.M6": 5},
}


def _planted(clean: dict, change: dict) -> dict:
    answers = {**clean, **change}
    return {k: v for k, v in answers.items() if v is not None}


def test_every_shipped_rule_has_a_planted_case(instrument_a, instrument_b):
    for questionnaire, planted in ((instrument_a, PLANTED_A), (instrument_b, PLANTED_B)):
        declared = {r["id"] for r in spec_for_version(questionnaire.versions.get()).edit_rules}
        assert declared == set(planted)


@pytest.mark.parametrize("rule_id", sorted(PLANTED_A))
def test_instrument_a_rule_flags_its_planted_case_only(instrument_a, rule_id):
    spec = spec_for_version(instrument_a.versions.get())
    assert rules_failing(spec, CLEAN_A) == []
    assert rules_failing(spec, _planted(CLEAN_A, PLANTED_A[rule_id])) == [rule_id]


@pytest.mark.parametrize("rule_id", sorted(PLANTED_B))
def test_instrument_b_rule_flags_its_planted_case_only(instrument_b, rule_id):
    spec = spec_for_version(instrument_b.versions.get())
    assert rules_failing(spec, CLEAN_B) == []
    assert rules_failing(spec, _planted(CLEAN_B, PLANTED_B[rule_id])) == [rule_id]


def test_a_rule_that_cannot_be_evaluated_flags_nothing(instrument_a):
    spec = spec_for_version(instrument_a.versions.get())
    assert rules_failing(spec, {"A1.1": 1990, "A3.6": {"missing": "DK"}}) == []


def test_rules_run_stores_failures_and_counts_them_per_rule(instrument_a):
    clean = submitted(instrument_a, CLEAN_A)
    bad = [submitted(instrument_a, _planted(CLEAN_A, PLANTED_A["A-founded-before-fdi"])) for _ in range(2)]
    flagged = rules_run(questionnaire=instrument_a)
    assert flagged == {"A-founded-before-fdi": 2}
    assert not RuleResult.objects.filter(response=clean).exists()
    assert set(EditCase.objects.values_list("response_id", flat=True)) == {r.pk for r in bad}
    counts = {c["id"]: c["flagged"] for c in rule_counts(questionnaire=instrument_a)}
    assert counts["A-founded-before-fdi"] == 2 and counts["A-turnover-split-100"] == 0
    assert rules_run(questionnaire=instrument_a) == flagged  # idempotent
    assert RuleResult.objects.count() == 2


def _raw(**rule):
    base = {"code": "x", "modules": [{"code": "M", "items": [
        {"code": "Q1", "type": "numeric", "wording": {"en": "Q1"}}]}]}
    return {**base, "edit_rules": [rule]}


@pytest.mark.parametrize("rule, message", [
    ({"id": "r1", "severity": "fatal", "condition": "Q1 > 0", "message": {"en": "m"}, "items": ["Q1"]},
     "edit rule r1: severity must be hard or soft"),
    ({"id": "r2", "severity": "hard", "condition": "Q9 > 0", "message": {"en": "m"}, "items": ["Q1"]},
     "edit rule r2: 'Q9 > 0' refers to unknown Q9"),
    ({"id": "r3", "severity": "hard", "condition": "Q1 >", "message": {"en": "m"}, "items": ["Q1"]},
     "edit rule r3: cannot parse"),
    ({"id": "r4", "severity": "soft", "condition": "Q1 > 0", "message": {"en": "m"}, "items": ["Q7"]},
     "edit rule r4: unknown items Q7"),
    ({"id": "r5", "severity": "soft", "condition": "Q1 > 0", "items": ["Q1"]},
     "edit rule r5: the English message is missing"),
])
def test_load_errors_name_the_rule(rule, message):
    with pytest.raises(DefinitionError) as caught:
        normalise(_raw(**rule), {}, source="x.yaml")
    assert any(e.startswith(message) for e in caught.value.errors), caught.value.errors
