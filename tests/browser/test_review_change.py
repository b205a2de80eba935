"""The review page's "Change" links, in Chromium: a link opens its page, and saving that page goes back to
the review, not on to the next page."""
import pytest
from playwright.sync_api import expect

from surveys.answering.pages import visible_modules
from surveys.questionnaire.texts import t
from surveys.questionnaire.validation import validate_page
from tests.browser.respondents import INSTRUMENT_B, Case


@pytest.fixture
def case(transactional_db, loaded_instruments, live_server):
    made = Case(live_server.url, INSTRUMENT_B, "en", "BR-REVIEW-1")
    first_item = made.spec.modules[0].items[0].code
    return made.answered(first_item)


def _page_without_warnings(case) -> str:
    """A page the stored answers pass as they are (no soft warning to confirm), other than the first."""
    answers = case.fresh().answers
    for module in visible_modules(case.spec, answers)[1:]:
        if validate_page(case.spec, module.code, answers, answers, language="en").ok:
            return module.code
    raise AssertionError("every page has a warning to confirm")


def test_change_opens_the_page_and_saving_it_returns_to_the_review(page, case):
    module = _page_without_warnings(case)
    review = case.url("review")
    page.goto(review)
    expect(page.locator("h1")).to_have_text(t("review", "en"))
    link = page.locator(f'a[href*="/p/{module}/?return=review"]')
    expect(link).to_have_count(1)
    expect(link).to_contain_text(t("edit", "en"))
    with page.expect_navigation():
        link.click()
    assert page.url == case.url("page", module=module) + "?return=review"
    revision = case.fresh().revision
    with page.expect_navigation():
        page.click("#next-button")
    assert page.url == review  # back to the review, not the page after this one
    expect(page.locator("h1")).to_have_text(t("review", "en"))
    assert case.fresh().revision == revision + 1  # the page was saved on the way
