"""A wave's own e-mail texts per kind and language: checked placeholders, the firm's language first,
the built-in text otherwise, and the staff editor with its preview and test send."""
import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys.fieldwork.emailtexts import (
    builtin_text,
    message_template_save,
    placeholders_check,
    preview_compose,
    text_render,
)
from surveys.fieldwork.mailing import invitations_queue, messages_send_batch, reminders_queue
from surveys.fieldwork.sampling import sample_draw
from surveys.models import Message, MessageTemplate, WaveSettings
from tests.factories import RegisterFirmFactory

pytestmark = pytest.mark.django_db

OWN_BODY = "Buongiorno {contact},\n{firm_name}: il vostro link {link}\nScadenza: {deadline}\nRinuncia: {opt_out_link}"


@pytest.fixture
def sampled(wave, fast_mail):
    RegisterFirmFactory.create_batch(3, district="TV_FURN", language="it", contact_name="")
    RegisterFirmFactory.create_batch(2, district="VI_MECH", language="en")
    return sample_draw(wave=wave, name="s", strata_fields=["district"], allocation="census")


def invite(wave, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return invitations_queue(wave=wave)


def role_user(django_user_model, role, username, email="me@agency.example"):
    from surveys.accounts.roles import role_assign, roles_install

    roles_install()
    user = django_user_model.objects.create_user(username, password="pw", email=email)
    role_assign(user=user, role=role)
    return user


@pytest.fixture
def editor(django_user_model):
    from surveys.accounts.roles import FIELDWORK

    return role_user(django_user_model, FIELDWORK, "editor")


def url(name, wave, kind="invitation", language="it"):
    return reverse(f"fieldwork:{name}", args=[wave.pk, kind, language])


# ------------------------------------------------------------------ checking and rendering
def test_placeholders_are_checked_unknown_misplaced_or_missing_link_and_multi_line_subject():
    assert placeholders_check(kind="invitation", subject="{survey_title}", body="Hi {firm_name}: {link}") == {}
    errors = placeholders_check(kind="invitation", subject="Hi {firm}\nthere", body="{reminder_number} no link")
    assert "Unknown placeholder {firm}" in errors["subject"][0]
    assert any("single line" in e for e in errors["subject"])
    assert "{reminder_number}" in errors["body"][0] and any("{link}" in e for e in errors["body"])
    assert placeholders_check(kind="reminder", subject="R{reminder_number}", body="{link}") == {}
    for kind in ("invitation", "reminder"):
        for language in ("en", "it", "es"):
            assert placeholders_check(kind=kind, subject=builtin_text(kind, language)[0],
                                      body=builtin_text(kind, language)[1]) == {}


def test_saving_a_bad_text_raises_a_validation_error_and_stores_nothing(wave):
    with pytest.raises(ValidationError) as raised:
        message_template_save(wave=wave, kind="invitation", language="it", subject="x", body="no link here")
    assert "body" in raised.value.message_dict and not MessageTemplate.objects.exists()


def test_a_line_whose_placeholders_are_all_empty_is_left_out_and_headers_stay_on_one_line():
    values = {"link": "L", "deadline": "", "agency": ""}
    assert text_render("A {link}\n\nopen until {deadline}.\n\nQ: {agency}\nEnd", values) == "A L\n\nEnd\n"
    assert text_render("Subject {link}", {"link": "a\nb"}, body=False) == "Subject a b"


# ------------------------------------------------------------------ mailing
def test_built_in_texts_go_out_in_the_firms_language_with_the_closing_date(wave, sampled,
                                                                           django_capture_on_commit_callbacks):
    wave.closes_at = timezone.make_aware(dt.datetime(2026, 12, 5, 12))
    wave.save()
    invite(wave, django_capture_on_commit_callbacks)
    italian = next(m for m in mail.outbox if m.subject.endswith("invito a partecipare"))
    assert italian.body.startswith("Gentile Responsabile,\n\n")
    assert "L'indagine resta aperta fino al 5 Dicembre 2026." in italian.body
    assert "Domande sull'indagine" not in italian.body  # no agency contact in the wave's settings
    english = next(m for m in mail.outbox if m.subject.endswith("invitation to take part"))
    assert "The survey is open until 5 December 2026." in english.body and "/optout/" in english.body


def test_the_firms_language_template_goes_out_and_other_languages_keep_the_built_in_text(
        wave, sampled, django_capture_on_commit_callbacks):
    WaveSettings.objects.create(wave=wave, contact_name="Anna Rossi", contact_email="anna@agency.example")
    message_template_save(wave=wave, kind="invitation", language="it", subject="Indagine per {firm_name}",
                          body=OWN_BODY + "\nContatto: {agency}")
    invite(wave, django_capture_on_commit_callbacks)
    by_address = {m.to[0]: m for m in mail.outbox}
    for case in wave.invitations.select_related("firm"):
        sent = by_address[case.firm.email]
        if case.language == "it":
            assert sent.subject == f"Indagine per {case.firm.name}"
            assert sent.body.startswith("Buongiorno Responsabile,\n") and "/s/" in sent.body
            assert "Scadenza" not in sent.body  # the wave has no closing date: the line is left out
            assert "Contatto: Anna Rossi <anna@agency.example>" in sent.body
            assert sent.reply_to == ["anna@agency.example"]
        else:  # en, the wave's first language, has no text of its own: the built-in one
            assert sent.subject == "Mini: invitation to take part" and "Questions about the survey: Anna" in sent.body


def test_without_a_template_in_the_firms_language_the_first_languages_template_goes_out(
        wave, sampled, django_capture_on_commit_callbacks):
    message_template_save(wave=wave, kind="invitation", language="en", subject="Own {survey_title}",
                          body="Own text {link}")
    invite(wave, django_capture_on_commit_callbacks)
    assert {m.subject for m in mail.outbox} == {"Own Mini"}  # it firms too: en is the wave's first language
    WaveSettings.objects.create(wave=wave, languages=["it", "en"])  # now it comes first
    message_template_save(wave=wave, kind="reminder", language="it", subject="Promemoria {reminder_number}",
                          body="Link {link}")
    Message.objects.update(sent_at=timezone.now() - dt.timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        reminders_queue(wave=wave)
    reminders = [m for m in mail.outbox if m.subject.startswith("Promemoria")]
    assert len(reminders) == 5 and {m.subject for m in reminders} == {"Promemoria 1"}


def test_a_waves_templates_are_read_once_per_batch(wave, sampled, django_capture_on_commit_callbacks):
    message_template_save(wave=wave, kind="invitation", language="it", subject="S {firm_name}", body=OWN_BODY)
    from unittest import mock

    with mock.patch("surveys.fieldwork.tasks.messages_dispatch_task.delay"):
        invitations_queue(wave=wave)
    with CaptureQueriesContext(connection) as queries:
        messages_send_batch(message_ids=list(Message.objects.values_list("pk", flat=True)))
    template_reads = [q for q in queries.captured_queries if "surveys_messagetemplate" in q["sql"]]
    settings_reads = [q for q in queries.captured_queries if "surveys_wavesettings" in q["sql"]]
    assert len(mail.outbox) == 5 and len(template_reads) == 1
    assert len(settings_reads) == 2  # languages and agency contact: once per batch, not per message


# ------------------------------------------------------------------ staff screens
def test_staff_see_the_kinds_by_language_and_the_editor_starts_from_the_built_in_text(client, editor, wave):
    client.force_login(editor)
    tracking = client.get(reverse("fieldwork:tracking", args=[wave.pk])).content.decode()
    assert reverse("fieldwork:messages", args=[wave.pk]) in tracking
    page = client.get(reverse("fieldwork:messages", args=[wave.pk])).content.decode()
    for kind in ("invitation", "reminder"):
        for language in ("en", "it"):
            assert f'id="edit-{kind}-{language}"' in page
    editor_page = client.get(url("message-template", wave), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "{survey_title}: invito a partecipare" in editor_page and "Gentile {contact}," in editor_page
    assert 'id="preview-subject">Mini: invito a partecipare' in editor_page  # no firm yet: an example firm
    assert "Manifattura Esempio Srl" in editor_page
    assert client.get(url("message-template", wave, "confirmation")).status_code == 404
    assert client.get(url("message-template", wave, "invitation", "fr")).status_code == 404


def test_saving_shows_placeholder_errors_on_the_form_then_saves_a_good_text(client, editor, wave):
    client.force_login(editor)
    bad = client.post(url("message-template", wave), {"subject": "Ciao {nome}", "body": "Nessun link"})
    assert bad.status_code == 400 and not MessageTemplate.objects.exists()
    text = bad.content.decode()
    assert "Unknown placeholder {nome}" in text and "must contain {link}" in text
    good = client.post(url("message-template", wave), {"subject": "Ciao {firm_name}", "body": OWN_BODY})
    assert good.status_code == 302
    saved = MessageTemplate.objects.get(wave=wave, kind="invitation", language="it")
    assert saved.subject == "Ciao {firm_name}" and saved.updated_by == editor
    assert client.post(url("message-template-reset", wave)).status_code == 302
    assert not MessageTemplate.objects.exists()


def test_preview_renders_the_editors_text_for_a_sampled_firm_and_saves_nothing(client, editor, wave, sampled):
    client.force_login(editor)
    firm = sampled.selections.filter(firm__language="it").order_by("firm__pk").first().firm
    response = client.post(url("message-template-preview", wave), {"subject": "Per {firm_name}", "body": OWN_BODY})
    page = response.content.decode()
    assert response.status_code == 200 and not MessageTemplate.objects.exists()
    assert f'id="preview-subject">Per {firm.name}' in page
    assert f"{firm.name}: il vostro link " in page and "/s/preview/" in page
    assert "Scadenza" not in page.split('id="preview-body"')[1]  # no closing date: the line is left out
    english = sampled.selections.filter(firm__language="en").first().firm
    assert f'<option value="{english.pk}">' in page  # every firm of the wave may be chosen
    chosen = client.post(url("message-template-preview", wave),
                         {"subject": "Per {firm_name}", "body": OWN_BODY, "preview_firm": str(english.pk)})
    assert f'id="preview-subject">Per {english.name}' in chosen.content.decode()
    outsider = RegisterFirmFactory(language="it")  # not in this wave: the default firm instead
    other = client.post(url("message-template-preview", wave),
                        {"subject": "Per {firm_name}", "body": OWN_BODY, "preview_firm": str(outsider.pk)})
    assert f'id="preview-subject">Per {firm.name}' in other.content.decode()
    assert client.post(url("message-template-preview", wave), {"subject": "S", "body": "{link}",
                                                                "preview_firm": "9" * 40}).status_code == 200


def test_test_send_mails_the_user_alone_and_touches_no_firms_delivery(client, editor, wave, sampled):
    client.force_login(editor)
    response = client.post(url("message-template-test", wave), {"subject": "Prova {firm_name}", "body": OWN_BODY})
    assert response.status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["me@agency.example"]
    assert mail.outbox[0].subject.startswith("Prova ") and "/s/preview/" in mail.outbox[0].body
    assert not Message.objects.exists() and not wave.invitations.exists()


def test_test_send_without_an_e_mail_address_says_so(client, django_user_model, wave):
    from surveys.accounts.roles import FIELDWORK

    user = role_user(django_user_model, FIELDWORK, "noaddress", email="")
    client.force_login(user)
    response = client.post(url("message-template-test", wave), {"subject": "S", "body": "{link}"})
    assert response.status_code == 400 and "has no e-mail address" in response.content.decode()
    assert mail.outbox == []


def test_a_mail_server_refusing_the_test_message_is_reported_not_a_500(client, editor, wave, settings):
    import smtplib
    from unittest import mock

    client.force_login(editor)
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=smtplib.SMTPServerDisconnected("Connection unexpectedly closed")):
        response = client.post(url("message-template-test", wave), {"subject": "S", "body": "{link}"})
    assert response.status_code == 502 and "Connection unexpectedly closed" in response.content.decode()


@pytest.mark.parametrize("role", ["interviewer", "analyst"])
def test_interviewers_and_analysts_may_not_open_or_change_the_texts(client, django_user_model, wave, role):
    client.force_login(role_user(django_user_model, role, role))
    assert client.get(reverse("fieldwork:messages", args=[wave.pk])).status_code == 403
    assert client.get(url("message-template", wave)).status_code == 403
    for name in ("message-template", "message-template-preview", "message-template-test", "message-template-reset"):
        assert client.post(url(name, wave), {"subject": "S", "body": "{link}"}).status_code == 403
    assert not MessageTemplate.objects.exists() and mail.outbox == []


def test_hostile_input_gets_a_4xx_and_stores_nothing(client, editor, wave):
    """Run on PostgreSQL too: a NUL would fail there in the database, and huge text must not reach it."""
    client.force_login(editor)
    for name in ("message-template", "message-template-preview", "message-template-test"):
        nul = client.post(url(name, wave), {"subject": "S\x00", "body": "{link}\x00"})
        assert nul.status_code == 400
        huge = client.post(url(name, wave), {"subject": "S" * 5000, "body": "{link} " + "x" * 2_000_000})
        assert huge.status_code == 400 and "at most" in huge.content.decode()
    for subject, body in (("S {" + "a" * 100 + "}", "{link}"), ("S", "{link} {}"), ("S", "{link} {firm_name")):
        odd = client.post(url("message-template", wave), {"subject": subject, "body": body})
        assert odd.status_code == (302 if body.endswith("{firm_name") else 400)  # a lone brace is only text
    MessageTemplate.objects.all().delete()
    assert not MessageTemplate.objects.exists() and mail.outbox == []


def test_preview_compose_uses_a_real_case_firm_when_nothing_is_sampled(wave):
    from surveys.fieldwork.invitations import invitation_issue

    firm = RegisterFirmFactory(language="it", name="Occhiali Bellunesi Spa")
    invitation_issue(wave=wave, firm=firm)
    subject, body, used = preview_compose(wave=wave, kind="invitation", language="it", subject="{firm_name}",
                                          body="{link}")
    assert used == firm and subject == "Occhiali Bellunesi Spa" and body.endswith("/s/preview/\n")
