"""Fieldwork staff working in Italian take a register to a sent wave in Chromium: import the firms, draw
the sample, write the invitation, preview it, test-send it to themselves, then send the wave after
confirming the count. The older fieldwork screens are still in English: they are driven by ids and URLs."""
import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from surveys.fieldwork.invitations import wave_default
from surveys.models import Firm, Message, MessageTemplate, PopulationImport, Sample

REGISTER = ("Partita IVA;Ragione sociale;Provincia;Distretto;Dipendenti;Fatturato;PEC;Referente\n"
            "01111111111;Mobilificio Trevigiano Srl;TV;TV_FURN;45;3.200.000,00;mobili@firm.example;Laura Bianchi\n"
            "02222222222;Sedie del Livenza Spa;PN;PN_FURN;120;15.500.000,00;sedie@firm.example;\n"
            "03333333333;Meccanica Vicentina Srl;VI;VI_MECH;30;2.100.000,00;mecc@firm.example;Paolo Verdi\n")
OWN_SUBJECT = "Indagine {survey_title} per {firm_name}"
OWN_BODY = ("Gentile {contact},\n\nvi invitiamo a rispondere al questionario:\n{link}\n\n"
            "Scadenza: {deadline}\n\nPer non ricevere altri messaggi: {opt_out_link}")


@pytest.fixture
def italian_staff(transactional_db, django_user_model, mini_version, settings, tmp_path):
    from surveys.accounts.roles import FIELDWORK, role_assign, roles_install

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FIELDWORK_MAIL_PER_MINUTE = 0
    settings.MEDIA_ROOT = tmp_path
    roles_install()
    user = django_user_model.objects.create_user("giulia", password="Giulia-2016", email="giulia@agency.example")
    role_assign(user=user, role=FIELDWORK)
    return user, wave_default(questionnaire=mini_version.questionnaire)


@pytest.fixture
def italian_page(browser):
    """The browser asks for Italian (Accept-Language), which LocaleMiddleware follows for staff screens."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_italian_staff_import_sample_write_preview_test_send_and_send_the_wave(
        italian_page, live_server, italian_staff, tmp_path):
    page, (_user, wave), base = italian_page, italian_staff, live_server.url
    page.goto(f"{base}/accounts/login/?next={reverse('fieldwork:import-upload')}")
    page.fill("input[name=username]", "giulia")
    page.fill("input[name=password]", "Giulia-2016")
    with page.expect_navigation():
        page.click("main button[type=submit]")

    # the register: upload, columns guessed, check, import
    register = tmp_path / "registro.csv"
    register.write_text(REGISTER, encoding="utf-8-sig")
    page.set_input_files("#upload-form input[type=file]", str(register))
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")
    with page.expect_navigation():
        page.click("#check")
    expect(page.locator("#no-errors")).to_be_visible()
    with page.expect_navigation():
        page.click("#import")
    assert PopulationImport.objects.get().status == "imported"
    assert Firm.objects.filter(language="it").count() == 3

    # the sample: every firm of the register (census), listed on the sample page
    page.goto(base + reverse("fieldwork:sample-new", args=[wave.pk]))
    page.select_option("#id_allocation", "census")
    with page.expect_navigation():
        page.click("#sample-form button[type=submit]")
    sample = Sample.objects.get(wave=wave)
    assert page.url == base + reverse("fieldwork:sample", args=[sample.pk])
    expect(page.locator("#selections tbody tr")).to_have_count(3)
    expect(page.locator("#selections")).to_contain_text("Mobilificio Trevigiano Srl")

    # the wave's e-mail texts, in Italian, reached from the wave page
    page.goto(base + reverse("fieldwork:tracking", args=[wave.pk]))
    with page.expect_navigation():
        page.click("#wave-messages")
    assert page.url == base + reverse("fieldwork:messages", args=[wave.pk])
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Testi e-mail di")
    expect(page.locator("#message-templates tbody tr")).to_have_count(4)  # invitation, reminder x en, it
    with page.expect_navigation():
        page.click("#edit-invitation-it")
    expect(page.locator("#id_subject")).to_have_value("{survey_title}: invito a partecipare")  # the built-in text
    expect(page.locator("#id_body")).to_contain_text("Gentile {contact},")
    expect(page.locator("#save-template")).to_have_text("Salva")

    # preview what is in the editor, for a sampled firm; nothing saved
    page.fill("#id_subject", OWN_SUBJECT)
    page.fill("#id_body", OWN_BODY)
    with page.expect_navigation():
        page.click("#preview-template")
    first = Firm.objects.order_by("pk").first()
    expect(page.locator("#preview-subject")).to_have_text(f"Indagine Mini per {first.name}")
    expect(page.locator("#preview-body")).to_contain_text(f"Gentile {first.contact_name},")
    expect(page.locator("#preview-body")).not_to_contain_text("Scadenza")  # no closing date: line left out
    assert not MessageTemplate.objects.exists()

    # a test to oneself: one e-mail, to the user, no firm's delivery touched
    with page.expect_navigation():
        page.click("#test-send-template")
    expect(page.locator("[role=status]").first).to_contain_text("giulia@agency.example")
    assert [m.to for m in mail.outbox] == [["giulia@agency.example"]]
    assert mail.outbox[0].subject == f"Indagine Mini per {first.name}" and "/s/preview/" in mail.outbox[0].body
    assert not Message.objects.exists()

    with page.expect_navigation():
        page.click("#save-template")
    expect(page.locator("#template-origin")).to_have_attribute("data-own", "1")
    assert MessageTemplate.objects.get(wave=wave, kind="invitation", language="it").subject == OWN_SUBJECT

    # send the wave: the confirmation gives the count, nothing goes before it
    page.goto(base + reverse("fieldwork:tracking", args=[wave.pk]))
    with page.expect_navigation():
        page.click("#send-invitations")
    expect(page.locator("#invite-count strong")).to_have_text("3")
    expect(page.locator("#invite-texts")).to_have_attribute("href", reverse("fieldwork:messages", args=[wave.pk]))
    assert len(mail.outbox) == 1
    with page.expect_navigation():
        page.click("#confirm-send")
    assert page.url.startswith(base + reverse("fieldwork:tracking", args=[wave.pk]))
    sent = mail.outbox[1:]
    assert sorted(m.to[0] for m in sent) == ["mecc@firm.example", "mobili@firm.example", "sedie@firm.example"]
    by_address = {m.to[0]: m for m in sent}
    assert by_address["mobili@firm.example"].subject == "Indagine Mini per Mobilificio Trevigiano Srl"
    assert "Gentile Laura Bianchi," in by_address["mobili@firm.example"].body
    assert "Gentile Responsabile," in by_address["sedie@firm.example"].body
    assert "/s/preview/" not in by_address["sedie@firm.example"].body  # each firm its own link
    assert Message.objects.filter(status="sent").count() == 3
