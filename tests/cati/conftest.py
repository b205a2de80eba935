"""A fixed cast for telephone fieldwork: two interviewers, an analyst, fieldwork staff, and cases."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from surveys.accounts.roles import ANALYST, FIELDWORK, INTERVIEWER, role_assign, roles_install
from surveys.cati.calls import cati_cases_open, outcome_codes_install
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import CatiCase, OutcomeCode
from tests.factories import FirmFactory

PAGE1 = {"Q1": "1990", "Q2": "12000", "Q3": "1", "Q4": "30.5", "Q5.D": "70", "Q5.A": "30"}
PAGE2 = {"Q6": "1", "Q7": ["EU"], "Q8.1": "3", "Q8.EU": "4", "Q9": "FR"}
PAGE3 = {"Q11": "3"}


@pytest.fixture
def roles(db):
    roles_install()
    outcome_codes_install()


def _user(username: str, role: str | None):
    user = get_user_model().objects.create_user(username, f"{username}@agency.example", "pw-" + username)
    if role:
        role_assign(user=user, role=role)
    return user


@pytest.fixture
def interviewer(roles):
    return _user("iris", INTERVIEWER)


@pytest.fixture
def other_interviewer(roles):
    return _user("otto", INTERVIEWER)


@pytest.fixture
def analyst(roles):
    return _user("ada", ANALYST)


@pytest.fixture
def staff(roles):
    return _user("sam", FIELDWORK)


def open_case(version, interviewer, **firm) -> tuple[CatiCase, str]:
    wave = wave_default(questionnaire=version.questionnaire)
    invitation, token, _ = invitation_issue(wave=wave, firm=FirmFactory(**firm))
    cati_cases_open(invitations=[invitation], interviewer=interviewer)
    return CatiCase.objects.get(invitation=invitation), token


@pytest.fixture
def case(mini_version, interviewer) -> CatiCase:
    return open_case(mini_version, interviewer)[0]


@pytest.fixture
def web_case(mini_version, interviewer) -> tuple[CatiCase, str]:
    """A case on the telephone list whose firm also has its personal link (token)."""
    return open_case(mini_version, interviewer)


def outcome(code: str) -> OutcomeCode:
    return OutcomeCode.objects.get(code=code)


def signed_in(client, user):
    client.force_login(user)
    return client
