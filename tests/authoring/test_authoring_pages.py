"""The staff authoring page: upload, problems in place, preview without a response, diff, publish, waves."""
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from surveys.authoring.services import draft_upload, wave_open
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.fieldwork.mailing import invitations_queue
from surveys.models import DefinitionDraft, MailingPlan, Questionnaire, Response, Wave, WaveSettings
from tests.authoring.conftest import EXAMPLE
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db


def workbook(edits: dict | None = None, drop_survey_row: int | None = None) -> bytes:
    book = load_workbook(EXAMPLE)
    if drop_survey_row:
        book["survey"].delete_rows(drop_survey_row)
    for sheet, cells in (edits or {}).items():
        for ref, value in cells.items():
            book[sheet][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, content: bytes, name: str = "supplier.xlsx"):
    return client.post(reverse("authoring:upload"), {"file": SimpleUploadedFile(name, content)})


def test_only_authors_reach_the_authoring_pages(client, analyst, author):
    url = reverse("authoring:home")
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(analyst)
    assert client.get(url).status_code == 403
    assert upload(client, workbook()).status_code == 403 and not DefinitionDraft.objects.exists()
    client.force_login(author)
    assert client.get(url).status_code == 200


def test_an_upload_with_mistakes_shows_each_problem_on_its_row_and_cannot_be_published(client, author):
    client.force_login(author)
    response = upload(client, workbook({"survey": {"A3": "slider", "H9": "S99 == 1"}}))
    draft = DefinitionDraft.objects.get()
    assert response["Location"] == reverse("authoring:draft", args=[draft.pk])
    html = client.get(response["Location"]).content.decode()
    assert "2 problems" in html
    assert 'data-row="3" class="table-danger"' in html and 'data-row="9" class="table-danger"' in html
    assert "unknown type &#x27;slider&#x27;" in html
    assert client.post(reverse("authoring:publish", args=[draft.pk])).status_code == 302
    assert not Questionnaire.objects.exists()


def test_preview_walks_every_page_in_each_language_and_creates_no_response(client, author):
    client.force_login(author)
    draft = DefinitionDraft.objects.get(pk=upload(client, workbook()).url.rstrip("/").split("/")[-1])
    start = client.get(reverse("authoring:preview", args=[draft.pk, "it"]))
    page = client.get(start["Location"])
    html = page.content.decode()
    assert "In che anno è stata fondata l&#x27;impresa?" in html and "Preview: nothing is stored" in html
    bad = client.post(start["Location"], {"S1": "1700", "S2": "0", "S3": "1"})
    assert bad.status_code == 422 and "Almeno un addetto" in bad.content.decode()
    good = client.post(start["Location"], {"S1": "1990", "S2": "12", "S3": "1"})
    p2 = reverse("authoring:preview-page", args=[draft.pk, "it", "P2"])
    assert good["Location"] == p2
    relevance = client.post(reverse("authoring:preview-relevance", args=[draft.pk, "it", "P2"]), {"S4": "1"})
    assert "S5" in relevance.json()["items"] and "S6" in relevance.json()["items"]
    done = client.post(p2, {"S4": "0", "S7.PRICE": "4", "S7.DELIVERY": "5"})
    assert done["Location"] == reverse("authoring:preview-done", args=[draft.pk, "it"])
    assert "S7.PRICE" in client.get(done["Location"]).content.decode()
    english = client.get(client.get(reverse("authoring:preview", args=[draft.pk, "en"]))["Location"])
    assert "In which year was the firm founded?" in english.content.decode()
    assert not Response.objects.exists() and not Questionnaire.objects.exists()


def test_publish_then_diff_of_a_changed_workbook_shows_what_forces_a_new_version(client, author):
    client.force_login(author)
    first = DefinitionDraft.objects.get(pk=upload(client, workbook()).url.rstrip("/").split("/")[-1])
    html = client.get(reverse("authoring:draft", args=[first.pk])).content.decode()
    assert "A new questionnaire: publishing creates version 1" in html
    client.post(reverse("authoring:publish", args=[first.pk]))
    questionnaire = Questionnaire.objects.get(code="supplier-relations-2025")
    version = questionnaire.latest_version()
    invitation_issue(wave=wave_default(questionnaire=questionnaire), firm=FirmFactory())  # now it has a response
    changed = workbook({"survey": {"C3": "Year of founding?"}, "choices": {"B4": 4}}, drop_survey_row=12)  # S8
    second = draft_upload(content=changed, name="v2.xlsx", user=author)
    assert second.is_valid, second.problems
    page = client.get(reverse("authoring:draft", args=[second.pk]))
    html = page.content.decode()
    rows = {(r["code"], r["change"]) for r in page.context["diff"]["rows"]}
    assert ("S1", "reworded") in rows and ("S8", "removed") in rows and ("S3", "recoded") in rows
    assert "publishing creates <strong>version 2</strong>" in html
    assert "answers already given stay with their version" in html
    client.post(reverse("authoring:publish", args=[second.pk]))
    assert questionnaire.versions.count() == 2 and Response.objects.get().version == version


