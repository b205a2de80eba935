"""Numbers as the respondent's language writes them: read, refused when ambiguous, written back."""
import re
from decimal import Decimal

import pytest
import yaml
from django.urls import reverse

from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Response
from surveys.questionnaire.definitions import INSTRUMENT_DIR, instrument_files, normalise, read_reference_lists
from surveys.questionnaire.numbers import number_format, number_read
from surveys.questionnaire.spec import Spec
from surveys.questionnaire.validation import clean_field
from tests.factories import FirmFactory


@pytest.mark.parametrize("typed, language, value", [
    ("13.200", "it", "13200"), ("13.200", "es", "13200"), ("13,200", "en", "13200"),
    ("60,5", "it", "60.5"), ("60,5", "es", "60.5"), ("60.5", "en", "60.5"),
    ("1.234.567,25", "it", "1234567.25"), ("1,234,567.25", "en", "1234567.25"),
    ("13 200", "it", "13200"), ("13\u00a0200", "en", "13200"), ("-4,5", "es", "-4.5"),
    ("0,125", "it", "0.125"), ("0.125", "en", "0.125"),
    ("60.5", "it", "60.5"),  # the other convention, where it can only mean one thing
    ("13,200.5", "it", "13200.5"), ("13.200,5", "en", "13200.5"),
])
def test_a_number_is_read_the_way_its_language_writes_it(typed, language, value):
    assert number_read(typed, language).value == Decimal(value)


@pytest.mark.parametrize("typed, language", [("13,200", "it"), ("13,200", "es"), ("13.200", "en")])
def test_a_lone_separator_before_three_digits_is_ambiguous_across_languages(typed, language):
    reading = number_read(typed, language)
    assert reading.value is None and reading.ambiguous == (Decimal("13.2"), Decimal("13200"))


@pytest.mark.parametrize("typed", ["1.2.3", "12,3,4", "abc", "1e5", "1.23.456", "--1", ""])
def test_malformed_numbers_are_not_read(typed):
    assert number_read(typed, "it").value is None and number_read(typed, "it").ambiguous is None


@pytest.mark.parametrize("value, language, text", [
    (13200, "it", "13.200"), (13200, "es", "13.200"), (13200, "en", "13,200"), (60.5, "it", "60,5"),
    (60.5, "en", "60.5"), (1234567.25, "es", "1.234.567,25"), (100.0, "it", "100"), (-4.5, "it", "-4,5"),
])
def test_numbers_are_written_back_in_the_respondents_format(value, language, text):
    assert number_format(value, language) == text
    assert number_read(text, language).value == Decimal(str(value))


def test_years_are_written_without_grouping():
    assert number_format(2015, "it", grouping=False) == "2015"


def _instruments() -> list[Spec]:
    refs = read_reference_lists(INSTRUMENT_DIR / "reference_lists.yaml")
    return [Spec(normalise(yaml.safe_load(p.read_text()), refs, source=p.name)) for p in instrument_files()]


EXAMPLE = re.compile(r"(?:for example|for instance|e\.g\.|per esempio|ad esempio|por ejemplo)[:,]?\s+"
                     r"(-?\d[\d.,]*\d|\d)", re.IGNORECASE)


def test_every_number_written_as_an_example_in_a_help_text_passes_validation():
    tried = []
    for spec in _instruments():
        for item in spec.items.values():
            number_fields = [f for f in item.fields if f.kind == "number"]
            for language, help_text in (item.help or {}).items():
                for example in EXAMPLE.findall(help_text):
                    for f in number_fields:
                        value, error = clean_field(f, example, language)
                        assert error is None, f"{item.code} ({language}): example {example!r} refused: {error}"
                        tried.append((item.code, language, example, value))
    assert ("A1.2", "it", "13.200", 13200) in tried and ("A1.2", "en", "13,200", 13200) in tried


@pytest.fixture
def italian_case(mini_version):
    wave = wave_default(questionnaire=mini_version.questionnaire)
    invitation, token, _ = invitation_issue(wave=wave, firm=FirmFactory(), language="it")
    return invitation, token


PAGE1_IT = {"Q1": "1990", "Q2": "13.200", "Q3": "1", "Q4": "60,5", "Q5.D": "70", "Q5.A": "30", "page_revision": 0}


@pytest.mark.django_db
def test_italian_respondent_types_thousands_and_decimals_and_sees_them_back(client, italian_case):
    invitation, token = italian_case
    url = reverse("surveys:page", kwargs={"token": token, "module": "M1"})
    assert client.post(url, PAGE1_IT).status_code == 302
    answers = Response.objects.get(invitation=invitation).answers
    assert answers["Q2"] == 13200 and answers["Q4"] == 60.5 and answers["Q1"] == 1990
    body = client.get(url).content.decode()
    assert 'value="13.200"' in body and 'value="60,5"' in body and 'value="1990"' in body


@pytest.mark.django_db
def test_ambiguous_number_is_refused_with_both_readings_and_nothing_saved(client, italian_case):
    invitation, token = italian_case
    url = reverse("surveys:page", kwargs={"token": token, "module": "M1"})
    reply = client.post(url, {**PAGE1_IT, "Q2": "13,200"})
    assert reply.status_code == 422
    assert "«13,200» si può leggere come 13,2 o come 13.200" in reply.content.decode()
    assert Response.objects.get(invitation=invitation).revision == 0


@pytest.mark.django_db
def test_english_respondent_writes_commas_for_thousands(client, mini_version):
    invitation, token, _ = invitation_issue(wave=wave_default(questionnaire=mini_version.questionnaire),
                                            firm=FirmFactory(), language="en")
    url = reverse("surveys:page", kwargs={"token": token, "module": "M1"})
    data = {**PAGE1_IT, "Q2": "13,200", "Q4": "60.5"}
    assert client.post(url, data).status_code == 302
    assert Response.objects.get(invitation=invitation).answers["Q2"] == 13200
    review = client.get(reverse("surveys:review", kwargs={"token": token})).content.decode()
    assert "13,200" in review and "60.5" in review


@pytest.mark.django_db
def test_a_huge_number_gets_a_message_not_a_server_error(client, italian_case):
    _, token = italian_case
    url = reverse("surveys:page", kwargs={"token": token, "module": "M1"})
    reply = client.post(url, {**PAGE1_IT, "Q2": "9" * 60, "Q4": "1" + "0" * 40 + ",5"})
    assert reply.status_code == 422 and "Questo numero è troppo grande." in reply.content.decode()
