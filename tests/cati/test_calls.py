"""Call attempts: outcome codes with AAPOR codes and call-backs, appointments, the call list, locks."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from surveys.cati.calls import CaseClosed, CaseLocked, call_attempt_record, call_list, case_lock
from surveys.models import CallAttempt, CatiCase
from tests.cati.conftest import open_case, outcome, signed_in

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2016, 4, 12, 10, 0))


def call(case, user, code, minutes=0, **kwargs):
    return call_attempt_record(case_id=case.pk, user=user, outcome=outcome(code),
                               now=NOW + dt.timedelta(minutes=minutes), **kwargs)


@pytest.mark.parametrize("code, aapor, delay, closed", [
    ("no-answer", "3.13", 180, False), ("busy", "3.12", 15, False), ("answering-machine", "3.14", 240, False),
    ("soft-refusal", "2.11", 10080, False), ("refusal", "2.11", 0, True), ("wrong-number", "3.90", 0, True),
    ("out-of-scope", "4.10", 0, True),
])
def test_each_outcome_sets_its_aapor_code_and_call_back(case, interviewer, code, aapor, delay, closed):
    call(case, interviewer, code)
    case.refresh_from_db()
    assert case.attempts == 1 and case.disposition == aapor and case.closed is closed
    assert case.next_call_at == NOW + dt.timedelta(minutes=delay)
    attempt = CallAttempt.objects.get()
    assert attempt.outcome.code == code and attempt.number == case.invitation.firm.phone


def test_appointment_needs_a_future_time_and_schedules_the_next_call(case, interviewer):
    with pytest.raises(ValidationError):
        call(case, interviewer, "appointment")
    with pytest.raises(ValidationError):
        call(case, interviewer, "appointment", appointment_at=NOW - dt.timedelta(hours=1))
    when = NOW + dt.timedelta(days=1, hours=5)
    call(case, interviewer, "appointment", appointment_at=when, note="ask for Ms Verdi")
    case.refresh_from_db()
    assert case.appointment_at == when and case.next_call_at == when and case.disposition == "2.21"
    assert not case.closed and CallAttempt.objects.get().note == "ask for Ms Verdi"


def test_call_list_puts_due_appointments_first_then_the_least_called(mini_version, interviewer):
    often, _ = open_case(mini_version, interviewer, name="Often called")
    fresh, _ = open_case(mini_version, interviewer, name="Never called")
    booked, _ = open_case(mini_version, interviewer, name="Appointment now")
    tomorrow, _ = open_case(mini_version, interviewer, name="Appointment tomorrow")
    CatiCase.objects.filter(pk=often.pk).update(attempts=2, next_call_at=NOW - dt.timedelta(hours=1))
    CatiCase.objects.filter(pk=booked.pk).update(attempts=3, appointment_at=NOW + dt.timedelta(minutes=5),
                                                 next_call_at=NOW + dt.timedelta(minutes=5))
    CatiCase.objects.filter(pk=tomorrow.pk).update(appointment_at=NOW + dt.timedelta(days=1),
                                                   next_call_at=NOW + dt.timedelta(days=1))
    lists = call_list(user=interviewer, now=NOW)
    assert [c.invitation.firm.name for c in lists["due"]] == ["Appointment now", "Never called", "Often called"]
    assert [c.invitation.firm.name for c in lists["later"]] == ["Appointment tomorrow"]


def test_a_case_leaves_the_list_after_the_last_allowed_attempt(settings, case, interviewer):
    settings.CATI_MAX_ATTEMPTS = 2
    call(case, interviewer, "no-answer")
    call(case, interviewer, "no-answer", minutes=200)
    case.refresh_from_db()
    assert case.closed and case.attempts == 2
    assert call_list(user=interviewer, now=NOW + dt.timedelta(days=2)) == {"due": [], "later": []}
    with pytest.raises(CaseClosed):
        call(case, interviewer, "busy", minutes=400)


def test_a_case_is_locked_to_the_interviewer_working_on_it_until_the_lock_expires(settings, case, interviewer,
                                                                                   staff):
    case_lock(case_id=case.pk, user=interviewer, now=NOW)
    with pytest.raises(CaseLocked):
        case_lock(case_id=case.pk, user=staff, now=NOW + dt.timedelta(minutes=5))
    with pytest.raises(CaseLocked):
        call(case, staff, "busy", minutes=5)
    case_lock(case_id=case.pk, user=interviewer, now=NOW + dt.timedelta(minutes=10))  # renewed by its holder
    later = NOW + dt.timedelta(minutes=10 + settings.CATI_LOCK_MINUTES + 1)
    assert case_lock(case_id=case.pk, user=staff, now=later).locked_by == staff


def test_logging_a_call_with_an_appointment_through_the_case_screen(client, case, interviewer):
    signed_in(client, interviewer)
    appointment = (timezone.localtime() + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    data = {"outcome": outcome("appointment").pk, "appointment_at": f"{appointment:%Y-%m-%dT%H:%M}", "note": "x"}
    response = client.post(reverse("cati:attempt", kwargs={"pk": case.pk}), data)
    assert response.status_code == 302 and response["Location"] == reverse("cati:list")
    case.refresh_from_db()
    assert case.appointment_at == appointment and case.attempts == 1 and case.locked_by is None
    body = client.get(reverse("cati:list")).content.decode()
    assert "appointment" in body and 'id="later-cases"' in body


def test_appointment_outcome_without_a_time_is_refused_by_the_form(client, case, interviewer):
    signed_in(client, interviewer)
    response = client.post(reverse("cati:attempt", kwargs={"pk": case.pk}), {"outcome": outcome("appointment").pk})
    assert response.status_code == 422 and "date and time" in response.content.decode()
    assert not CallAttempt.objects.exists()


def test_complete_is_not_offered_to_interviewers(client, case, interviewer):
    body = signed_in(client, interviewer).get(reverse("cati:case", kwargs={"pk": case.pk})).content.decode()
    assert "No answer" in body and "Complete interview" not in body
