"""Respondent comforts: register data pre-filled and confirmed, the link passed on, a PDF copy."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import CaseEvent, Firm, Questionnaire, Response
from tests.cati.conftest import PAGE1, PAGE2, PAGE3
from tests.cati.pdftext import pdf_text
from tests.factories import RegisterFirmFactory

pytestmark = pytest.mark.django_db
INSTRUMENT_A = "italian-districts-2016"


@pytest.fixture
def district_case(loaded_instruments):
    """A firm of the Treviso furniture district (register key TV_FURN = choice D1) invited to instrument A."""
    questionnaire = Questionnaire.objects.get(code=INSTRUMENT_A)
    firm = RegisterFirmFactory(district="TV_FURN", industry_code="31.01", employees=40, language="en")
    invitation, token, _ = invitation_issue(wave=wave_default(questionnaire=questionnaire), firm=firm)
    return invitation, token


def chosen(html: str, value: str) -> bool:
    return re.search(rf'value="{value}"[^>]*\b(checked|selected)\b', html) is not None


def welcome(client, token):
    return client.get(reverse("surveys:welcome", kwargs={"token": token})).content.decode()


def test_register_data_are_shown_prefilled_and_a_correction_is_recorded_on_the_case(client, district_case):
    invitation, token = district_case
    body = welcome(client, token)
    assert chosen(body, "D1") and 'value="31.01"' in body and 'value="40"' in body
    response = client.post(reverse("surveys:register", kwargs={"token": token}),
                           {"industry_code": "31.01", "employees": "55", "district": "D2"})
    assert response.status_code == 302
    event = CaseEvent.objects.get(invitation=invitation)
    assert event.kind == "register_corrected" and event.changes == {"employees": [40, 55], "district": ["D1", "D2"]}
    assert Firm.objects.get(pk=invitation.firm_id).district == "TV_FURN"  # the sampling frame stays as drawn
    assert "the data were confirmed on" in welcome(client, token)
    page = client.get(reverse("surveys:page", kwargs={"token": token, "module": "A0"})).content.decode()
    assert chosen(page, "D2") and not chosen(page, "D1")  # A0.1 pre-filled as corrected


def test_confirming_unchanged_register_data_records_a_confirmation(client, district_case):
    invitation, token = district_case
    client.post(reverse("surveys:register", kwargs={"token": token}),
                {"industry_code": "31.01", "employees": "40", "district": "D1"})
    event = CaseEvent.objects.get(invitation=invitation)
    assert event.kind == "register_confirmed" and event.changes == {}


def test_interviewer_sees_A01_prefilled_and_a_changed_district_is_recorded(district_case, interviewer):
    from surveys.cati.calls import cati_cases_open
    from surveys.models import CatiCase

    invitation, _ = district_case
    cati_cases_open(invitations=[invitation], interviewer=interviewer)
    case = CatiCase.objects.get(invitation=invitation)
    phone = Client()
    phone.force_login(interviewer)
    url = reverse("cati:page", kwargs={"pk": case.pk, "module": "A0"})
    page = phone.get(url).content.decode()
    assert chosen(page, "D1")
    assert phone.post(url, {"A0.1": "D3", "A0.2": "1", "page_revision": 0}).status_code == 302
    event = CaseEvent.objects.get(invitation=invitation)
    assert event.kind == "register_corrected" and event.changes == {"district": ["D1", "D3"]} and event.actor
    assert phone.post(url, {"A0.1": "D3", "A0.2": "2", "page_revision": 1}).status_code == 302
    assert CaseEvent.objects.count() == 1  # recorded once


def test_passing_the_link_on_records_the_new_contact_in_the_firms_history(client, web_case):
    case, token = web_case
    firm = case.invitation.firm
    old_email = firm.email
    response = client.post(reverse("surveys:handover", kwargs={"token": token}),
                           {"contact_name": "Giulia Verdi", "email": "g.verdi@firm.example"})
    assert response.status_code == 302
    firm.refresh_from_db()
    assert (firm.contact_name, firm.email) == ("Giulia Verdi", "g.verdi@firm.example")
    record = firm.history.latest()
    assert "link passed to a colleague" in record.history_change_reason and record.history_user is None
    changes = {c.field: (c.old, c.new) for c in record.diff_against(record.prev_record).changes}
    assert changes["email"] == (old_email, "g.verdi@firm.example")
    assert CaseEvent.objects.get(kind="contact_passed").changes["contact_name"] == ["", "Giulia Verdi"]
    assert "Giulia Verdi is now the contact person" in welcome(client, token)


def test_passing_the_link_to_a_bad_address_changes_nothing(client, web_case):
    case, token = web_case
    response = client.post(reverse("surveys:handover", kwargs={"token": token}),
                           {"contact_name": "X", "email": "not-an-address"})
    assert response.status_code == 422
    assert Firm.objects.get(pk=case.invitation.firm_id).email == case.invitation.firm.email
    assert not CaseEvent.objects.exists()


def test_pdf_of_the_submitted_answers(client, web_case):
    case, token = web_case
    pdf_url = reverse("surveys:pdf", kwargs={"token": token})
    assert client.get(pdf_url)["Location"].endswith(f"/s/{token}/")  # nothing to print before submission
    for revision, (module, data) in enumerate([("M1", PAGE1), ("M2", PAGE2), ("M3", PAGE3)]):
        client.post(reverse("surveys:page", kwargs={"token": token, "module": module}),
                    {**data, "page_revision": revision})
    client.post(reverse("surveys:submit", kwargs={"token": token}))
    assert Response.objects.get(invitation=case.invitation).status == "submitted"
    assert pdf_url in client.get(reverse("surveys:thanks", kwargs={"token": token})).content.decode()
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert case.invitation.firm.name in text
    for expected in ("Founded?", "1990", "12,000", "European Union", "France", "Considered backshoring?"):
        assert expected in text, expected
