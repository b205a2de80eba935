"""One case record for web and telephone; neither side overwrites the other silently."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from surveys.answering.readmodel import readmodel_frame
from surveys.models import AnswerEdit, Response
from tests.cati.conftest import PAGE1, PAGE2, PAGE3

pytestmark = pytest.mark.django_db


def web_post(client, token, module, data, revision):
    return client.post(reverse("surveys:page", kwargs={"token": token, "module": module}),
                       {**data, "page_revision": revision})


def phone_post(client, case, module, data, revision):
    return client.post(reverse("cati:page", kwargs={"pk": case.pk, "module": module}),
                       {**data, "page_revision": revision})


@pytest.fixture
def phone(interviewer) -> Client:
    client = Client()
    client.force_login(interviewer)
    return client


def test_web_started_case_finished_by_phone_keeps_one_record_and_both_modes_answers(client, phone, web_case,
                                                                                     interviewer):
    case, token = web_case
    assert web_post(client, token, "M1", PAGE1, 0).status_code == 302  # the firm starts on the web
    started = phone.post(reverse("cati:interview", kwargs={"pk": case.pk}))
    assert started["Location"] == reverse("cati:page", kwargs={"pk": case.pk, "module": "M2"})  # continues there
    assert phone_post(phone, case, "M2", PAGE2, 1).status_code == 302
    assert phone_post(phone, case, "M3", PAGE3, 2)["Location"] == reverse("cati:review", kwargs={"pk": case.pk})
    assert phone.get(reverse("cati:review", kwargs={"pk": case.pk})).status_code == 200
    assert phone.post(reverse("cati:submit", kwargs={"pk": case.pk}))["Location"] == reverse("cati:list")

    response = Response.objects.get(invitation=case.invitation)
    assert Response.objects.filter(invitation__firm=case.invitation.firm).count() == 1
    assert response.status == "submitted" and response.mode == "cati"
    assert response.answers["Q1"] == 1990 and response.answers["Q7"] == ["EU"] and response.answers["Q11"] == 3
    edits = list(AnswerEdit.objects.filter(response=response).order_by("pk"))
    assert [(e.action, e.module_code) for e in edits] == [("save", "M2"), ("save", "M3"), ("submit", "")]
    assert all(e.actor == interviewer and e.mode == "cati" for e in edits)  # the web page was not audited
    case.refresh_from_db()
    assert case.closed and case.disposition == "1.1" and case.calls.get().outcome.code == "complete"
    assert readmodel_frame(response.version.questionnaire).iloc[0]["mode"] == "cati"
    assert client.get(reverse("surveys:welcome", kwargs={"token": token}))["Location"].endswith("/thanks/")


def test_phone_started_case_finished_on_the_web_keeps_dont_know_answers(client, phone, web_case):
    case, token = web_case
    phone.post(reverse("cati:interview", kwargs={"pk": case.pk}))
    page = phone.get(reverse("cati:page", kwargs={"pk": case.pk, "module": "M1"})).content.decode()
    assert 'value="missing:DK"' in page and 'name="Q1__missing"' in page  # don't know / refused on any item
    assert phone_post(phone, case, "M1", {**PAGE1, "Q1": "", "Q1__missing": "DK"}, 0).status_code == 302
    again = phone.get(reverse("cati:page", kwargs={"pk": case.pk, "module": "M1"})).content.decode()
    assert re.search(r'name="Q1__missing" value="DK"[^>]*checked', again)
    assert 'name="Q1__missing"' not in client.get(
        reverse("surveys:page", kwargs={"token": token, "module": "M1"})).content.decode()  # not on the web
    assert 'value="missing:DK"' not in client.get(
        reverse("surveys:page", kwargs={"token": token, "module": "M2"})).content.decode()
    web_post(client, token, "M2", PAGE2, 1)
    web_post(client, token, "M3", PAGE3, 2)
    client.post(reverse("surveys:submit", kwargs={"token": token}))
    response = Response.objects.get(invitation=case.invitation)
    assert response.status == "submitted" and response.mode == "web"  # completed on the web
    assert response.answers["Q1"] == {"missing": "DK"} and response.answers["Q7"] == ["EU"]


def test_concurrent_web_and_interviewer_saves_are_detected_not_overwritten(client, phone, web_case, interviewer):
    case, token = web_case
    assert web_post(client, token, "M1", PAGE1, 0).status_code == 302  # the firm saves first ...
    late = phone_post(phone, case, "M1", {**PAGE1, "Q1": "1985"}, 0)  # ... the interviewer's page was older
    assert late.status_code == 409
    body = late.content.decode()
    assert "The respondent (on the web) or another user saved answers" in body and 'value="1990"' in body
    assert Response.objects.get(invitation=case.invitation).answers["Q1"] == 1990
    assert not AnswerEdit.objects.exists()

    assert phone_post(phone, case, "M1", {**PAGE1, "Q1": "1985"}, 1).status_code == 302  # saved after checking
    edit = AnswerEdit.objects.get()
    assert edit.changes == {"Q1": [1990, 1985]} and edit.actor == interviewer and edit.revision == 2

    stale = web_post(client, token, "M1", {**PAGE1, "Q1": "2001"}, 1)  # the firm's tab is now the stale one
    assert stale.status_code == 409 and "changed in another window" in stale.content.decode()
    assert Response.objects.get(invitation=case.invitation).answers["Q1"] == 1985


def test_respondent_saves_copy_nothing_into_the_audit_log(client, web_case):
    case, token = web_case
    client.get(reverse("surveys:welcome", kwargs={"token": token}))
    history = case.invitation.history.count()  # its creation
    web_post(client, token, "M1", PAGE1, 0)
    web_post(client, token, "M1", {**PAGE1, "Q1": "1991"}, 1)
    assert not AnswerEdit.objects.exists()
    assert case.invitation.history.count() == history  # page saves do not copy the case


def test_interview_pages_need_the_case_lock(phone, web_case, staff):
    case, _ = web_case
    other = Client()
    other.force_login(staff)
    other.post(reverse("cati:interview", kwargs={"pk": case.pk}))  # a supervisor took the case
    response = phone.get(reverse("cati:page", kwargs={"pk": case.pk, "module": "M1"}))
    assert response.status_code == 302 and response["Location"] == reverse("cati:case", kwargs={"pk": case.pk})
    assert "is working on this case" in phone.get(response["Location"]).content.decode()
