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


@pytest.fixture
def weighted_url(transactional_db, live_server, context, django_user_model):
    """A wave whose sample the platform drew: two strata, 4 of 10 and 5 of 5 selected firms answer."""
    from surveys.fieldwork.sampling import sample_draw
    from surveys.models import Wave
    from tests.factories import RegisterFirmFactory

    questionnaire = load_instrument(CODE)
    RegisterFirmFactory.create_batch(40, district="TV_FURN")
    RegisterFirmFactory.create_batch(20, district="VI_MECH")
    wave = Wave.objects.create(questionnaire=questionnaire, version=questionnaire.versions.first(), code="w1")
    sample = sample_draw(wave=wave, name="main", strata_fields=["district"], size=15, seed=5)
    firms = {s.key: list(s.selections.values_list("firm_id", flat=True)) for s in sample.strata.all()}
    rows = ([{"firm_id": f, "A1_10": int(i < 3)} for i, f in enumerate(firms["TV_FURN"][:4])]
            + [{"firm_id": f, "A1_10": int(i < 1)} for i, f in enumerate(firms["VI_MECH"])])
    rm_insert(questionnaire, rows, wave_id=wave.pk)
    results_recompute(questionnaire_id=questionnaire.pk)
    staff = django_user_model.objects.create_user("results-staff", password="pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return f"{live_server.url}/results/{CODE}/?report=it-table-1"


def test_weighted_results_of_a_drawn_wave_show_se_interval_and_cv(page, weighted_url):
    page.goto(weighted_url)
    expect(page.locator("#design-summary")).to_contain_text("2 strata")
    weighted = page.locator("#block-it-table-1-functions details.weighted-estimates")
    expect(weighted).to_be_visible()
    headers = weighted.locator("thead th").all_inner_texts()
    assert headers[1:5] == ["Whole sample weighted %", "Whole sample SE", "Whole sample 95% CI", "Whole sample CV %"]
    marketing = weighted.locator("tbody tr").first.locator("td").all_inner_texts()
    assert marketing[0] == "Marketing department" and marketing[1].startswith("56.7")  # (40·3/4 + 20·1/5) / 60
    assert float(marketing[2]) > 0 and "–" in marketing[3] and float(marketing[4]) > 0
