"""The interviewer's screens speak the interviewer's language (their setting, else the browser's); only the
question wording follows the firm's, since the interviewer reads it out."""
import html

import pytest
from django.test import Client
from django.urls import reverse

from surveys.accounts.language import user_language_set
from surveys.questionnaire.texts import t
from tests.cati.conftest import PAGE1, open_case

pytestmark = pytest.mark.django_db
BAD_YEAR = {**PAGE1, "Q1": "abc"}


def _interview(client, case, accept: str):
    client.post(reverse("cati:interview", kwargs={"pk": case.pk}), HTTP_ACCEPT_LANGUAGE=accept)
    return client.post(reverse("cati:page", kwargs={"pk": case.pk, "module": "M1"}),
                       {**BAD_YEAR, "page_revision": 0}, HTTP_ACCEPT_LANGUAGE=accept)


def test_an_english_interviewer_gets_english_messages_for_an_italian_firm(mini_version, interviewer):
    case, _ = open_case(mini_version, interviewer, language="it")
    assert case.invitation.response.language == "it"
    client = Client()
    client.force_login(interviewer)
    page = _interview(client, case, "en-GB,en;q=0.9")
    text = html.unescape(page.content.decode())
    assert page.status_code == 422
    assert t("year", "en", a=1800, b=2016) in text and t("year", "it", a=1800, b=2016) not in text
    assert t("errors_on_page", "en") in text and t("error_summary_title", "en") in text
    assert "Fondata?" in text  # the wording the interviewer reads out: the firm's language
    assert t("next", "en") in text and t("next", "it") not in text


def test_an_italian_interviewer_gets_italian_messages_for_an_english_firm(mini_version, interviewer):
    user_language_set(user=interviewer, language="it")
    case, _ = open_case(mini_version, interviewer, language="en")
    client = Client()
    client.force_login(interviewer)
    page = _interview(client, case, "en-GB,en;q=0.9")  # the setting beats the browser
    text = html.unescape(page.content.decode())
    assert page.status_code == 422
    assert t("year", "it", a=1800, b=2016) in text and t("year", "en", a=1800, b=2016) not in text
    assert t("errors_on_page", "it") in text and t("page_of", "it", n=1, total=2) in text
    assert "Founded?" in text and t("missing_DK", "it") in text  # don't know / refused: the interviewer's buttons
