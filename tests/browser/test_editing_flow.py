"""An editor fixes a flagged response in Chromium: the raw export keeps the original, the edited export
and the dashboard show the fix, and the audit lists it."""
import csv

import pytest
from django.test import Client
from playwright.sync_api import expect

from analytics.data.export.jobs import export_write
from analytics.data.export.options import ExportOptions
from analytics.editing.rules import rules_run
from analytics.editing.scores import cases_score
from analytics.results.services import results_recompute
from surveys.accounts.roles import EDITOR, role_assign, roles_install
from tests.analytics.conftest import load_instrument
from tests.editing.conftest import CLEAN_A, submitted

CODE = "italian-districts-2016"


@pytest.fixture
def world(transactional_db, live_server, context, django_user_model):
    questionnaire = load_instrument(CODE)
    for _ in range(6):  # enough firms for the dashboard to show the cell (ANALYTICS_MIN_CELL)
        submitted(questionnaire, CLEAN_A)
    # 1 employee keyed for 100: 5,000 k€ of turnover per employee, beyond a micro firm's range (soft flag)
    flagged = submitted(questionnaire, {**CLEAN_A, "A1.5": 1})
    rules_run(questionnaire=questionnaire)
    cases_score(questionnaire=questionnaire)
    results_recompute(questionnaire_id=questionnaire.pk)
    roles_install()
    editor = django_user_model.objects.create_user("editor1", password="pw")
    role_assign(user=editor, role=EDITOR)
    client = Client()
    client.force_login(editor)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return questionnaire, flagged, live_server.url


def _employees(page, base: str) -> str:
    page.goto(f"{base}/results/{CODE}/?report=it-table-1")
    return page.locator('table[data-block="employees"] tbody tr').first.locator("td").first.inner_text()


def _exported(questionnaire, values: str, tmp_path) -> list[str]:
    path = tmp_path / f"{values}.csv"
    export_write(questionnaire=questionnaire, options=ExportOptions(values=values), path=path)
    return sorted(row["A1_5"] for row in csv.DictReader(path.open(encoding="utf-8-sig")))


def test_an_editor_fixes_a_flagged_response(page, world, tmp_path):
    questionnaire, flagged, base = world
    assert _employees(page, base) == "34.4"  # (6 x 40 + 1) / 7

    page.goto(f"{base}/staff/editing/{CODE}/")
    row = page.locator(f'#queue tr[data-response="{flagged.pk}"]')
    expect(row).to_contain_text("A-turnover-per-employee")
    row.get_by_role("link", name=str(flagged.pk)).click()
    expect(page.locator('#failures li[data-rule="A-turnover-per-employee"]')).to_be_visible()
    expect(page.locator('#answers tr[data-key="A1.5"]')).to_have_class("table-warning")
    expect(page.locator("#register")).to_contain_text("employees")

    page.locator("#id_key").select_option("A1.5")
    page.locator("#id_value").fill("100")
    page.locator("#edit-form #id_reason").select_option("confirmed")
    page.locator("#edit-form #id_note").fill("the firm has 100 employees")
    page.get_by_role("button", name="Save the change").click()

    expect(page.get_by_role("status")).to_contain_text("A1.5 changed")
    answer = page.locator('#answers tr[data-key="A1.5"]')
    expect(answer.locator(".raw")).to_have_text("1")
    expect(answer.locator(".value")).to_have_text("100")
    expect(page.locator("#failures")).to_contain_text("No rule fails.")

    page.goto(f"{base}/staff/editing/{CODE}/")
    expect(page.locator(f'#queue tr[data-response="{flagged.pk}"]')).to_have_count(0)
    expect(page.locator("#recent-edits")).to_contain_text("A1_5 mean: 34.4286 → 48.5714")  # the estimates it moved

    page.goto(f"{base}/staff/editing/{CODE}/audit/")
    audit = page.locator("#audit tbody tr").first
    expect(audit).to_contain_text("editor1")
    expect(audit.locator("td").nth(3)).to_have_text("A1.5")
    expect(audit.locator("td").nth(4)).to_have_text("1")
    expect(audit.locator("td").nth(5)).to_have_text("100")
    expect(audit).to_contain_text("confirmed with the respondent")

    assert _employees(page, base) == "48.6"  # (6 x 40 + 100) / 7: the dashboard shows the fix
    assert _exported(questionnaire, "raw", tmp_path) == ["1"] + ["40"] * 6
    assert _exported(questionnaire, "edited", tmp_path) == ["100"] + ["40"] * 6
