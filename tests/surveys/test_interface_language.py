"""The interface language of staff screens: the user's own setting beats the browser's Accept-Language,
which decides without a setting; the respondent's link keeps the response's language."""
import pytest
from django.urls import reverse

from surveys.accounts.language import user_language
from surveys.accounts.roles import ANALYST, FIELDWORK, INTERVIEWER, role_assign, roles_install
from surveys.models import UserPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    roles_install()
    user = django_user_model.objects.create_user("fw", password="pw")
    role_assign(user=user, role=FIELDWORK)
    return user


def test_without_a_setting_the_browser_language_decides(client, staff):
    client.force_login(staff)
    page = client.get(reverse("fieldwork:waves"), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert page["Content-Language"] == "es" and "Oleadas" in page.content.decode()
    page = client.get(reverse("fieldwork:waves"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert page["Content-Language"] == "en" and "<h1 class=\"h4\">Waves</h1>" in page.content.decode()


def test_the_users_setting_beats_accept_language(client, staff):
    client.force_login(staff)
    chosen = client.post(reverse("language"), {"language": "it", "next": reverse("fieldwork:waves")},
                         HTTP_ACCEPT_LANGUAGE="es")
    assert chosen.status_code == 302 and chosen["Location"] == reverse("fieldwork:waves")
    assert UserPreference.objects.get(user=staff).language == "it"
    page = client.get(reverse("fieldwork:waves"), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    html = page.content.decode()
    assert page["Content-Language"] == "it" and "Ondate" in html and 'aria-current="true">Italiano' in html


def test_the_setting_is_activated_at_sign_in(client, staff):
    UserPreference.objects.create(user=staff, language="es")
    signed_in = client.post(reverse("login"), {"username": "fw", "password": "pw"}, HTTP_ACCEPT_LANGUAGE="it",
                            follow=True)
    assert signed_in["Content-Language"] == "es" and "Oleadas" in signed_in.content.decode()


def test_going_back_to_the_browser_language_clears_the_setting(client, staff):
    UserPreference.objects.create(user=staff, language="es")
    client.force_login(staff)
    client.post(reverse("language"), {"language": "", "next": reverse("fieldwork:waves")})
    assert user_language(user=staff) == ""
    assert client.get(reverse("fieldwork:waves"), HTTP_ACCEPT_LANGUAGE="it")["Content-Language"] == "it"


def test_an_unknown_language_or_a_foreign_next_is_refused(client, staff):
    client.force_login(staff)
    bad = client.post(reverse("language"), {"language": "xx"})
    assert bad.status_code == 400 and not UserPreference.objects.exists()
    for target in ("https://evil.example/", "//evil.example/", "zz", ""):
        elsewhere = client.post(reverse("language"), {"language": "it", "next": target})
        assert elsewhere.status_code == 302 and elsewhere["Location"] == reverse("fieldwork:waves"), target


@pytest.mark.parametrize("role, home", [(INTERVIEWER, "cati:list"), (ANALYST, "results:home")])
def test_every_role_has_the_language_menu(client, django_user_model, role, home):
    roles_install()
    user = django_user_model.objects.create_user("u", password="pw")
    role_assign(user=user, role=role)
    UserPreference.objects.create(user=user, language="es")
    client.force_login(user)
    page = client.get(reverse(home))
    assert page["Content-Language"] == "es" and 'id="language-menu"' in page.content.decode()


def test_the_respondents_link_keeps_the_responses_language_for_a_signed_in_user(client, staff, mini_version):
    from surveys.fieldwork.invitations import invitation_issue, wave_default
    from tests.factories import FirmFactory

    UserPreference.objects.create(user=staff, language="es")
    firm = FirmFactory(language="it")
    _, token, _ = invitation_issue(wave=wave_default(questionnaire=mini_version.questionnaire), firm=firm,
                                   language="it")
    client.force_login(staff)
    assert client.get(reverse("surveys:welcome", args=[token]))["Content-Language"] == "it"
