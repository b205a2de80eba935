"""Sequential mixed mode: web first; after N days without a response the case is on the call list;
a web completion takes it off; refusals never move."""
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.cati.calls import call_list, cati_cases_assign, outcome_codes_install
from surveys.fieldwork.invitations import invitation_issue
from surveys.fieldwork.sequential import phone_due_at, sequential_switch, sequential_switch_all
from surveys.fieldwork.tracking import tracking_recompute
from surveys.models import CatiCase, MailingPlan, Message, OptOut, PageVisit, WaveSettings, WaveTracking
from tests.cati.conftest import PAGE1, PAGE2, PAGE3
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db
DAY0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def invited(wave, *, sent_at=DAY0, **firm):
    invitation, token, _ = invitation_issue(wave=wave, firm=FirmFactory(**firm))
    Message.objects.create(invitation=invitation, kind="invitation", status="sent", sent_at=sent_at)
    return invitation, token


@pytest.fixture
def sequential(wave):
    WaveSettings.objects.create(wave=wave, sequential_mode=True, web_days_before_phone=10)
    return wave


def web_complete(client, token):
    for n, (module, data) in enumerate([("M1", PAGE1), ("M2", PAGE2), ("M3", PAGE3)]):
        url = reverse("surveys:page", kwargs={"token": token, "module": module})
        assert client.post(url, {**data, "page_revision": n}).status_code == 302
    return client.post(reverse("surveys:submit", kwargs={"token": token}))


def test_a_non_respondent_moves_to_the_call_list_after_n_days_and_a_web_completion_takes_it_off(
        sequential, client, django_user_model):
    outcome_codes_install()
    invitation, token = invited(sequential)
    assert sequential_switch(wave=sequential, now=DAY0 + dt.timedelta(days=9, hours=23)) == 0
    assert not CatiCase.objects.exists()

    assert sequential_switch(wave=sequential, now=DAY0 + dt.timedelta(days=10)) == 1
    case = CatiCase.objects.get(invitation=invitation)
    assert case.origin == "sequential" and not case.closed
    assert sequential_switch(wave=sequential, now=DAY0 + dt.timedelta(days=11)) == 0  # idempotent
    interviewer = django_user_model.objects.create_user("iris")
    cati_cases_assign(cases=[case], interviewer=interviewer)
    assert [c.pk for c in call_list(user=interviewer)["due"]] == [case.pk]

    assert web_complete(client, token)["Location"].endswith("/thanks/")
    case.refresh_from_db()
    assert case.closed and case.last_outcome.code == "complete-web" and case.disposition == "1.1"
    assert call_list(user=interviewer) == {"due": [], "later": []}
    assert set(PageVisit.objects.filter(response__invitation=invitation).values_list("mode", flat=True)) == {"web"}
    tracking_recompute(wave_id=sequential.pk)
    data = WaveTracking.objects.get(wave=sequential).data
    complete = next(row for row in data["dispositions"] if row["code"] == "1.1")
    assert complete["modes"] == {"web": 1}
    staff = django_user_model.objects.create_superuser("boss", password="pw")
    client.force_login(staff)
    page = client.get(reverse("fieldwork:tracking", kwargs={"wave_id": sequential.pk})).content.decode()
    assert "telephone after 10 days" in page
    assert "Moved to the telephone so far: 1 (0 still on the call list, 1 answered on the web since)" in page
    assert '<td class="small" data-modes="1.1">web 1</td>' in page


def test_opted_out_submitted_and_phoneless_cases_never_move(sequential, client):
    opted, _ = invited(sequential)
    OptOut.objects.create(invitation=opted, via="link")
    staff_refusal, _ = invited(sequential)
    OptOut.objects.create(invitation=staff_refusal, via="staff", reason="refused on the phone")
    no_phone, _ = invited(sequential, phone="")
    answered, token = invited(sequential)
    web_complete(client, token)
    assert sequential_switch(wave=sequential, now=DAY0 + dt.timedelta(days=60)) == 0
    assert not CatiCase.objects.exists()
    assert {opted.pk, staff_refusal.pk, no_phone.pk, answered.pk}


