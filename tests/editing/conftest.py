"""Submitted responses written with exactly the answers a test plants (no validation: inconsistencies too)."""
from __future__ import annotations

import pytest
from django.utils import timezone

from surveys.answering.readmodel import readmodel_caches_clear, readmodel_upsert
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Response
from tests.analytics.conftest import load_instrument
from tests.factories import FirmFactory

CODE_A, CODE_B = "italian-districts-2016", "basque-digital-2019"

CLEAN_A = {"A1.1": 1990, "A1.2": 5000, "A1.5": 40, "A1.3.IT": 60.0, "A1.3.AB": 40.0, "A1.4.1": "FR",
           "A1.4.2": "DE", "A2.3": 1, "A2.4": 20.0, "A2.7.D": 50, "A2.7.R": 20, "A2.7.I": 20, "A2.7.A": 10,
           "A3.1": 1, "A3.2": 2000, "A3.5": 1, "A3.6": 2005, "A4.3": 1, "A4.4": 2010}
CLEAN_B = {"BA1": 2, "BA2": 2, "BA7.1": 1, "BA7.2": ["FR"], "BA8.2": [1], "B9.1": 1, "B10": 1, "B12.2.M6": 2}


@pytest.fixture(autouse=True)
def _forget_read_models():
    readmodel_caches_clear()  # tables remembered by an earlier test's on-commit callbacks


def submitted(questionnaire, answers: dict, firm=None) -> Response:
    """A submitted response holding `answers` as given (derived variables computed as a save does)."""
    from surveys.questionnaire.spec import spec_for_version

    wave = wave_default(questionnaire=questionnaire)
    invitation, _, _ = invitation_issue(wave=wave, firm=firm or FirmFactory())
    response = invitation.response
    response.answers = dict(answers)
    response.derived = spec_for_version(response.version).compute_derived(response.answers)
    response.status = Response.Status.SUBMITTED
    response.submitted_at = response.started_at = timezone.now()
    response.save()
    readmodel_upsert([response], questionnaire)
    return response


@pytest.fixture
def instrument_a(db):
    return load_instrument(CODE_A)


@pytest.fixture
def instrument_b(db):
    return load_instrument(CODE_B)
