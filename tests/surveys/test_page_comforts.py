"""The respondent's page through HTTP: errors once with a summary, totals, Change -> review, nothing typed lost."""
import re

import pytest
from django.urls import reverse

from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Response
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db

PAGE1 = {"Q1": "1990", "Q2": "12000", "Q3": "1", "Q4": "30.5", "Q5.D": "70", "Q5.A": "30"}


@pytest.fixture
def case(mini_version):
    def issue(language="en"):
        wave = wave_default(questionnaire=mini_version.questionnaire)
        invitation, token, _ = invitation_issue(wave=wave, firm=FirmFactory(), language=language)
        return invitation, token
    return issue


def url(name, token, **kwargs):
    return reverse(f"surveys:{name}", kwargs={"token": token, **kwargs})


def response_of(invitation) -> Response:
    return Response.objects.get(invitation=invitation)


def test_error_summary_links_each_message_to_its_control_and_each_message_appears_once(client, case):
    _, token = case()
    body = client.post(url("page", token, module="M1"),
                       {**PAGE1, "Q1": "", "Q2": "abc", "Q5.A": "40", "page_revision": 0}).content.decode()
    summary = body[body.index('id="error-summary"'):body.index("</ul>", body.index('id="error-summary"'))]
    links = re.findall(r'<a href="#([^"]+)"[^>]*>([^<]+)</a>', summary)
    assert [target for target, _ in links] == ["id_Q1", "id_Q2", "id_Q5.D"]
    for target, message in links:
        assert body.count(message) == 2, message  # once in the summary, once beside the question
        assert f'id="{target}"' in body
    assert 'aria-invalid="true"' in body and 'aria-describedby="error-Q2' in body


def test_split_to_100_shows_its_running_total(client, case):
    _, token = case()
    body = client.post(url("page", token, module="M1"), {**PAGE1, "Q5.A": "40", "page_revision": 0}).content.decode()
    assert re.search(r'Total: <output id="total-Q5"[^>]*>110</output> / 100', body)


def test_change_from_the_review_returns_to_the_review(client, case):
    invitation, token = case()
    client.post(url("page", token, module="M1"), {**PAGE1, "Q3": "0", "Q4": "", "Q5.D": "", "Q5.A": "",
                                                  "page_revision": 0})
    client.post(url("page", token, module="M2"), {"Q8.1": "2", "page_revision": 1})
    review = client.get(url("review", token)).content.decode()
    assert f'href="{url("page", token, module="M1")}?return=review"' in review
    reply = client.post(url("page", token, module="M1") + "?return=review",
                        {**PAGE1, "Q1": "1991", "Q3": "0", "Q4": "", "Q5.D": "", "Q5.A": "", "page_revision": 2})
    assert reply.status_code == 302 and reply["Location"] == url("review", token)
    assert response_of(invitation).answers["Q1"] == 1991


def test_back_keeps_what_was_typed_on_a_page_that_cannot_be_saved_yet(client, case):
    invitation, token = case()
    client.post(url("page", token, module="M1"), {**PAGE1, "page_revision": 0})
    reply = client.post(url("page_back", token, module="M2"), {"Q6": "1", "Q7": ["EU"], "Q10": "half typed",
                                                                "page_revision": 1})
    assert reply.status_code == 302 and reply["Location"] == url("page", token, module="M1")
    assert response_of(invitation).revision == 1  # Q8.1 is missing: nothing saved...
    body = client.get(url("page", token, module="M2")).content.decode()
    assert "half typed" in body and re.search(r'value="EU"[^>]*checked', body)  # ...and nothing lost
    assert "shown again" in body
    client.post(url("page", token, module="M2"), {"Q6": "1", "Q7": ["EU"], "Q8.1": "3", "Q8.EU": "4",
                                                  "Q10": "done", "page_revision": 1})
    assert "shown again" not in client.get(url("page", token, module="M2")).content.decode()  # draft dropped


def test_back_saves_a_complete_page(client, case):
    invitation, token = case()
    reply = client.post(url("page_back", token, module="M1"), {**PAGE1, "page_revision": 0})
    assert reply["Location"] == url("welcome", token)
    assert response_of(invitation).answers["Q2"] == 12000


def test_language_switch_carries_the_unsaved_values_over_in_the_new_number_format(client, case):
    invitation, token = case("en")
    page = url("page", token, module="M1")
    reply = client.post(f"{url('language', token)}?next={page}&module=M1",
                        {**PAGE1, "Q2": "13,200", "Q4": "60.5", "Q1": "", "page_revision": 0, "language": "it"})
    assert reply.status_code == 302 and reply["Location"] == page
    assert response_of(invitation).language == "it" and response_of(invitation).revision == 0
    body = client.get(page).content.decode()
    assert 'lang="it"' in body and 'value="13.200"' in body and 'value="60,5"' in body


def test_language_switch_never_redirects_off_site(client, case):
    _, token = case()
    reply = client.post(f"{url('language', token)}?next=https://example.org/", {"language": "it"})
    assert reply["Location"] == url("welcome", token)


def test_incomplete_submit_opens_the_first_incomplete_page_and_says_why(client, case):
    _, token = case()
    client.post(url("page", token, module="M1"), {**PAGE1, "page_revision": 0})
    reply = client.post(url("submit", token))
    assert reply["Location"] == url("page", token, module="M2") + "?incomplete=1"
    body = client.get(reply["Location"]).content.decode()
    assert "has not been sent yet" in body and 'id="error-summary"' in body
    assert "This question needs an answer." in body


def test_welcome_page_says_who_runs_the_survey_why_how_answers_are_used_and_whom_to_contact(client, case):
    invitation, token = case("it")
    wave = invitation.wave
    wave.welcome = {"who": {"en": "The Survey Lab", "it": "Il Laboratorio"}, "why": {"it": "Per capire."},
                    "use": {"en": "Only totals.", "it": "Solo totali."}, "contact": {"it": "lab@example.org"}}
    wave.save()
    body = client.get(url("welcome", token)).content.decode()
    for text in ("Chi conduce questa indagine", "Il Laboratorio", "Per capire.", "Solo totali.", "lab@example.org"):
        assert text in body, text


def test_a_new_default_wave_starts_from_the_instruments_welcome_texts(loaded_instruments):
    from surveys.models import Questionnaire

    wave = wave_default(questionnaire=Questionnaire.objects.get(code="basque-digital-2019"))
    assert set(wave.welcome) == {"who", "why", "use", "contact"} and set(wave.welcome["why"]) == {"en", "es"}