def test_bounced_or_addressless_cases_move_at_once(sequential):
    bounced, _ = invited(sequential)
    Message.objects.filter(invitation=bounced).update(status="bounced", bounced_at=DAY0 + dt.timedelta(hours=1))
    no_email, _ = invitation_issue(wave=sequential, firm=FirmFactory(email=""))[:2]
    waiting, _ = invited(sequential)
    assert sequential_switch(wave=sequential, now=DAY0 + dt.timedelta(days=1)) == 2
    assert set(CatiCase.objects.values_list("invitation_id", flat=True)) == {bounced.pk, no_email.pk}
    assert waiting.pk not in set(CatiCase.objects.values_list("invitation_id", flat=True))


def test_days_count_from_the_last_reminder_when_the_wave_says_so(sequential):
    WaveSettings.objects.filter(wave=sequential).update(phone_after_last_reminder=True, web_days_before_phone=3)
    MailingPlan.objects.create(wave=sequential, reminder_days=[7, 14])
    invitation, _ = invited(sequential)
    Message.objects.create(invitation=invitation, kind="reminder1", status="sent", sent_at=DAY0 + dt.timedelta(7))
    assert sequential_switch(wave=sequential, now=DAY0 + dt.timedelta(days=13)) == 0  # last reminder not sent
    Message.objects.create(invitation=invitation, kind="reminder2", status="sent", sent_at=DAY0 + dt.timedelta(14))
    assert sequential_switch(wave=sequential, now=DAY0 + dt.timedelta(days=16)) == 0
    assert sequential_switch(wave=sequential, now=DAY0 + dt.timedelta(days=17)) == 1


def test_waves_without_sequential_mode_or_closed_are_left_alone(wave):
    invited(wave)
    assert sequential_switch_all(now=DAY0 + dt.timedelta(days=90)) == {}
    WaveSettings.objects.create(wave=wave, sequential_mode=True, web_days_before_phone=1)
    wave.closes_at = DAY0 + dt.timedelta(days=5)
    wave.save()
    assert sequential_switch_all(now=DAY0 + dt.timedelta(days=6)) == {wave.pk: 0}
    assert sequential_switch_all(now=DAY0 + dt.timedelta(days=4)) == {wave.pk: 1}


def test_phone_due_at_without_an_invitation_waits():
    now = timezone.now()
    assert phone_due_at(invited_at=None, last_reminder_at=None, web_reachable=True, days=3,
                        after_last_reminder=False, now=now) is None
    assert phone_due_at(invited_at=None, last_reminder_at=None, web_reachable=False, days=3,
                        after_last_reminder=False, now=now) == now


def test_the_beat_task_runs_the_switch(sequential):
    from surveys.fieldwork.tasks import sequential_switch_task

    invited(sequential, sent_at=timezone.now() - dt.timedelta(days=30))
    assert sequential_switch_task() == {sequential.pk: 1}
    assert sequential_switch_task() == {sequential.pk: 0}


def test_the_wave_settings_form_sets_sequential_mode_and_refuses_bad_days(sequential, django_user_model):
    from django.contrib.auth.models import Permission

    from surveys.authoring.views import AUTHOR  # the permission the authoring screens ask for

    user = django_user_model.objects.create_user("author", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename=AUTHOR.split(".")[-1]))
    client = Client()
    client.force_login(user)
    url = reverse("authoring:wave-settings", kwargs={"wave_id": sequential.pk})
    base = {"reminder_days": "7, 14", "reminders_enabled": "on", "sequential_mode": "on"}
    for bad in ["0", "-3", "abc", "1e9", "'; DROP TABLE surveys_wave; --", "3.5", "366", "\x00"]:
        reply = client.post(url, {**base, "web_days_before_phone": bad})
        assert reply.status_code in (400, 422), bad  # 400: a NUL byte, refused before the form
    assert WaveSettings.objects.get(wave=sequential).web_days_before_phone == 10
    reply = client.post(url, {**base, "web_days_before_phone": "21", "phone_after_last_reminder": "on"})
    assert reply.status_code == 302
    config = WaveSettings.objects.get(wave=sequential)
    assert config.sequential_mode and config.web_days_before_phone == 21 and config.phone_after_last_reminder


def test_a_case_moved_while_the_firm_was_submitting_is_closed_by_the_next_run(sequential, client):
    outcome_codes_install()
    invitation, token = invited(sequential)
    web_complete(client, token)
    # as if the switch had read its candidates before the submission committed
    case = CatiCase.objects.create(invitation=invitation, origin="sequential")
    assert sequential_switch(wave=sequential, now=DAY0 + dt.timedelta(days=11)) == 0
    case.refresh_from_db()
    assert case.closed and case.last_outcome.code == "complete-web"
