"""A fourth questionnaire, authored as a workbook: staff upload, preview and publish it in Chromium, open a
wave, a firm answers it, and its answers come back through an export."""
import csv
import time

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.authoring.conftest import EXAMPLE
from tests.browser.conftest import Respondent

CODE = "supplier-relations-2025"
ANSWERS = {"S1": "1987", "S2": "35", "S3": "2", "S4": "1", "S5.HOME": "60", "S5.ABROAD": "40", "S6": ["1", "2"],
           "S7.PRICE": "4", "S7.DELIVERY": "2", "S8": "Parts from Slovenia"}


@pytest.fixture
def author_login(transactional_db, django_user_model):
    from surveys.accounts.roles import FIELDWORK, role_assign, roles_install

    roles_install()
    user = django_user_model.objects.create_user("author", password="author-pw")
    role_assign(user=user, role=FIELDWORK)
    return "author", "author-pw"


def test_staff_author_preview_publish_then_a_firm_answers_and_the_export_has_it(
        browser, page, live_server, author_login, tmp_path):
    from surveys.fieldwork.invitations import invitation_issue
    from surveys.models import Firm, Questionnaire, Response, Wave

    page.goto(f"{live_server.url}/accounts/login/?next=/staff/authoring/")
    page.fill("input[name=username]", author_login[0])
    page.fill("input[name=password]", author_login[1])
    page.click("button[type=submit]")
    page.set_input_files("#upload-form input[type=file]", str(EXAMPLE))
    page.click("#upload-button")
    expect(page.locator("#checked")).to_be_visible()
    expect(page.locator("#diff-outcome")).to_contain_text("publishing creates version 1")

    # preview in Italian: every page, live skip logic, a check message; nothing stored
    page.click(".preview-link[data-language=it]")
    expect(page.locator("#preview-badge")).to_be_visible()
    expect(page.locator("#legend-S1")).to_contain_text("In che anno è stata fondata")
    previewer = Respondent(page)
    previewer.fill({**ANSWERS, "S2": "0"})
    previewer.save()
    expect(page.locator("#item-S2 .error-message").first).to_contain_text("Almeno un addetto")
    previewer.fill(ANSWERS)
    page.fill('#page-form [name="S2"]', "35")
    previewer.save()
    expect(page.locator("#item-S5")).to_be_hidden()
    previewer.fill(ANSWERS)
    expect(page.locator("#item-S5")).to_be_visible()
    previewer.save()
    expect(page.locator("#preview-end")).to_be_visible()
    assert not Questionnaire.objects.exists() and not Response.objects.exists()

    page.click("text=Back to the draft")
    page.click("#publish-button")
    expect(page.locator(".alert-success")).to_contain_text(f"{CODE}: version 1 created")
    row = page.locator(f'#questionnaires tr[data-code="{CODE}"]')
    row.locator("input[name=code]").fill("2025-spring")
    row.locator("button").click()
    page.fill("input[name=contact_name]", "Anna Rossi")
    page.fill("input[name=contact_email]", "anna@agency.example")
    page.click("#wave-settings-form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Settings of")

    wave = Wave.objects.get(questionnaire__code=CODE, code="2025-spring")
    firm = Firm.objects.create(identifier="IT-AUTHOR-1", name="Fornitori Srl", language="en")
    _, token, _ = invitation_issue(wave=wave, firm=firm)
    firm_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    firm_page.goto(f"{live_server.url}/s/{token}/")
    firm_page.click("main a.btn-primary")
    Respondent(firm_page).finish_pages(ANSWERS)
    with firm_page.expect_navigation():
        firm_page.click("#submit-form button")
    assert Response.objects.get(invitation__firm=firm).status == Response.Status.SUBMITTED

    target = tmp_path / "supplier.csv"
    call_command("export_responses", "--survey", CODE, "--format", "csv", "-o", str(target))
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    assert len(rows) == 1
    exported = rows[0]
    assert (exported["S1"], exported["S2"], exported["S3"], exported["S4"]) == ("1987", "35", "2", "1")
    assert (exported["S5_HOME"], exported["S5_ABROAD"], exported["S6_1"], exported["S6_3"]) == ("60", "40", "1", "0")
    assert exported["S8"] == "Parts from Slovenia" and exported["SIZE"] == "SMALL"

    # and through the API's response feed, with the author's own token
    from django.contrib.auth import get_user_model

    from surveys.accounts.roles import ADMINISTRATOR, role_assign
    from surveys.api.tokens import api_token_create

    admin = get_user_model().objects.create_user("api-reader", password="x")
    role_assign(user=admin, role=ADMINISTRATOR)
    _, key = api_token_create(user=admin, name="feed")
    # On PostgreSQL the feed serves a change once every older transaction of the cluster has
    # ended (surveys/answering/changes.py): another session's open transaction may hold it back.
    deadline = time.monotonic() + 15
    while True:
        feed = page.request.get(f"{live_server.url}/api/v1/questionnaires/{CODE}/responses/",
                                headers={"Authorization": f"Token {key}"})
        assert feed.status == 200
        served = [r for r in feed.json()["results"] if r["status"] == "submitted"]
        if served or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert len(served) == 1 and served[0]["answers"]["S2"] == 35
