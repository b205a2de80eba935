"""The respondent's web flow through HTTP, on the small test instrument."""
import re

import pytest
from django.urls import reverse

from surveys.answering.readmodel import readmodel_frame
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Response
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db

PAGE1 = {"Q1": "1990", "Q2": "12000", "Q3": "1", "Q4": "30.5", "Q5.D": "70", "Q5.A": "30"}
PAGE2 = {"Q6": "1", "Q7": ["EU"], "Q8.1": "3", "Q8.EU": "4", "Q9": "FR"}


@pytest.fixture
def case(mini_version):
    wave = wave_default(questionnaire=mini_version.questionnaire)
    invitation, token, _ = invitation_issue(wave=wave, firm=FirmFactory())
    return invitation, token


def page_url(token, module):
    return reverse("surveys:page", kwargs={"token": token, "module": module})


def revision_of(invitation) -> int:
    return Response.objects.get(invitation=invitation).revision


def post_page(client, token, module, data, revision):
    return client.post(page_url(token, module), {**data, "page_revision": revision})


def test_welcome_then_pages_then_submit_keeps_answers_and_read_model(client, case):
    invitation, token = case
    assert client.get(reverse("surveys:welcome", kwargs={"token": token})).status_code == 200
    r = post_page(client, token, "M1", PAGE1, 0)
    assert r.status_code == 302 and r["Location"].endswith("/p/M2/")
    r = post_page(client, token, "M2", PAGE2, 1)
    assert r["Location"].endswith("/p/M3/")  # $OFFSHORING == 1 opens module M3
    r = post_page(client, token, "M3", {"Q11": "3"}, 2)
    assert r["Location"].endswith("/review/")
    assert client.post(reverse("surveys:submit", kwargs={"token": token})).status_code == 302
    response = Response.objects.get(invitation=invitation)
    assert response.status == "submitted"
    assert response.answers["Q7"] == ["EU"] and response.derived["$OFFSHORING"] == 1
    frame = readmodel_frame(response.version.questionnaire)
    row = frame.iloc[0]
    assert row["Q7_EU"] == 1 and row["Q7_FE"] == 0 and row["Q4"] == 30.5 and row["OFFSHORING"] == 1
    assert row["SIZE"] == "LARGE" and row["status"] == "submitted"


def test_sum_not_100_gives_message_next_to_the_item_and_saves_nothing(client, case):
    invitation, token = case
    r = post_page(client, token, "M1", {**PAGE1, "Q5.A": "40"}, 0)
    assert r.status_code == 422
    assert "must add up to 100 (now 110)" in r.content.decode()
    assert revision_of(invitation) == 0


def test_skip_logic_drops_answers_of_items_made_irrelevant(client, case):
    invitation, token = case
    post_page(client, token, "M1", PAGE1, 0)
    post_page(client, token, "M2", PAGE2, 1)
    post_page(client, token, "M1", {**PAGE1, "Q3": "0", "Q4": "", "Q5.D": "", "Q5.A": ""}, 2)
    answers = Response.objects.get(invitation=invitation).answers
    assert "Q6" not in answers and "Q7" not in answers and "Q4" not in answers
    assert answers["Q8.1"] == 3


def test_stale_revision_is_a_conflict_not_an_overwrite(client, case):
    invitation, token = case
    post_page(client, token, "M1", PAGE1, 0)
    r = post_page(client, token, "M1", {**PAGE1, "Q1": "1970"}, 0)  # second tab, rendered at revision 0
    assert r.status_code == 409
    assert "changed in another window" in r.content.decode()
    assert Response.objects.get(invitation=invitation).answers["Q1"] == 1990


def test_double_submit_submits_once(client, case):
    invitation, token = case
    post_page(client, token, "M1", {**PAGE1, "Q3": "0", "Q4": "", "Q5.D": "", "Q5.A": ""}, 0)
    post_page(client, token, "M2", {"Q8.1": "2"}, 1)
    url = reverse("surveys:submit", kwargs={"token": token})
    client.post(url)
    first = Response.objects.get(invitation=invitation)
    client.post(url)
    again = Response.objects.get(invitation=invitation)
    assert again.status == "submitted" and again.submitted_at == first.submitted_at
    assert again.revision == first.revision


def test_resume_lands_on_the_page_after_the_last_saved(client, case):
    _, token = case
    post_page(client, token, "M1", PAGE1, 0)
    body = client.get(reverse("surveys:welcome", kwargs={"token": token})).content.decode()
    assert re.search(r'href="[^"]*/p/M2/"', body)


def test_warning_must_be_confirmed_once(client, case):
    invitation, token = case
    r = post_page(client, token, "M1", {**PAGE1, "Q2": "500"}, 0)
    assert r.status_code == 422 and "please confirm" in r.content.decode()
    r = client.post(page_url(token, "M1"), {**PAGE1, "Q2": "500", "page_revision": 0, "confirm:Q2#0": "on"})
    assert r.status_code == 302 and revision_of(invitation) == 1


def test_unknown_token_is_404_and_rate_limited(client, settings):
    settings.RATE_LIMIT_TOKEN = 3
    codes = [client.get(reverse("surveys:welcome", kwargs={"token": f"bad{i}"})).status_code for i in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[-1] == 429


def test_a_valid_link_opens_from_an_address_over_the_limit_and_costs_no_cache_read(client, case, settings,
                                                                                    monkeypatch):
    """Mistyped links from one office's shared address must not lock its colleagues out, and a
    respondent's own pages make no rate-limit round trip (they are most of the traffic)."""
    from django.core.cache import cache

    _, token = case
    settings.RATE_LIMIT_TOKEN = 2
    for i in range(3):
        client.get(reverse("surveys:welcome", kwargs={"token": f"bad{i}"}))
    assert client.get(reverse("surveys:welcome", kwargs={"token": "bad9"})).status_code == 429
    assert client.get(page_url(token, "M1")).status_code == 200  # same address, a valid link
    calls = []
    for name in ("get", "get_many", "add", "incr", "set"):
        monkeypatch.setattr(cache, name, lambda *a, _name=name, **k: calls.append(_name))
    assert client.get(page_url(token, "M1")).status_code == 200
    assert calls == []


def test_live_relevance_endpoint_reports_items_for_unsaved_values(client, case):
    _, token = case
    url = reverse("surveys:relevance", kwargs={"token": token, "module": "M1"})
    assert "Q4" in client.post(url, {"Q3": "1"}).json()["items"]
    assert "Q4" not in client.post(url, {"Q3": "0"}).json()["items"]


def test_a_page_open_and_save_never_read_the_versions_heavy_columns(client, case):
    """The definition, its authored form and the source file are hundreds of KB per version: the
    respondent's requests must not fetch them (compiled specs are cached per version id)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.questionnaire.spec import spec_for_version

    invitation, token = case
    spec_for_version(Response.objects.get(invitation=invitation).version)  # compiled, as after a first page
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page_url(token, "M1")).status_code == 200
        assert post_page(client, token, "M1", PAGE1, 0).status_code == 302
        assert client.get(page_url(token, "M2")).status_code == 200
    heavy = [q["sql"] for q in queries.captured_queries
             if re.search(r'"surveys_questionnaireversion"\."(definition|authored|source_file)"', q["sql"])]
    assert heavy == []
