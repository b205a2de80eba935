"""A quota closes a full cell in Chromium: the respondent whose answers fall in it gets the polite
closing page (answers kept, AAPOR 4.80), and the tracking page shows the cell full."""
import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Quota, QuotaCell, Response
from tests.browser.conftest import Respondent
from tests.factories import FirmFactory


@pytest.fixture
def full_small_cell(transactional_db, mini_version):
    """Quota on firm size: the 'small' cell wants 1 completed questionnaire and already has it."""
    wave = wave_default(questionnaire=mini_version.questionnaire)
    quota = Quota.objects.create(wave=wave, name="size", variables=["$SIZE"])
    small = QuotaCell.objects.create(quota=quota, values={"$SIZE": "SMALL"}, label={"en": "Small firms"}, target=1)
    QuotaCell.objects.create(quota=quota, values={"$SIZE": "LARGE"}, label={"en": "Large firms"}, target=3)
    done = invitation_issue(wave=wave, firm=FirmFactory())[0].response
    Response.objects.filter(pk=done.pk).update(status="submitted")
    done.quota_cells.add(small)
    return wave


def test_a_full_cell_closes_the_case_politely_and_tracking_shows_it_full(
        page, live_server, full_small_cell, django_user_model):
    invitation, token, _ = invitation_issue(wave=full_small_cell, firm=FirmFactory(name="Small Srl"))
    page.goto(f"{live_server.url}/s/{token}/p/M1/")
    respondent = Respondent(page)
    respondent.fill({"Q1": "1990", "Q2": "2000", "Q3": "0"})
    respondent.save()

    expect(page.locator("#quota-closed")).to_contain_text("Thank you for your time")
    assert page.url.endswith(f"/s/{token}/closed/")
    response = Response.objects.get(invitation=invitation)
    assert response.screened_out_at is not None and response.answers["Q2"] == 2000
    page.goto(f"{live_server.url}/s/{token}/p/M2/")  # the link now only opens the closing page
    expect(page.locator("#quota-closed")).to_be_visible()

    staff = django_user_model.objects.create_user("fieldstaff", password="Fieldwork-2016", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__in=["view_wavetracking", "view_wave"]))
    page.goto(f"{live_server.url}/accounts/login/?next=/staff/waves/{full_small_cell.pk}/")
    page.fill("input[name=username]", "fieldstaff")
    page.fill("input[name=password]", "Fieldwork-2016")
    with page.expect_navigation():
        page.click("main button[type=submit], main input[type=submit]")
    small = page.locator("#quota-1 tr.quota-cell", has_text="Small firms")
    expect(small).to_contain_text("full")
    expect(small.locator(".progress-bar")).to_have_text("100%")
    expect(page.locator("#quota-1 tr.quota-cell", has_text="Large firms").locator(".progress-bar")).to_have_text("0%")
