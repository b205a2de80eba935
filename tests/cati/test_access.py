"""Roles: interviewers see their own cases only and no admin; analysts see no contact details."""
import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from surveys.accounts.roles import INTERVIEWER, roles_install
from surveys.models import CallAttempt
from tests.cati.conftest import open_case, signed_in

pytestmark = pytest.mark.django_db


def test_call_list_shows_only_the_interviewers_assigned_cases(client, mini_version, interviewer, other_interviewer):
    open_case(mini_version, interviewer, name="Mobili Rossi Srl")
    open_case(mini_version, other_interviewer, name="Occhiali Bianchi Spa")
    body = signed_in(client, interviewer).get(reverse("cati:list")).content.decode()
    assert "Mobili Rossi Srl" in body and "Occhiali Bianchi Spa" not in body


def test_interviewer_cannot_open_or_work_another_interviewers_case(client, mini_version, interviewer,
                                                                  other_interviewer):
    theirs, _ = open_case(mini_version, other_interviewer)
    signed_in(client, interviewer)
    pk = {"pk": theirs.pk}
    for name, kwargs in [("case", pk), ("page", {**pk, "module": "M1"}), ("review", pk)]:
        assert client.get(reverse(f"cati:{name}", kwargs=kwargs)).status_code == 404
    for name in ("attempt", "interview", "submit", "release"):
        assert client.post(reverse(f"cati:{name}", kwargs=pk), {"outcome": 1}).status_code == 404
    assert client.post(reverse("cati:page", kwargs={**pk, "module": "M1"}), {"Q1": "1990"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.locked_by is None and not CallAttempt.objects.exists()
    assert theirs.invitation.response.revision == 0


@pytest.mark.parametrize("url", ["/admin/", "/admin/surveys/firm/", "/admin/surveys/caticase/",
                                 "/admin/surveys/answeredit/", "/admin/auth/user/"])
def test_interviewer_gets_no_admin_page(client, interviewer, url):
    response = signed_in(client, interviewer).get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_people_without_a_telephone_role_get_no_call_list(client, analyst, staff):
    assert signed_in(client, analyst).get(reverse("cati:list")).status_code == 403
    assert client.get(reverse("cati:case", kwargs={"pk": 1})).status_code == 403
    client.logout()
    assert client.get(reverse("cati:list"))["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("model", ["firm", "invitation", "response", "historicalfirm", "historicalinvitation",
                                   "caticase", "callattempt", "caseevent", "answeredit"])
def test_analyst_cannot_open_pages_with_contact_details(client, analyst, case, model):
    signed_in(client, analyst)
    assert client.get(f"/admin/surveys/{model}/").status_code in (302, 403)  # no admin at all (not staff)


def test_analyst_sees_no_email_or_phone_anywhere_they_may_go(client, analyst, case):
    firm = case.invitation.firm
    signed_in(client, analyst)
    assert client.get(f"/admin/surveys/firm/{firm.pk}/change/").status_code in (302, 403)
    for url in ["/admin/", "/admin/surveys/questionnaire/", "/admin/surveys/item/"]:
        assert client.get(url).status_code == 302  # the admin is the administrator's; analysts have a workspace
    for url in ["/results/", "/staff/data/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert firm.email not in response.content.decode() and firm.phone not in response.content.decode()
    assert not analyst.has_perm("surveys.view_firm_contacts") and not analyst.has_perm("surveys.view_firm")
    assert analyst.has_perm("surveys.view_pseudonymised_data") and analyst.has_perm("surveys.view_aggregates")
    assert not analyst.has_perm("analytics.export_identifiers")  # exports without names or contacts only


def test_fieldwork_staff_see_contacts_and_any_case(client, staff, case):
    firm = case.invitation.firm
    signed_in(client, staff)
    assert firm.email in client.get(f"/admin/surveys/firm/{firm.pk}/change/").content.decode()
    assert firm.phone in client.get(reverse("cati:case", kwargs={"pk": case.pk})).content.decode()
    assert staff.has_perm("surveys.supervise_cati") and not staff.has_perm("surveys.change_response")
    assert not staff.has_perm("surveys.delete_firm") and not staff.has_perm("surveys.change_answeredit")


def test_setup_roles_is_rerunnable_and_removes_stale_permissions(roles):
    group = Group.objects.get(name=INTERVIEWER)
    group.permissions.add(Permission.objects.get(codename="view_firm"))
    roles_install()
    roles_install()
    assert [p.codename for p in group.permissions.all()] == ["conduct_cati"]
    assert Group.objects.filter(name=INTERVIEWER).count() == 1
