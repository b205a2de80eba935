"""The API's cast: one user per role, each with a token, and a few saved responses of the mini instrument."""
import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from surveys.accounts.roles import ADMINISTRATOR, ANALYST, FIELDWORK, INTERVIEWER, role_assign, roles_install
from surveys.answering.saves import response_save_page
from surveys.api.tokens import api_token_create
from surveys.fieldwork.invitations import invitation_issue, wave_default
from tests.factories import FirmFactory

PAGE1 = {"Q1": "1990", "Q2": "12000", "Q3": "0"}


@pytest.fixture
def roles(db):
    roles_install()


def _user(username: str, role: str):
    user = get_user_model().objects.create_user(username, password="pw-long-enough")
    role_assign(user=user, role=role)
    return user


@pytest.fixture
def admin_user(roles):
    return _user("ada", ADMINISTRATOR)


@pytest.fixture
def fieldwork_user(roles):
    return _user("fiona", FIELDWORK)


@pytest.fixture
def analyst(roles):
    return _user("ann", ANALYST)


@pytest.fixture
def interviewer(roles):
    return _user("ivo", INTERVIEWER)


def client_for(user) -> APIClient:
    _, key = api_token_create(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def save_first_page(response_id: int, **raw):
    """One page save through the web's own service."""
    from surveys.models import Response

    revision = Response.objects.get(pk=response_id).revision
    result, saved = response_save_page(response_id=response_id, module_code="M1", raw={**PAGE1, **raw},
                                       revision=revision)
    assert result.ok, result.errors
    return saved


@pytest.fixture
def saved_responses(mini_version):
    wave = wave_default(questionnaire=mini_version.questionnaire)
    ids = [invitation_issue(wave=wave, firm=FirmFactory())[0].response.pk for _ in range(3)]
    return [save_first_page(pk) for pk in ids]
