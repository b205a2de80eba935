"""Responses of the mini instrument covering every export case: skips, DK/RF, multi, grid, other, text."""
import pytest

from surveys.answering.readmodel import readmodel_upsert
from surveys.answering.saves import response_record
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Response
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.validation import validate_all
from tests.factories import FirmFactory

OFFSHORING = {"Q1": "1990", "Q2": "12000", "Q3": "1", "Q4": "30.5", "Q5.D": "70", "Q5.A": "30", "Q6": "1",
              "Q7": ["EU", "OT"], "Q7.other": "=HYPERLINK(\"http://evil\")", "Q8.1": "3", "Q8.EU": "4",
              "Q9": "FR", "Q10": "Ciao, \"tutti\"\nsecond line", "Q11": "1", "Q12": "2020-05-01"}
DOMESTIC = {"Q1": "1975", "Q2": "800", "Q3": "0", "Q8.1": "2", "Q9": "DE", "Q10": "-5% margin, +3 staff @home"}
MISSING = {"Q1": "missing:DK", "Q2": "missing:RF", "Q3": "1", "Q4": "10", "Q5.D": "100", "Q5.A": "0", "Q6": "0",
           "Q8.1": "missing:DK"}
CASES = [("it", OFFSHORING), ("en", DOMESTIC), ("en", MISSING)]


def record(version, firm, raw: dict, language: str = "en") -> Response:
    spec = spec_for_version(version)
    answers, errors = validate_all(spec, raw, allow_missing=True)
    assert errors == {}, errors
    wave = wave_default(questionnaire=version.questionnaire)
    invitation, _, _ = invitation_issue(wave=wave, firm=firm, language=language)
    response = invitation.response
    response_record(response=response, answers=answers, language=language)
    response.save()
    readmodel_upsert([response], version.questionnaire)
    return response


@pytest.fixture(autouse=True)
def _forget_ensured_read_models():
    """surveys.answering.readmodel remembers created tables on commit; django_capture_on_commit_callbacks(execute=True)
    runs that callback although the test's transaction then rolls the table back."""
    from surveys.answering.readmodel import readmodel_caches_clear

    readmodel_caches_clear()


@pytest.fixture
def mini_responses(mini_version):
    return [record(mini_version, FirmFactory(), raw, lang) for lang, raw in CASES]
