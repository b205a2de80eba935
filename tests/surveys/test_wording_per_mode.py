"""An item's wording and help per mode: the web never shows what is meant for the interviewer."""
import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Questionnaire, Response
from surveys.questionnaire.spec import spec_for_version
from tests.cati.pdftext import pdf_text
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db
INSTRUMENT_A = "italian-districts-2016"


@pytest.fixture
def italian_case(loaded_instruments):
    def issue(language):
        questionnaire = Questionnaire.objects.get(code=INSTRUMENT_A)
        invitation, token, _ = invitation_issue(wave=wave_default(questionnaire=questionnaire),
                                                firm=FirmFactory(), language=language)
        return invitation, token
    return issue


def test_item_carries_web_and_interviewer_wording(loaded_instruments):
    version = Questionnaire.objects.get(code=INSTRUMENT_A).versions.order_by("-number").first()
    item = spec_for_version(version).items["A0.1"]
    assert item.texts_for("web")[0]["en"] == "Please confirm your industrial district."
    assert item.texts_for("interviewer")[0]["it"].startswith("Intervistatore:")
    assert item.texts_for("interviewer")[1]["en"].startswith("Pre-filled from the sampling frame")


@pytest.mark.parametrize("language, web, interviewer", [
    ("en", "Please confirm your industrial district", "Interviewer:"),
    ("it", "Confermi il distretto industriale", "Intervistatore:"),
])
def test_web_page_review_thanks_and_pdf_never_show_interviewer_instructions(client, italian_case, language,
                                                                             web, interviewer):
    invitation, token = italian_case(language)
    page = client.get(reverse("surveys:page", kwargs={"token": token, "module": "A0"})).content.decode()
    assert web in page and interviewer not in page and "sampling frame" not in page
    client.post(reverse("surveys:page", kwargs={"token": token, "module": "A0"}),
                {"A0.1": "D1", "A0.2": "1", "page_revision": 0})
    review = client.get(reverse("surveys:review", kwargs={"token": token})).content.decode()
    assert web in review and interviewer not in review
    Response.objects.filter(invitation=invitation).update(status=Response.Status.SUBMITTED,
                                                          submitted_at=timezone.now())
    thanks = client.get(reverse("surveys:thanks", kwargs={"token": token})).content.decode()
    assert web in thanks and interviewer not in thanks
    text = pdf_text(client.get(reverse("surveys:pdf", kwargs={"token": token})).content)
    assert web in text and interviewer not in text
