"""Invitations and reminders: once per case and kind, in the firm's language, with opt-out and bounces."""
import datetime as dt
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from surveys.fieldwork.mailing import (
    bounces_from_report,
    invitations_queue,
    message_send,
    messages_dispatch,
    reminders_queue,
    reminders_run,
)
from surveys.fieldwork.sampling import sample_draw
from surveys.models import Message, OptOut, Response
from tests.factories import RegisterFirmFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sampled(wave, fast_mail):
    RegisterFirmFactory.create_batch(6, district="TV_FURN", language="it")
    RegisterFirmFactory.create_batch(4, district="VI_MECH", language="en")
    return sample_draw(wave=wave, name="s", strata_fields=["district"], allocation="census")


def invite(wave, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return invitations_queue(wave=wave)


def remind(wave, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return reminders_queue(wave=wave)


def age(kind: str, days: float) -> None:
    """Pretend the messages of `kind` went out `days` ago."""
    Message.objects.filter(kind=kind, status="sent").update(sent_at=timezone.now() - dt.timedelta(days=days))


def test_invitations_go_once_in_the_firms_language_with_link_and_opt_out(wave, sampled,
                                                                          django_capture_on_commit_callbacks):
    assert invite(wave, django_capture_on_commit_callbacks) == 10
    assert len(mail.outbox) == 10 and Message.objects.filter(status="sent").count() == 10
    italian = next(m for m in mail.outbox if m.subject.endswith("invito a partecipare"))
    assert "/s/" in italian.body and "/optout/" in italian.body and "Gentile" in italian.body
    assert italian.extra_headers["List-Unsubscribe"].endswith("/optout/>")
    assert sum(m.subject.endswith("invitation to take part") for m in mail.outbox) == 4
    assert invite(wave, django_capture_on_commit_callbacks) == 0  # a second run sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        messages_dispatch(stale_after=0)
    assert len(mail.outbox) == 10


def test_a_reminder_run_twice_sends_once_and_skips_respondents_and_opt_outs(wave, sampled,
                                                                            django_capture_on_commit_callbacks):
    invite(wave, django_capture_on_commit_callbacks)
    cases = list(wave.invitations.order_by("pk"))
    Response.objects.filter(invitation=cases[0]).update(status="submitted")
    OptOut.objects.create(invitation=cases[1])
    mail.outbox.clear()
    age("invitation", 6)
    assert remind(wave, django_capture_on_commit_callbacks) == 0  # not due before day 7
    age("invitation", 8)
    assert remind(wave, django_capture_on_commit_callbacks) == 8
    assert remind(wave, django_capture_on_commit_callbacks) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_run() == {wave.pk: 0}
    assert len(mail.outbox) == 8
    assert {m.to[0] for m in mail.outbox}.isdisjoint({cases[0].firm.email, cases[1].firm.email})
    assert all(m.subject.startswith(("Reminder", "Promemoria")) for m in mail.outbox)
    # reminder 2 comes 7 days after reminder 1 (days 7 and 14 of the default plan)
    age("reminder1", 6)
    assert remind(wave, django_capture_on_commit_callbacks) == 0
    age("reminder1", 7)
    assert remind(wave, django_capture_on_commit_callbacks) == 8
    assert mail.outbox[-1].subject.startswith(("Reminder 2", "Promemoria 2"))


def test_send_reruns_and_racing_workers_send_each_message_once(wave, sampled, django_capture_on_commit_callbacks):
    with mock.patch("surveys.fieldwork.tasks.messages_dispatch_task.delay"):
        invite(wave, django_capture_on_commit_callbacks)
    message = Message.objects.first()
    assert message_send(message_id=message.pk) == "sent"
    assert message_send(message_id=message.pk) == ""  # claimed already: a retry or a second worker
    assert len(mail.outbox) == 1


def test_temporary_failure_requeues_then_fails_and_refused_recipient_bounces(wave, sampled, settings,
                                                                              django_capture_on_commit_callbacks):
    settings.FIELDWORK_MAX_ATTEMPTS = 2
    with mock.patch("surveys.fieldwork.tasks.messages_dispatch_task.delay"):
        invite(wave, django_capture_on_commit_callbacks)
    first, second = Message.objects.order_by("pk")[:2]
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected("down")):
        assert message_send(message_id=first.pk) == "queued"
        assert message_send(message_id=first.pk) == "failed"
    first.refresh_from_db()
    assert first.attempts == 2 and "down" in first.error and first.sent_at is None
    refused = smtplib.SMTPRecipientsRefused({"x@y": (550, b"no such user")})
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=refused):
        assert message_send(message_id=second.pk) == "bounced"
    assert not mail.outbox


