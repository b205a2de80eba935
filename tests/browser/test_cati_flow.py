"""An interviewer in Chromium: signs in, logs a call with an appointment, then completes instrument A by phone."""
import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import Respondent

INSTRUMENT_A = "italian-districts-2016"
PASSWORD = "a-long-interviewer-password"
APPOINTMENT = dt.datetime(2030, 5, 4, 10, 30)
# A firm that neither outsources nor produces abroad: pages A0-A3, then the review (shared/instruments.md 1.A).
ANSWERS = {
    "A0.2": "2", "A1.1": "1985", "A1.2": "13200", "A1.3.IT": "60", "A1.3.AB": "40", "A1.4.1": "DE", "A1.4.2": "FR",
    "A1.4.3": "ES", "A1.5__missing": "DK", "A1.7": "1", "A2.1": "0", "A2.3": "0", "A3.5": "0",
}


class Interviewer(Respondent):
    """Fills pages like a respondent, but touches the don't know / refused radios only where told to."""

    def controls(self) -> dict[str, dict]:
        return {name: c for name, c in super().controls().items()
                if not name.endswith("__missing") or name in ANSWERS}

    def save(self):
        # Let the last live skip-logic request finish first: the test database (in-memory SQLite)
        # refuses a read that meets the save's write instead of waiting for it.
        self.page.evaluate("document.activeElement && document.activeElement.blur()")
        self.page.wait_for_timeout(250)
        self.page.wait_for_load_state("networkidle")
        super().save()


@pytest.fixture
def phone_case(transactional_db, loaded_instruments, live_server):
    from django.contrib.auth import get_user_model

    from surveys.accounts.roles import INTERVIEWER, role_assign, roles_install
    from surveys.cati.calls import cati_cases_open, outcome_codes_install
    from surveys.fieldwork.invitations import invitation_issue, wave_default
    from surveys.models import CatiCase, Firm, Questionnaire

    roles_install()
    outcome_codes_install()  # the flush between browser tests empties the migration's rows
    user = get_user_model().objects.create_user("iris", "iris@agency.example", PASSWORD)
    role_assign(user=user, role=INTERVIEWER)
    firm = Firm.objects.create(identifier="IT-CATI-1", name="Mobilificio Trevigiano Srl", language="en",
                               district="TV_FURN", phone="+39 0422 555 0101", contact_name="Mario Rossi")
    invitation, _, _ = invitation_issue(wave=wave_default(questionnaire=Questionnaire.objects.get(code=INSTRUMENT_A)),
                                        firm=firm)
    cati_cases_open(invitations=[invitation], interviewer=user)
    return CatiCase.objects.get(invitation=invitation)


def test_interviewer_logs_an_appointment_then_completes_the_interview(page, live_server, phone_case):
    from surveys.models import CallAttempt, Response

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "iris")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("#login-button")
    expect(page.locator("h1")).to_have_text("My call list")
    row = page.locator(f'#due-cases tr[data-case="{phone_case.pk}"]')
    expect(row).to_contain_text("Mobilificio Trevigiano Srl")

    row.get_by_role("link", name="Open").click()
    expect(page.locator("#firm-phone")).to_contain_text("+39 0422 555 0101")
    page.get_by_label("Appointment: call back at the agreed date and time", exact=False).check()
    page.fill("#id_appointment_at", f"{APPOINTMENT:%Y-%m-%dT%H:%M}")
    page.fill("#id_note", "Mr Rossi is in a meeting; call him back on Saturday.")
    with page.expect_navigation():
        page.click("#log-call")
    expect(page.locator(".alert-success")).to_contain_text("Call to Mobilificio Trevigiano Srl logged")
    later = page.locator(f'#later-cases tr[data-case="{phone_case.pk}"]')
    expect(later).to_contain_text("appointment")
    phone_case.refresh_from_db()
    assert phone_case.appointment_at == timezone.make_aware(APPOINTMENT) and phone_case.attempts == 1

    later.get_by_role("link", name="Open").click()  # the call-back: the firm answers this time
    with page.expect_navigation():
        page.click("#start-interview")
    expect(page.locator("#cati-banner")).to_contain_text("Mobilificio Trevigiano Srl")
    expect(page.locator('#page-form input[name="A0.1"][value="D1"]')).to_be_checked()  # from the register
    interviewer = Interviewer(page)
    assert interviewer.finish_pages(ANSWERS) == ["A0", "A1", "A2", "A3"]
    expect(page.locator("h1")).to_contain_text("Review with Mobilificio Trevigiano Srl")
    with page.expect_navigation():
        page.click("#submit-interview")
    expect(page.locator(".alert-success")).to_contain_text("submitted")
    expect(page.locator(f'tr[data-case="{phone_case.pk}"]')).to_have_count(0)  # off the call list

    response = Response.objects.get(invitation__cati=phone_case)
    assert response.status == "submitted" and response.mode == "cati"
    assert response.answers["A0.1"] == "D1" and response.answers["A1.5"] == {"missing": "DK"}
    assert response.answers["A1.3.IT"] == 60 and response.answers["A1.4.1"] == "DE"
    assert [c.outcome.code for c in CallAttempt.objects.filter(case=phone_case)] == ["appointment", "complete"]
    phone_case.refresh_from_db()
    assert phone_case.closed and phone_case.disposition == "1.1"