def test_export_downloads_the_workbook_of_a_questionnaire(client, author):
    client.force_login(author)
    draft = draft_upload(content=workbook(), name="s.xlsx")
    client.post(reverse("authoring:publish", args=[draft.pk]))
    response = client.get(reverse("authoring:export", args=["supplier-relations-2025", "xlsx"]))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content))["survey"]["B3"].value == "S1"
    assert client.get(reverse("authoring:export", args=["supplier-relations-2025", "pdf"])).status_code == 404


def test_open_a_wave_and_edit_its_settings_which_invitations_and_prefill_use(client, author, settings,
                                                                           django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FIELDWORK_MAIL_PER_MINUTE = 0
    client.force_login(author)
    draft = draft_upload(content=workbook(), name="s.xlsx")
    client.post(reverse("authoring:publish", args=[draft.pk]))
    response = client.post(reverse("authoring:wave-new", args=["supplier-relations-2025"]),
                           {"code": "2025-spring", "title": "Spring"})
    wave = Wave.objects.get(code="2025-spring")
    assert response["Location"] == reverse("authoring:wave-settings", args=[wave.pk])
    bad = client.post(response["Location"], {"languages": ["it"], "reminder_days": "7, 14",
                                             "prefill": "S99 = employees\nS2 = salary"})
    assert bad.status_code == 422 and "S99: no such item" in bad.content.decode()
    assert "salary: not a register field" in bad.content.decode()
    ok = client.post(response["Location"], {
        "languages": ["it"], "contact_name": "Anna Rossi", "contact_email": "anna@agency.example",
        "reminder_days": "5, 12", "reminders_enabled": "on", "prefill": "S2 = employees"})
    assert ok.status_code == 302
    assert WaveSettings.objects.get(wave=wave).prefill == {"S2": "employees"}
    assert MailingPlan.objects.get(wave=wave).reminder_days == [5, 12]
    firm = FirmFactory(language="en", employees=42, email="boss@firm.example")
    invitation, token, _ = invitation_issue(wave=wave, firm=firm)
    assert invitation.language == "it"  # the wave offers Italian only
    with django_capture_on_commit_callbacks(execute=True):
        invitations_queue(wave=wave)
    assert mail.outbox[-1].reply_to == ["anna@agency.example"] and "Anna Rossi" in mail.outbox[-1].body
    page = client.get(reverse("surveys:page", args=[token, "P1"]))
    assert page.context["form"].initial["S2"] == "42"


def test_a_wave_code_is_unique_per_questionnaire(author):
    draft = draft_upload(content=workbook(), name="s.xlsx")
    from surveys.authoring.services import AuthoringError, draft_publish

    draft_publish(draft=draft)
    questionnaire = Questionnaire.objects.get()
    wave_open(questionnaire=questionnaire, code="w1")
    with pytest.raises(AuthoringError):
        wave_open(questionnaire=questionnaire, code="w1")


@pytest.mark.parametrize("content, name, message", [
    (workbook({"survey": {"L3": "1e400"}}), "huge.xlsx", "a number is too large"),
    (b'code: nul-test\ntitle: {en: "a\\0b"}\nmodules: []\n', "nul.yaml", "NUL character"),
    (b"code: Not A Code\nmodules: []\n", "code.yaml", "a questionnaire code is lower-case"),
    (b"\xff\xfe\x00garbage", "x.yaml", "binary file"),
])
def test_bad_uploads_become_drafts_with_a_message_never_an_error_page(client, author, content, name, message):
    client.force_login(author)
    response = upload(client, content, name)
    assert response.status_code == 302
    draft = DefinitionDraft.objects.get()
    assert not draft.is_valid and any(message in p for p in draft.problems), draft.problems
    assert client.get(response["Location"]).status_code == 200


def test_the_admin_lists_drafts_read_only_and_wave_settings(client, django_user_model):
    draft = draft_upload(content=workbook(), name="s.xlsx")
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    assert client.get(reverse("admin:surveys_definitiondraft_changelist")).status_code == 200
    assert client.get(reverse("admin:surveys_definitiondraft_change", args=[draft.pk])).status_code == 200
    assert client.get(reverse("admin:surveys_wavesettings_changelist")).status_code == 200


def test_every_page_opens_directly_in_each_language_even_one_skip_logic_hides(client, author):
    client.force_login(author)
    draft = draft_upload(content=workbook({"survey": {"H7": "S3 == 2"}}), name="s.xlsx")  # P2: construction only
    html = client.get(reverse("authoring:draft", args=[draft.pk])).content.decode()
    for language in ("en", "it"):
        for module in ("P1", "P2"):
            url = reverse("authoring:preview-page", args=[draft.pk, language, module])
            assert url in html and client.get(url).status_code == 200
    assert client.get(reverse("authoring:preview-page", args=[draft.pk, "en", "P9"])).status_code == 404
    assert client.get(reverse("authoring:preview-page", args=[draft.pk, "fr", "P1"])).status_code == 404
