"""The details that decide the quality of answers, in Chromium: in it, es and en, at phone width, with and
without JavaScript (numbers, error summary, totals, grid "other" boxes, long lists, Back, language)."""
import pytest
from playwright.sync_api import expect

from surveys.questionnaire.areas import sort_key
from tests.browser.respondents import DESKTOP, INSTRUMENT_A, INSTRUMENT_B, PHONE, Case


@pytest.fixture
def cases(transactional_db, loaded_instruments, live_server):
    made = []

    def make(code, language):
        made.append(1)
        return Case(live_server.url, code, language, f"BR-{language}-{len(made)}")
    return make


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def no_js(browser):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_italian_numbers_running_total_and_focused_error_summary_on_a_phone(phone, cases):
    case = cases(INSTRUMENT_A, "it").answered("A1.4.1")
    phone.goto(case.page("A1.2"))
    phone.fill('[name="A1.3.AB"]', "")
    phone.fill('[name="A1.3.IT"]', "60,5")
    expect(phone.locator("#total-A1\\.3")).to_have_text("60,5")
    phone.fill('[name="A1.3.AB"]', "39,5")
    expect(phone.locator("#total-A1\\.3")).to_have_text("100")
    phone.fill('[name="A1.2"]', "13,200")
    with phone.expect_navigation():
        phone.click("#next-button")
    summary = phone.locator("#error-summary")
    expect(summary).to_contain_text("«13,200» si può leggere come 13,2 o come 13.200")
    assert phone.evaluate("document.activeElement.id") == "error-summary"
    assert summary.locator("a").count() == 1
    expect(phone.locator("#item-A1\\.2 .error-message")).to_have_count(1)  # the same message once beside it
    summary.locator("a").click()
    assert phone.evaluate("document.activeElement.name") == "A1.2"
    phone.fill('[name="A1.2"]', "13.200")
    with phone.expect_navigation():
        phone.click("#next-button")
    assert case.fresh().answers["A1.2"] == 13200 and case.fresh().answers["A1.3.IT"] == 60.5


def test_grid_other_box_per_row_appears_when_that_row_says_other(page, cases):
    case = cases(INSTRUMENT_A, "it").answered("A3.4")
    page.goto(case.page("A3.4"))
    rows = page.locator("#item-A3\\.4 tr[data-key]:not(.item-hidden)")
    first = rows.first.get_attribute("data-key")
    box = page.locator(f'tr[data-other-for="{first}"]')
    expect(box).to_be_hidden()
    page.check(f'[name="{first}"][value="5"]')
    expect(box).to_be_visible()
    label = box.locator("label").inner_text()
    assert label.endswith("Altro, specificare") and label != "Altro, specificare"  # named after its row
    page.check(f'[name="{first}"][value="1"]')
    expect(box).to_be_hidden()


def test_without_javascript_every_row_has_its_labelled_other_box_and_lists_are_complete(no_js, cases):
    case = cases(INSTRUMENT_A, "it").answered("A3.4")
    no_js.goto(case.page("A3.4"))
    boxes = no_js.locator("#item-A3\\.4 tr.grid-other:not(.item-hidden) input")
    assert boxes.count() >= 2
    labels = {no_js.locator(f'label[for="{boxes.nth(i).get_attribute("id")}"]').inner_text()
              for i in range(boxes.count())}
    assert len(labels) == boxes.count()  # one distinct name per row
    spanish = cases(INSTRUMENT_B, "es").answered("BA7.2", BA7_1=1)
    no_js.goto(spanish.page("BA7.2"))
    expect(no_js.locator("#list-BA7\\.2 .long-list-search")).to_be_hidden()
    assert no_js.locator('#list-BA7\\.2 input[type="checkbox"]').count() >= 240


@pytest.mark.parametrize("language, query, expected, group", [("es", "alem", "Alemania", "Europa"),
                                                                ("en", "germ", "Germany", "Europe")])
def test_country_list_is_grouped_sorted_and_filtered_on_a_phone(phone, cases, language, query, expected, group):
    case = cases(INSTRUMENT_B, language).answered("BA7.2")
    phone.goto(case.page("BA7.2"))
    europe = phone.locator("#list-BA7\\.2 .long-list-group", has_text=group)
    names = europe.locator("label").all_inner_texts()
    assert names == sorted(names, key=sort_key) and names != sorted(names)  # accents do not move a name
    phone.fill("#filter-BA7\\.2", query)
    visible = phone.locator("#list-BA7\\.2 .form-check:visible:not(:has(input:checked)) label").all_inner_texts()
    assert expected in visible and all(query in sort_key(name) for name in visible)  # chosen ones stay in view
    before = phone.locator("#list-BA7\\.2 input:checked").count()
    phone.get_by_label(expected, exact=True).check()
    assert phone.locator("#list-BA7\\.2 input:checked").count() == before + 1


def test_back_and_the_language_switch_keep_what_was_typed(phone, cases):
    case = cases(INSTRUMENT_B, "en")
    phone.goto(case.page("BA1"))
    phone.check('[name="BA1"][value="2"]')
    phone.fill('[name="BA9"]', "35")
    with phone.expect_navigation():
        phone.click("#back-button")
    phone.goto(case.page("BA1"))
    expect(phone.locator('[name="BA1"][value="2"]')).to_be_checked()
    expect(phone.locator('[name="BA9"]')).to_have_value("35")
    phone.check('[name="BA1"][value="3"]')
    with phone.expect_navigation():
        phone.click('#language-form button[lang="es"]')
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    expect(phone.locator('[name="BA1"][value="3"]')).to_be_checked()
    expect(phone.locator("#next-button")).to_have_text("Guardar y continuar")
