"""Sign-in is throttled per username AND client address (django-axes): a guesser locks out only the
pair it attacks, colleagues behind one office NAT keep their own budgets, and the client's address
comes from a forwarding header only when a trusted proxy is configured."""
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def attempt(client, username, password, address="10.0.0.1", url="/accounts/login/", **headers):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def fail(client, username, times, **kwargs):
    return [attempt(client, username, "wrong", **kwargs).status_code for _ in range(times)]


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def test_failures_lock_that_username_from_that_address_even_with_the_right_password(client, limit, interviewer):
    assert fail(client, "iris", limit) == [200, 200, 429]  # the failure that reaches the limit is refused
    blocked = attempt(client, "iris", "pw-iris")
    assert blocked.status_code == 429 and "_auth_user_id" not in client.session
    assert "Too many failed sign-in attempts" in blocked.content.decode()


def test_the_same_username_from_another_address_still_signs_in(client, limit, interviewer):
    fail(client, "iris", limit, address="203.0.113.9")  # a guesser on the internet
    assert attempt(client, "iris", "pw-iris", address="10.0.0.1").status_code == 302
    assert "_auth_user_id" in client.session


def test_colleagues_behind_one_nat_are_not_locked_out_as_a_group(client, limit, interviewer, analyst, staff):
    for name in ("iris", "ada"):  # two colleagues mistype, one short of the limit each
        fail(client, name, limit - 1, address="192.0.2.1")
    for name in ("x", "y", "z"):  # and somebody on the same network tries other names
        fail(client, name, limit - 1, address="192.0.2.1")
    for name in ("iris", "ada", "sam"):
        client.logout()
        assert attempt(client, name, f"pw-{name}", address="192.0.2.1").status_code == 302, name


def test_the_lockout_page_is_a_429_in_the_users_language_saying_when_to_retry(client, limit, interviewer, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    fail(client, "iris", limit)
    page = attempt(client, "iris", "pw-iris", HTTP_ACCEPT_LANGUAGE="it")
    text = page.content.decode()
    assert page.status_code == 429 and 14 * 60 <= int(page["Retry-After"]) <= 15 * 60
    assert "Troppi tentativi di accesso falliti" in text and "(tra 15 min)" in text and 'id="login-blocked"' in text
    assert "Account locked" not in text  # not axes' own message
    spanish = attempt(client, "iris", "pw-iris", HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 429 and "Demasiados intentos" in spanish.content.decode()


def test_the_pair_signs_in_again_once_the_cool_off_has_passed(client, limit, interviewer, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    fail(client, "iris", limit)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    assert attempt(client, "iris", "pw-iris").status_code == 302


def test_attempts_while_locked_do_not_extend_the_lock(client, limit, interviewer):
    fail(client, "iris", limit)
    before = AccessAttempt.objects.get()
    fail(client, "iris", 5)
    after = AccessAttempt.objects.get()
    assert (after.failures_since_start, after.attempt_time) == (before.failures_since_start, before.attempt_time)


def test_the_admin_sign_in_is_throttled_too(client, limit, staff):
    assert fail(client, "sam", limit, url="/admin/login/") == [200, 200, 429]
    page = attempt(client, "sam", "pw-sam", url="/admin/login/")
    assert page.status_code == 429 and 'id="login-blocked"' in page.content.decode()
    assert 'href="/admin/login/"' in page.content.decode()  # back to the page it came from
    assert attempt(client, "sam", "pw-sam", url="/accounts/login/").status_code == 429  # one budget per pair


def test_an_administrator_lifts_the_lock_with_the_command(client, limit, interviewer):
    fail(client, "iris", limit)
    call_command("axes_reset_username", "iris")
    assert attempt(client, "iris", "pw-iris").status_code == 302


def test_an_administrator_lifts_the_lock_in_the_admin(client, limit, interviewer, roles, django_user_model):
    from surveys.accounts.roles import ADMINISTRATOR, role_assign

    fail(client, "iris", limit)
    admin = django_user_model.objects.create_user("alba", password="pw-alba")
    role_assign(user=admin, role=ADMINISTRATOR)
    client.force_login(admin)
    pk = AccessAttempt.objects.get(username="iris").pk
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    client.post(reverse("admin:axes_accessattempt_delete", args=[pk]), {"post": "yes"})
    client.logout()
    assert attempt(client, "iris", "pw-iris").status_code == 302


def test_without_a_trusted_proxy_a_forwarded_for_header_is_ignored(client, limit, interviewer, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(limit):  # each attempt claims another address
        attempt(client, "iris", "wrong", address="10.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert attempt(client, "iris", "pw-iris", HTTP_X_FORWARDED_FOR="198.51.100.200").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}


def test_behind_a_trusted_proxy_the_forwarded_client_decides(client, limit, interviewer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"  # every request reaches us from the proxy
    fail(client, "iris", limit, address=proxy, HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.9")
    assert attempt(client, "iris", "pw-iris", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert attempt(client, "iris", "pw-iris", address=proxy, HTTP_X_FORWARDED_FOR="192.0.2.7").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_interviewer_lands_on_the_call_list_and_staff_follow_next(client, interviewer, staff):
    assert attempt(client, "iris", "pw-iris")["Location"] == reverse("cati:list")
    client.logout()
    response = client.post("/accounts/login/?next=/admin/", {"username": "sam", "password": "pw-sam"})
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize("username, headers", [
    ("x" * 5000, {}),  # longer than any username column
    ("iris", {"HTTP_USER_AGENT": "u" * 20000}),  # longer than the attempt's user-agent column
    ("ïrìs ß 漢字", {"HTTP_X_FORWARDED_FOR": "999.1.1.1, <script>"}),
    ("", {}),
])
def test_hostile_sign_ins_get_a_4xx_or_the_form_never_a_500(client, interviewer, settings, username, headers):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = attempt(client, username, "wrong", **headers)
        assert response.status_code in (200, 429)
