"""Staff pages: permissions, tracking with its chart, drawing a sample, importing a register file."""
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.fieldwork.sampling import sample_draw
from surveys.models import Firm, PopulationImport, Sample
from tests.factories import RegisterFirmFactory

pytestmark = pytest.mark.django_db


def test_anonymous_users_go_to_sign_in_and_users_without_permission_get_403(client, wave, django_user_model):
    url = reverse("fieldwork:tracking", args=[wave.pk])
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(django_user_model.objects.create_user("nobody", is_staff=True))
    assert client.get(url).status_code == 403
    assert client.get(reverse("fieldwork:import-upload")).status_code == 403


def test_staff_send_invitations_and_see_tracking_with_the_chart(client, staff, wave, fast_mail,
                                                                django_capture_on_commit_callbacks):
    RegisterFirmFactory.create_batch(8, district="TV_FURN")
    sample_draw(wave=wave, name="main", strata_fields=["district"], size=5, seed=1)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("fieldwork:invite", args=[wave.pk]))
    assert response.status_code == 302 and len(mail.outbox) == 5
    page = client.get(reverse("fieldwork:tracking", args=[wave.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'class="series"' in html
    assert 'data-count="invited"' in html and "Computed at" in html and "Response rate 1 = I / ((I+P)" in html
    assert page.context["data"]["totals"]["invited"] == 5
    assert client.get(reverse("fieldwork:waves")).status_code == 200


def test_draw_sample_form_creates_a_reproducible_sample(client, staff, wave):
    RegisterFirmFactory.create_batch(12, district="TV_FURN", turnover=2_000_000)
    RegisterFirmFactory.create_batch(6, district="VI_MECH", turnover=500_000)
    client.force_login(staff)
    url = reverse("fieldwork:sample-new", args=[wave.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "main", "allocation": "proportional", "size": "6",
                                 "strata_fields": ["district"], "turnover_above": "1000000", "min_per_stratum": "0",
                                 "seed": "11"})
    sample = Sample.objects.get()
    assert response["Location"] == reverse("fieldwork:sample", args=[sample.pk])
    assert sample.population_size == 12 and sample.selections.count() == 6 and sample.seed == 11
    assert client.get(response["Location"]).status_code == 200
    bad = client.post(url, {"name": "second", "allocation": "proportional", "size": "99", "min_per_stratum": "0"})
    assert bad.status_code == 200 and "larger than the population" in bad.content.decode()


def test_import_page_upload_check_then_import(client, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff)
    text = "P.IVA;Ragione sociale;Fatturato\n01234567890;Alfa;1.500.000,00\n02222222222;Beta;n.d.\n"
    upload = SimpleUploadedFile("aida.csv", text.encode("latin-1"), content_type="text/csv")
    response = client.post(reverse("fieldwork:import-upload"), {
        "file": upload, "encoding": "auto", "decimal": "auto", "turnover_multiplier": "1", "source": "AIDA"})
    record = PopulationImport.objects.get()
    assert response["Location"] == reverse("fieldwork:import", args=[record.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["form"].initial["col0"] == "identifier"
    mapping = {"col0": "identifier", "col1": "name", "col2": "turnover"}
    client.post(reverse("fieldwork:import-check", args=[record.pk]), mapping)
    record.refresh_from_db()
    assert record.status == "checked" and record.report["errors"][0]["line"] == 3
    assert "n.d." in client.get(response["Location"]).content.decode()
    client.post(reverse("fieldwork:import-apply", args=[record.pk]), mapping)
    assert not Firm.objects.exists()  # errors and no acceptance: nothing written
    client.post(reverse("fieldwork:import-apply", args=[record.pk]), {**mapping, "accept_valid": "on"})
    record.refresh_from_db()
    assert record.status == "imported" and Firm.objects.get().attributes == {"source": "AIDA"}


def test_sample_page_lists_the_drawn_firms_with_their_strata_and_exports_them(client, staff, wave):
    import csv
    import io

    RegisterFirmFactory.create_batch(4, district="TV_FURN", name="=cmd|calc")
    RegisterFirmFactory.create_batch(3, district="VI_MECH")
    sample = sample_draw(wave=wave, name="main", strata_fields=["district"], allocation="census", seed=1)
    client.force_login(staff)
    page = client.get(reverse("fieldwork:sample", args=[sample.pk])).content.decode()
    assert "Drawn firms (7)" in page and page.count("TV_FURN") >= 5 and 'id="sample-csv"' in page
    response = client.get(reverse("fieldwork:sample-csv", args=[sample.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["firm_identifier", "firm_name"] and len(rows) == 8
    assert len({r[8] for r in rows[1:]}) == 2 and "TV_FURN" in rows[1][8] + rows[-1][8]
    assert "'=cmd|calc" in {r[1] for r in rows[1:]}  # escaped against spreadsheet formulas
    client.logout()
    assert client.get(reverse("fieldwork:sample-csv", args=[sample.pk])).status_code == 302


def test_sending_invitations_asks_for_confirmation_with_the_count(client, staff, wave, fast_mail,
                                                                  django_capture_on_commit_callbacks):
    RegisterFirmFactory.create_batch(3, district="TV_FURN", language="it")
    RegisterFirmFactory.create_batch(2, district="VI_MECH", language="en")
    sample_draw(wave=wave, name="main", strata_fields=["district"], allocation="census", seed=1)
    client.force_login(staff)
    tracking = client.get(reverse("fieldwork:tracking", args=[wave.pk])).content.decode()
    assert reverse("fieldwork:invite-confirm", args=[wave.pk]) in tracking
    page = client.get(reverse("fieldwork:invite-confirm", args=[wave.pk])).content.decode()
    assert "<strong>5</strong> invitations" in page and "<li>it: 3</li>" in page and "Send 5 invitations" in page
    assert len(mail.outbox) == 0  # nothing is mailed before the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("fieldwork:invite", args=[wave.pk]), {"confirmed": "5"})
    assert len(mail.outbox) == 5
    assert "nothing to send" in client.get(reverse("fieldwork:invite-confirm", args=[wave.pk])).content.decode()


def test_register_import_takes_country_and_language_from_the_province_or_the_form_defaults(
        client, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff)
    text = ("P.IVA;Ragione sociale;Provincia\n01234567890;Alfa;TV\n02222222222;Beta;Gipuzkoa\n"
            "03333333333;Gamma;\n")
    upload = SimpleUploadedFile("register.csv", text.encode("utf-8"), content_type="text/csv")
    response = client.post(reverse("fieldwork:import-upload"), {
        "file": upload, "encoding": "auto", "decimal": "auto", "turnover_multiplier": "1",
        "default_country": "it", "default_language": "it"})
    record = PopulationImport.objects.get()
    assert response["Location"] == reverse("fieldwork:import", args=[record.pk])
    client.post(reverse("fieldwork:import-apply", args=[record.pk]),
                {"col0": "identifier", "col1": "name", "col2": "region"})
    firms = {f.name: (f.country, f.language) for f in Firm.objects.all()}
    assert firms == {"Alfa": ("IT", "it"), "Beta": ("ES", "es"), "Gamma": ("IT", "it")}


def test_register_import_command_defaults(tmp_path):
    from django.core.management import call_command

    path = tmp_path / "firms.csv"
    path.write_text("id,name,country,language\nA1,Alfa,,\nB2,Beta,ES,\nC3,Gamma,,en\n", encoding="utf-8")
    call_command("import_firms", str(path), "--country", "IT", "--language", "it", stdout=io.StringIO())
    firms = {f.name: (f.country, f.language) for f in Firm.objects.all()}
    assert firms == {"Alfa": ("IT", "it"), "Beta": ("ES", "es"), "Gamma": ("IT", "en")}
