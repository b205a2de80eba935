"""The analyst's workspace in Chromium: sign in, reach the results without typing a URL, open the
cross-tab for a chosen group, download its CSV (legend and notes), start an export and download it."""
import csv
import io

import pytest
from playwright.sync_api import expect

from analytics.results.services import results_recompute
from surveys.accounts.roles import ANALYST, role_assign, roles_install
from tests.analytics.conftest import load_instrument, rm_insert
from tests.analytics.datasets import italian_table2_rows

CODE = "italian-districts-2016"


@pytest.fixture
def analyst_site(transactional_db, live_server, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    questionnaire = load_instrument(CODE)
    rm_insert(questionnaire, italian_table2_rows())
    results_recompute(questionnaire_id=questionnaire.pk)
    roles_install()
    user = django_user_model.objects.create_user("ana", password="pw-ana-1")
    role_assign(user=user, role=ANALYST)
    return live_server.url


def test_analyst_reaches_results_cross_tab_csv_and_an_export(page, analyst_site):
    page.goto(f"{analyst_site}/accounts/login/")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "pw-ana-1")
    page.click("button[type=submit], input[type=submit]")
    expect(page).to_have_url(f"{analyst_site}/results/")
    expect(page.locator("#nav-results")).to_be_visible()
    expect(page.locator("#nav-admin")).to_have_count(0)
    page.get_by_role("link", name="Cross-tab: every item by a grouping variable").first.click()
    expect(page.locator("#groups-note")).to_be_visible()
    group = page.locator("#scope-form select[name=group]")
    options = group.locator("option").evaluate_all("els => els.map(e => e.value).filter(v => v)")
    chosen = "A_INDUSTRY" if "A_INDUSTRY" in options else options[0]
    group.select_option(chosen)
    page.locator("#scope-form button[type=submit]").click()
    expect(page.locator("#result-n")).to_have_text("259", timeout=20_000)  # computed on first open
    expect(page.locator("#groups-note")).to_contain_text(chosen)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV of all tables").first.click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert ["Stars", "*** p < 0.01, ** p < 0.05, * p < 0.10"] in rows
    assert any(r[:1] == ["Note"] for r in rows) and rows[1][0] == "Base"
    page.locator("#nav-data").click()
    page.get_by_role("link", name="Export jobs").first.click()
    page.get_by_role("button", name="Start export").click()
    link = page.get_by_role("link", name="download").first
    expect(link).to_be_visible(timeout=30_000)
    with page.expect_download() as export:
        link.click()
    assert export.value.suggested_filename.endswith(".csv") or "." in export.value.suggested_filename
