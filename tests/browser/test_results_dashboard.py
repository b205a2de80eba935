"""The results dashboard in Chromium: a table and a chart, at laptop and tablet width."""
import pytest
from django.test import Client
from playwright.sync_api import expect

from analytics.results.services import results_recompute
from tests.analytics.conftest import load_instrument, rm_insert
from tests.analytics.datasets import italian_table2_rows

CODE = "italian-districts-2016"


@pytest.fixture
def dashboard_url(transactional_db, live_server, context, django_user_model):
    questionnaire = load_instrument(CODE)
    rm_insert(questionnaire, italian_table2_rows())
    results_recompute(questionnaire_id=questionnaire.pk)
    staff = django_user_model.objects.create_user("results-staff", password="pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return f"{live_server.url}/results/{CODE}/?report=it-table-2"


def test_dashboard_shows_a_table_and_a_chart(page, dashboard_url):
    page.goto(dashboard_url)
    expect(page.locator("#result-n")).to_have_text("259")
    positioning = page.locator('table[data-block="positioning"] tbody tr').first
    expect(positioning.locator("th")).to_have_text("High/medium-high")
    expect(positioning.locator("td").nth(1)).to_have_text("66.8")
    chart = page.locator('svg.results-chart[data-block="industry"]')
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() == 12 and chart.get_attribute("data-chart") == "grouped"
    with page.expect_download() as download:
        page.locator("#block-it-table-2-positioning").get_by_role("link", name="SVG").click()
    assert download.value.suggested_filename == f"{CODE}-it-table-2-positioning.svg"


@pytest.mark.parametrize("width", [768, 1024])
def test_dashboard_fits_tablet_and_laptop_widths(page, dashboard_url, width):
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(dashboard_url)
    expect(page.locator('table[data-block="turnover"]')).to_be_visible()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways at {width}px: {widths}"
    box = page.locator('svg.results-chart[data-block="industry"]').bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
