"""The editing screens: who may open them, a change with a reason through the form, hostile input."""
import pytest
from django.test import Client

from analytics.editing.rules import rules_run
from analytics.editing.scores import cases_score
from analytics.models import RuleResult, ValueEdit
from surveys.accounts.roles import ANALYST, EDITOR, INTERVIEWER, role_assign, roles_install
from tests.editing.conftest import CLEAN_A, submitted


@pytest.fixture
def flagged(instrument_a):
    submitted(instrument_a, CLEAN_A)
    response = submitted(instrument_a, {**CLEAN_A, "A3.6": 1980})
    rules_run(questionnaire=instrument_a)
    cases_score(questionnaire=instrument_a)
    return response


def _client(django_user_model, role: str) -> tuple[Client, object]:
    roles_install()
    user = django_user_model.objects.create_user(role, password="pw")
    role_assign(user=user, role=role)
    client = Client()
    client.force_login(user)
    return client, user


def test_an_editor_sees_the_queue_and_the_response_beside_its_flags(flagged, django_user_model):
    client, _ = _client(django_user_model, EDITOR)
    page = client.get("/staff/editing/italian-districts-2016/")
    assert page.status_code == 200 and f'data-response="{flagged.pk}"' in page.content.decode()
    page = client.get(f"/staff/editing/responses/{flagged.pk}/").content.decode()
    assert 'data-rule="A-founded-before-fdi"' in page and 'id="register"' in page
    assert 'id="nav-editing"' in client.get("/staff/editing/").content.decode()


def test_an_editor_changes_a_value_with_a_reason(flagged, django_user_model):
    client, user = _client(django_user_model, EDITOR)
    reply = client.post(f"/staff/editing/responses/{flagged.pk}/edit/",
                        {"key": "A3.6", "value": "1995", "reason": "confirmed", "note": "phoned"})
    assert reply.status_code == 302
    edit = ValueEdit.objects.get()
    assert (edit.key, edit.old_value, edit.new_value, edit.editor) == ("A3.6", 1980, 1995, user)
    flagged.refresh_from_db()
    assert flagged.answers["A3.6"] == 1980
    assert "1995" in client.get("/staff/editing/italian-districts-2016/audit/").content.decode()


def test_an_editor_accepts_the_flags(flagged, django_user_model):
    client, user = _client(django_user_model, EDITOR)
    reply = client.post(f"/staff/editing/responses/{flagged.pk}/accept/", {"reason": "verified", "note": ""})
    assert reply.status_code == 302
    assert RuleResult.objects.get(response=flagged).accepted_by == user


@pytest.mark.parametrize("role", [ANALYST, INTERVIEWER])
def test_analysts_and_interviewers_may_not_edit(flagged, django_user_model, role):
    client, _ = _client(django_user_model, role)
    for url in ("/staff/editing/", "/staff/editing/italian-districts-2016/", f"/staff/editing/responses/{flagged.pk}/"):
        assert client.get(url).status_code == 403
    reply = client.post(f"/staff/editing/responses/{flagged.pk}/edit/",
                        {"key": "A3.6", "value": "1995", "reason": "confirmed"})
    assert reply.status_code == 403
    assert client.post(f"/staff/editing/responses/{flagged.pk}/accept/", {"reason": "verified"}).status_code == 403
    assert not ValueEdit.objects.exists()


def test_analysts_read_the_audit(flagged, django_user_model):
    client, _ = _client(django_user_model, ANALYST)
    assert client.get("/staff/editing/italian-districts-2016/audit/").status_code == 200


HOSTILE = [
    {"key": "A3.6", "value": "1995\x00", "reason": "confirmed"},
    {"key": "A3.6", "value": "9" * 500, "reason": "confirmed"},
    {"key": "A3.6", "value": "1e309", "reason": "confirmed"},
    {"key": "A3.6", "value": "'; DROP TABLE surveys_response; --", "reason": "confirmed"},
    {"key": "A3.6", "value": "1995", "reason": "because"},
    {"key": "A3.6", "value": "1995", "reason": "confirmed", "note": "x\x00y"},
    {"key": "A3.6", "value": "1995", "reason": "confirmed", "note": "n" * 5000},
    {"key": "$A_OFFSHORING", "value": "0", "reason": "confirmed"},
    {"key": "A1.4.1", "value": "<script>alert(1)</script>", "reason": "confirmed"},
    {"key": "A3.6", "value": "1700", "reason": "confirmed"},
    {"value": "1995", "reason": "confirmed"},
]


@pytest.mark.parametrize("data", HOSTILE)
def test_hostile_input_in_the_edit_form_gets_a_4xx(flagged, django_user_model, data):
    client, _ = _client(django_user_model, EDITOR)
    reply = client.post(f"/staff/editing/responses/{flagged.pk}/edit/", data)
    assert 400 <= reply.status_code < 500
    assert not ValueEdit.objects.exists()
    flagged.refresh_from_db()
    assert flagged.answers["A3.6"] == 1980


def test_editing_an_unknown_or_unsubmitted_response_is_a_404(instrument_a, django_user_model):
    client, _ = _client(django_user_model, EDITOR)
    assert client.get("/staff/editing/responses/999999/").status_code == 404
    assert client.post("/staff/editing/responses/999999/edit/", {"key": "A3.6"}).status_code == 404
