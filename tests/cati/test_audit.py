"""The audit log: staff changes to firms, invitations and answers, with who, when, old and new value."""
import json

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from surveys.models import AnswerEdit
from tests.cati.conftest import PAGE1, signed_in

pytestmark = pytest.mark.django_db


def test_staff_change_to_a_firm_is_logged_with_user_and_old_and_new_value(client, staff, case):
    firm = case.invitation.firm
    old_phone = firm.phone
    data = {k: "" if v is None else v for k, v in model_to_dict(firm).items()}
    data.update(attributes=json.dumps(firm.attributes), phone="+39 0422 999999")
    response = signed_in(client, staff).post(f"/admin/surveys/firm/{firm.pk}/change/", data)
    assert response.status_code == 302
    record = firm.history.latest()
    assert record.history_user == staff and record.history_type == "~"
    delta = record.diff_against(record.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("phone", old_phone, "+39 0422 999999")]
    log = client.get("/admin/surveys/historicalfirm/").content.decode()
    assert "+39 0422 999999" in log and old_phone in log and "sam" in log
    assert client.get(f"/admin/surveys/firm/{firm.pk}/history/").status_code == 200


def test_invitation_history_keeps_no_token_secrets(case):
    record = case.invitation.history.latest()
    assert not hasattr(record, "token_salt") and not hasattr(record, "token_hash")


def test_interviewer_answer_edits_are_logged_and_shown_in_the_admin(client, case, interviewer, staff):
    phone = Client()
    phone.force_login(interviewer)
    url = reverse("cati:page", kwargs={"pk": case.pk, "module": "M1"})
    phone.post(url, {**PAGE1, "page_revision": 0})
    phone.post(url, {**PAGE1, "Q2": "15000", "page_revision": 1})
    first, second = AnswerEdit.objects.order_by("pk")
    assert first.changes["Q1"] == [None, 1990] and first.module_code == "M1"
    assert second.changes == {"Q2": [12000, 15000]} and second.actor == interviewer
    signed_in(client, staff)
    assert "Q2" in client.get("/admin/surveys/answeredit/").content.decode()
    detail = client.get(f"/admin/surveys/answeredit/{second.pk}/change/").content.decode()
    assert "12000" in detail and "15000" in detail
    assert client.post(f"/admin/surveys/answeredit/{second.pk}/delete/").status_code == 403  # append-only


@pytest.mark.parametrize("url", ["/admin/surveys/caticase/", "/admin/surveys/callattempt/",
                                 "/admin/surveys/outcomecode/", "/admin/surveys/caseevent/",
                                 "/admin/surveys/historicalinvitation/", "/admin/surveys/caticase/{pk}/change/"])
def test_fieldwork_admin_pages_open_for_staff(client, staff, case, url):
    assert signed_in(client, staff).get(url.format(pk=case.pk)).status_code == 200
