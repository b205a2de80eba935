"""One workspace per role: where each role lands after sign-in and what its navigation bar links."""
import pytest
from django.urls import reverse

from surveys.accounts.roles import ADMINISTRATOR, ANALYST, FIELDWORK, INTERVIEWER, role_assign, roles_install

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(django_user_model):
    roles_install()
    out = {}
    for role in (ADMINISTRATOR, FIELDWORK, INTERVIEWER, ANALYST):
        user = django_user_model.objects.create_user(role.replace(" ", "-"), password="pw")
        role_assign(user=user, role=role)
        out[role] = user
    return out


def sign_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": "pw"})


@pytest.mark.parametrize("role, home", [(FIELDWORK, "fieldwork:waves"), (INTERVIEWER, "cati:list"),
                                        (ANALYST, "results:home"), (ADMINISTRATOR, "fieldwork:waves")])
def test_each_role_lands_on_its_home(client, users, role, home):
    assert sign_in(client, users[role])["Location"] == reverse(home)


def test_the_analyst_bar_links_results_data_and_codebook_and_no_admin(client, users):
    client.force_login(users[ANALYST])
    page = client.get(reverse("results:home")).content.decode()
    assert 'id="nav-results"' in page and 'id="nav-data"' in page and 'id="nav-codebook"' in page
    assert 'id="nav-admin"' not in page and 'id="nav-fieldwork"' not in page and 'id="nav-cati"' not in page
    assert client.get(reverse("data:home")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_fieldwork_staff_see_fieldwork_and_telephone_sections_but_the_admin_link_is_the_administrators(
        client, users):
    client.force_login(users[FIELDWORK])
    page = client.get(reverse("fieldwork:waves")).content.decode()
    assert 'id="nav-fieldwork"' in page and 'id="nav-cati"' in page and 'id="nav-results"' in page
    assert 'id="nav-admin"' not in page
    client.force_login(users[ADMINISTRATOR])
    assert 'id="nav-admin"' in client.get(reverse("fieldwork:waves")).content.decode()


def test_interviewers_see_only_their_call_list(client, users):
    client.force_login(users[INTERVIEWER])
    page = client.get(reverse("cati:list")).content.decode()
    assert 'id="nav-cati"' in page and 'id="nav-results"' not in page and 'id="nav-data"' not in page


def test_results_menu_shows_report_titles_grouped_by_study(client, users, loaded_instruments):
    client.force_login(users[ANALYST])
    page = client.get(reverse("results:home")).content.decode()
    assert "IT Table 2: Industrial district internationalisation" in page
    assert "BQ Table 4: Distribution of opinions on the mechanisms" in page
    assert "Cross-tab: every item by a grouping variable" in page


def test_a_view_not_computed_shows_progress_and_starts_its_task(client, users, loaded_instruments, monkeypatch):
    from analytics.models import ResultSet
    from analytics.results import views

    started = []
    monkeypatch.setattr(views, "results_request_recompute", lambda **kw: started.append(kw))
    client.force_login(users[ANALYST])
    page = client.get(reverse("results:dashboard", args=["basque-digital-2019"]),
                      {"report": "bq-table-4"}).content.decode()
    assert 'id="not-computed"' in page and "Computing this view" in page and "progress-bar" in page
    assert "Compute it" not in page and started and ResultSet.objects.filter(key="all").exists()
    assert "fixes its own groups" in page