def test_opt_out_page_records_once_and_stops_queued_mail(client, wave, sampled, django_capture_on_commit_callbacks):
    with mock.patch("surveys.fieldwork.tasks.messages_dispatch_task.delay"):
        invite(wave, django_capture_on_commit_callbacks)
    message = Message.objects.select_related("invitation__firm").first()
    from surveys.fieldwork.mailing import case_links

    optout_url = case_links(message.invitation)[1]
    page = client.get(optout_url)
    assert page.status_code == 200 and b"<form" in page.content
    assert client.post(optout_url, {"reason": "no time"}).status_code == 200
    assert client.post(optout_url, {"List-Unsubscribe": "One-Click"}).status_code == 200  # RFC 8058, idempotent
    assert OptOut.objects.get().reason == "no time"
    message.refresh_from_db()
    assert message.status == "skipped" and message.error == "opted out"
    assert client.get(reverse("surveys:optout", kwargs={"token": "nope"})).status_code == 404


DSN = b"""From: MAILER-DAEMON@mx.example
To: survey@example.org
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example

Final-Recipient: rfc822; %(to)s
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--B
Content-Type: text/rfc822-headers

Message-ID: %(mid)s
Subject: invitation

--B--
"""


def test_bounce_reports_mark_the_message_and_stop_reminders(tmp_path, wave, sampled,
                                                            django_capture_on_commit_callbacks):
    invite(wave, django_capture_on_commit_callbacks)
    message = Message.objects.order_by("pk").first()
    raw = DSN % {b"to": message.to_email.encode(), b"mid": message.message_id.encode()}
    assert bounces_from_report(raw) == [{"address": message.to_email, "status": "5.1.1",
                                         "reason": "smtp; 550 5.1.1 user unknown", "message_id": message.message_id}]
    (tmp_path / "bounce.eml").write_bytes(raw)
    call_command("record_bounces", str(tmp_path / "bounce.eml"))
    message.refresh_from_db()
    assert message.status == "bounced" and message.bounced_at
    age("invitation", 8)
    assert remind(wave, django_capture_on_commit_callbacks) == 9


def test_commands_send_invitations_and_reminders(wave, sampled, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_invitations", "--wave", f"{wave.questionnaire.code}/{wave.code}")
    assert len(mail.outbox) == 10
    age("invitation", 10)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--wave", str(wave.pk))
        call_command("send_reminders")
    assert "10 reminders queued" in capsys.readouterr().out and len(mail.outbox) == 20


def test_beat_schedule_names_real_tasks(settings):
    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_send_invitations_takes_a_sample_by_id_or_name_and_refuses_others_clearly(
        wave, sampled, capsys, django_capture_on_commit_callbacks):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="has no sample 'nope'; its samples: .*s"):
        call_command("send_invitations", "--wave", str(wave.pk), "--sample", "nope")
    with pytest.raises(CommandError, match="unknown wave"):
        call_command("send_invitations", "--wave", "no/such", "--sample", "s")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_invitations", "--wave", str(wave.pk), "--sample", str(sampled.pk))
    assert "10 invitations queued" in capsys.readouterr().out
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_invitations", "--wave", str(wave.pk), "--sample", "s")
    assert "0 invitations queued" in capsys.readouterr().out
