"""Sign-in is throttled after repeated failures, per address and per username."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def attempt(client, username, password, address="10.0.0.1", url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_is_refused_after_repeated_failures_even_with_the_right_password(client, settings, interviewer):
    settings.RATE_LIMIT_LOGIN = 3
    assert [attempt(client, "iris", "wrong").status_code for _ in range(3)] == [200, 200, 200]
    blocked = attempt(client, "iris", "pw-iris")
    assert blocked.status_code == 429 and "Too many failed sign-in attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_count_per_username_across_addresses_and_per_address_across_usernames(client, settings,
                                                                                        interviewer, analyst):
    settings.RATE_LIMIT_LOGIN = 3
    for n in range(3):
        attempt(client, "iris", "wrong", address=f"10.0.1.{n}")
    assert attempt(client, "iris", "pw-iris", address="10.0.2.1").status_code == 429
    for name in ("x", "y", "z"):
        attempt(client, name, "wrong", address="10.0.3.1")
    assert attempt(client, "ada", "pw-ada", address="10.0.3.1").status_code == 429
    assert attempt(client, "ada", "pw-ada", address="10.0.4.1").status_code == 302  # others are not locked out


def test_the_admin_sign_in_is_throttled_too(client, settings, staff):
    settings.RATE_LIMIT_LOGIN = 2
    for _ in range(2):
        attempt(client, "sam", "wrong", url="/admin/login/")
    assert attempt(client, "sam", "pw-sam", url="/admin/login/").status_code == 429


def test_interviewer_lands_on_the_call_list_and_staff_follow_next(client, interviewer, staff):
    assert attempt(client, "iris", "pw-iris")["Location"] == reverse("cati:list")
    client.logout()
    response = client.post("/accounts/login/?next=/admin/", {"username": "sam", "password": "pw-sam"})
    assert response["Location"] == "/admin/"
