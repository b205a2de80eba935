"""Each item type's validation, through the one path web, imports and generators share."""
import pytest

from surveys.questionnaire.spec import Spec
from surveys.questionnaire.validation import prune, validate_all, validate_page

PAGE1 = {"Q1": "1990", "Q2": "12000", "Q3": "1", "Q4": "30.5", "Q5.D": "70", "Q5.A": "30"}


@pytest.fixture
def spec(mini_definition):
    return Spec(mini_definition)


def errors_for(spec, raw, module="M1", answers=None, **kw):
    return validate_page(spec, module, raw, answers or {}, **kw).errors


@pytest.mark.parametrize("field, value, message", [
    ("Q1", "1799", "between 1800 and 2016"),
    ("Q1", "19x0", "between 1800 and 2016"),
    ("Q2", "abc", "Please enter a number"),
    ("Q2", "-1", "smallest allowed value is 0"),
    ("Q2", "100001", "largest allowed value is 100,000"),  # written the respondent's way
    ("Q2", "12.5", "whole number"),
    ("Q4", "30.55", "at most 1 decimal"),
    ("Q4", "101", "largest allowed value is 100"),
    ("Q3", "7", "choose one of the listed"),
    ("Q1", "", "needs an answer"),
])
def test_field_errors(spec, field, value, message):
    errors = errors_for(spec, {**PAGE1, field: value})
    assert message in " ".join(errors[field])


def test_decimal_comma_is_accepted(spec):
    assert validate_page(spec, "M1", {**PAGE1, "Q4": "30,5"}, {}).values["Q4"] == 30.5


def test_split_must_sum_to_100(spec):
    assert errors_for(spec, {**PAGE1, "Q5.A": "40"})["Q5"] == ["The parts must add up to 100 (now 110)."]


def test_check_on_other_item_with_answer_in_message(spec):
    answers = validate_page(spec, "M1", PAGE1, {}).values
    errors = errors_for(spec, {"Q6": "0", "Q8.1": "2"}, "M2", answers)
    assert errors["Q6"] == ["You said 30% of your suppliers are abroad; please check."]


@pytest.mark.parametrize("selected, message", [
    (["EU", "FE", "OT"], "Choose at most 2."),
    (["EU", "NO"], "cannot be combined"),
    (["XX"], "choose one of the listed"),
])
def test_multiple_choice_rules(spec, selected, message):
    answers = validate_page(spec, "M1", PAGE1, {}).values
    errors = errors_for(spec, {"Q6": "1", "Q7": selected, "Q7.other": "x", "Q8.1": "2"}, "M2", answers)
    assert message in " ".join(errors["Q7"])


def test_other_text_required_when_other_chosen(spec):
    answers = validate_page(spec, "M1", PAGE1, {}).values
    errors = errors_for(spec, {"Q6": "1", "Q7": ["OT"], "Q8.1": "2"}, "M2", answers)
    assert errors["Q7.other"] == ["Please specify “Other (specify)”."]


def test_grid_row_relevance_and_required_rows(spec):
    answers = validate_page(spec, "M1", PAGE1, {}).values
    result = validate_page(spec, "M2", {"Q6": "1", "Q7": ["FE"]}, answers)
    assert "Q8.1" in result.errors and "Q8.EU" not in result.errors  # EU row hidden: FE chosen


def test_country_excludes_and_date_range(spec):
    answers = validate_page(spec, "M1", PAGE1, {}).values
    assert "Q9" in errors_for(spec, {"Q6": "1", "Q7": ["EU"], "Q8.1": "1", "Q8.EU": "1", "Q9": "IT"}, "M2", answers)
    answers.update({"Q6": 1})
    assert "Q12" in errors_for(spec, {"Q11": "1", "Q12": "2018-12-31"}, "M3", answers)
    assert "Q12" in errors_for(spec, {"Q11": "1", "Q12": "31/12/2020"}, "M3", answers)


def test_missing_codes_only_where_allowed(spec):
    raw = {**PAGE1, "Q2": "missing:DK"}
    assert "Q2" in errors_for(spec, raw)
    assert validate_page(spec, "M1", raw, {}, allow_missing=True).values["Q2"] == {"missing": "DK"}


def test_warning_blocks_until_confirmed(spec):
    result = validate_page(spec, "M1", {**PAGE1, "Q2": "800"}, {})
    assert not result.errors and list(result.warnings) == ["Q2#0"]
    assert validate_page(spec, "M1", {**PAGE1, "Q2": "800"}, {}, confirmed={"Q2#0"}).ok


def test_italian_messages(spec):
    errors = errors_for(spec, {**PAGE1, "Q1": ""}, language="it")
    assert errors["Q1"] == ["Questa domanda richiede una risposta."]


def test_strict_mode_rejects_answers_skip_logic_hides(spec):
    answers, errors = validate_all(spec, {**PAGE1, "Q3": "0", "Q4": "", "Q5.D": "", "Q5.A": "", "Q6": "1",
                                          "Q8.1": "2"})
    assert list(errors) == ["Q6"] and "skip logic" in errors["Q6"][0]


def test_prune_drops_answers_that_became_irrelevant(spec):
    answers = {"Q3": 0, "Q4": 20.0, "Q6": 1, "Q7": ["EU"], "Q8.EU": 3, "Q8.1": 2, "Q11": 1}
    assert prune(spec, answers) == {"Q3": 0, "Q8.1": 2}


def test_derived_variables(spec):
    env = spec.env({"Q3": 1, "Q6": 1, "Q2": 1000})
    assert env.derived() == {"$OFFSHORING": 1, "$SIZE": "SMALL"}
    assert spec.env({"Q3": 0}).derived()["$OFFSHORING"] == 0
