"""Personal API tokens: shown once, stored hashed, revocable, expiring, throttled per token."""
import datetime as dt
import hashlib
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.api.tokens import api_token_create
from surveys.models import ApiToken
from tests.api.conftest import client_for

URL = "/api/v1/questionnaires/"


def test_only_the_hash_of_a_key_is_stored(analyst):
    token, key = api_token_create(user=analyst, name="sync")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())


def test_a_token_opens_the_api_with_its_owners_role(analyst, mini_version):
    response = client_for(analyst).get(URL)
    assert response.status_code == 200
    assert [q["code"] for q in response.json()] == ["mini-test"]


@pytest.mark.parametrize("header", ["", "Token", "Token nope", "Token a b", "Bearer x", "Token \u00e9\u00e9"])
def test_missing_or_wrong_keys_get_401(db, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoked_and_expired_tokens_are_refused(analyst):
    token, key = api_token_create(user=analyst, name="old")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(URL).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(URL).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(days=1),
                                                revoked_at=timezone.now())
    assert client.get(URL).status_code == 401


def test_a_deactivated_user_loses_the_api(analyst):
    client = client_for(analyst)
    analyst.is_active = False
    analyst.save()
    assert client.get(URL).status_code == 401


def test_requests_are_throttled_per_token(analyst, settings):
    settings.API_THROTTLE_RATE = "3/min"
    first, second = client_for(analyst), client_for(analyst)
    assert [first.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get(URL).status_code == 200  # another token has its own allowance


def test_the_command_prints_a_key_once_and_revokes(analyst):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "--user", "ann", "--name", "warehouse", stdout=out, stderr=err)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(name="warehouse")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest() and "not shown again" in err.getvalue()
    call_command("api_token", "--user", "ann", "--revoke", str(token.pk), stdout=io.StringIO())
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_staff_page_shows_a_new_key_once_and_revokes_it(client, fieldwork_user):
    client.force_login(fieldwork_user)
    page = client.post("/accounts/api-tokens/", {"name": "warehouse", "days": "30"})
    assert page.status_code == 200 and page.context["key"]
    token = ApiToken.objects.get(user=fieldwork_user)
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=30)).date()
    again = client.get("/accounts/api-tokens/")
    assert page.context["key"] not in again.content.decode() and token.prefix in again.content.decode()
    client.post(f"/accounts/api-tokens/{token.pk}/revoke/")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_nobody_revokes_another_users_token(client, fieldwork_user, analyst):
    token, _ = api_token_create(user=analyst, name="theirs")
    client.force_login(fieldwork_user)
    client.post(f"/accounts/api-tokens/{token.pk}/revoke/")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
