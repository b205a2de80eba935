"""Production settings, headers and error pages; keys that survive a SECRET_KEY rotation; pseudonyms."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from surveys.errors import page_not_found, server_error
from surveys.fieldwork.invitations import invitation_token
from surveys.fieldwork.population import firms_upsert
from surveys.models import Firm
from surveys.models.fieldwork import new_pseudonym

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _settings_in(env: dict, expression: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "TOKEN_KEYS")}
    code = f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def test_a_deployment_with_a_secret_gets_debug_off_and_secure_cookies_without_saying_so():
    deployed = _settings_in({"SECRET_KEY": "x" * 60}, "s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE")
    assert deployed == "False True True"
    assert _settings_in({}, "s.DEBUG, s.SESSION_COOKIE_SECURE") == "True False"  # the local sandbox
    assert "SECRET_KEY must be set" in _settings_in({"DEBUG": "false"}, "s.DEBUG")
    assert _settings_in({"SECURE_HSTS_SECONDS": "600", "SECURE_SSL_REDIRECT": "true"},
                        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT") == "600 True"
    assert _settings_in({}, "s.DATABASES['default']['CONN_HEALTH_CHECKS']") == "True"


def test_proxies_and_sign_in_limits_come_from_the_environment():
    assert _settings_in({}, "s.TRUSTED_PROXY_COUNT, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME") == "0 5 0:15:00"
    assert _settings_in({"TRUSTED_PROXY_COUNT": "2", "TRUSTED_PROXY_HEADER": "X-Real-IP", "LOGIN_FAILURE_LIMIT": "8",
                         "LOGIN_COOLOFF_MINUTES": "30"},
                        "s.TRUSTED_PROXY_COUNT, s.TRUSTED_PROXY_HEADER, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME"
                        ) == "2 HTTP_X_REAL_IP 8 0:30:00"
    assert "must be 1 or more" in _settings_in({"LOGIN_FAILURE_LIMIT": "0"}, "s.AXES_FAILURE_LIMIT")
    assert "0 or more" in _settings_in({"TRUSTED_PROXY_COUNT": "-1"}, "s.TRUSTED_PROXY_COUNT")


def test_check_deploy_is_clean_with_the_production_environment():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG",)}
    env.update(SECRET_KEY="s" * 20 + "-production-secret-key-of-sufficient-length-0123456789", TOKEN_KEYS="t",
               SECURE_SSL_REDIRECT="true", SECURE_HSTS_SECONDS="31536000", SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
               SECURE_HSTS_PRELOAD="true", ALLOWED_HOSTS="survey.example.org")
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "no issues" in done.stdout, done.stdout + done.stderr


def test_pages_carry_csp_without_inline_script_and_no_store(client, world):
    page = client.get(reverse("surveys:page", args=[world.token, "M1"]))
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "no-store" in page["Cache-Control"] and page["X-Frame-Options"] == "DENY"
    for name in ("thanks", "review", "welcome"):
        token = world.submitted_token if name == "thanks" else world.token
        response = client.get(reverse(f"surveys:{name}", args=[token]))
        assert "no-store" in response["Cache-Control"]


def test_no_template_holds_inline_script():
    for path in (ROOT / "templates").rglob("*.html"):
        html = path.read_text()
        assert "javascript:" not in html and " onclick=" not in html and " onchange=" not in html, path
        assert " onsubmit=" not in html, path
        for tag in html.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], f"inline <script> in {path}"


def test_error_pages_are_friendly_and_keep_the_respondents_link(world):
    request = RequestFactory().get(f"/s/{world.token}/p/NOPE/")
    not_found = page_not_found(request)
    assert not_found.status_code == 404 and f'href="/s/{world.token}/"' in not_found.content.decode()
    failed = server_error(request)
    assert failed.status_code == 500 and f'href="/s/{world.token}/"' in failed.content.decode()
    assert "answers you saved before are safe" in failed.content.decode()
    assert Client().get("/no/such/page/").status_code == 404


def test_a_lost_database_connection_gets_a_try_again_page_not_a_bare_500(world):
    from django.db import OperationalError

    request = RequestFactory().get(f"/s/{world.token}/p/M1/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        page = server_error(request)
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "Please try again" in page.content.decode() and f'href="/s/{world.token}/"' in page.content.decode()


def test_invitation_links_survive_a_secret_key_rotation(settings, world):
    settings.TOKEN_KEYS = ["token-key-1"]
    from surveys.fieldwork.invitations import invitation_issue, wave_default
    from tests.factories import FirmFactory

    invitation, token, _ = invitation_issue(wave=wave_default(questionnaire=world.version.questionnaire),
                                            firm=FirmFactory())
    settings.SECRET_KEY = "a-brand-new-secret-key"
    assert invitation_token(invitation) == token  # a reminder prints the same link
    settings.TOKEN_KEYS = ["token-key-2", "token-key-1"]  # the token key rotated: the ring keeps the old one
    assert invitation_token(invitation) == token
    assert Client().get(reverse("surveys:welcome", args=[token])).status_code == 200


def test_pseudonyms_carry_64_random_bits_and_an_import_retries_a_collision(monkeypatch):
    assert len(new_pseudonym()) == 17 and int(new_pseudonym()[1:], 16) >= 0
    Firm.objects.create(identifier="EXISTING", name="Existing", pseudonym="FTAKEN")
    draws = iter(["FTAKEN", "FTAKEN", "FFRESH1", "FFRESH2"])
    monkeypatch.setattr("surveys.fieldwork.firm_upsert.new_pseudonym", lambda: next(draws))
    records = {"NEW1": {"identifier": "NEW1", "name": "One", "attributes": {}},
               "NEW2": {"identifier": "NEW2", "name": "Two", "attributes": {}}}
    assert firms_upsert(records=records) == (2, 0)
    assert set(Firm.objects.filter(identifier__startswith="NEW").values_list("pseudonym", flat=True)) == {
        "FFRESH1", "FFRESH2"}
