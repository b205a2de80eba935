"""A respondent answers instrument B in Chromium: errors, leaving and resuming, phone width, keyboard."""
from playwright.sync_api import expect

from tests.browser.conftest import Respondent

# Answers by field key (shared/instruments.md, 1.B); questions not listed get a valid default.
ANSWERS = {
    "BA1": "2", "BA2": "2", "BA3": "1", "BA4": ["S01", "S02", "S04"], "BA5.1": "0", "BA6": "2", "BA7.1": "0",
    "BA8.1": "1", "BA8.2": ["0"], "BA9": "35",
    **{f"B1.T{n:02d}": "1" if n in (2, 3, 5, 9) else "0" for n in range(1, 16)},
    "B2": ["2", "3"], "B3.1": "5", "B3.2": "5", "B3.3": "4", "B4": ["1", "3"], "B5": ["1", "3"],
    "B6": "1", "B7.1": "0", "B8": ["1"], "B9.1": "0",
}
TOO_MANY_SECTORS = ["S01", "S02", "S04", "S06"]  # BA4 allows at most 3

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const controls = document.querySelectorAll(
    '#page-form input:not([type=hidden]), #page-form select, #page-form textarea, #page-form button, #page-form label');
  const outside = [...controls].filter(el => el.offsetParent !== null).map(el => {
    const r = el.getBoundingClientRect();
    return {name: el.name || el.id || el.textContent.trim().slice(0, 40), left: r.left, right: r.right};
  }).filter(c => c.left < 0 || c.right > width + 0.5);
  return {width: width, scrollWidth: document.documentElement.scrollWidth, outside: outside};
}"""


def test_respondent_meets_an_error_leaves_resumes_and_submits(browser, context, page, respondent, basque_case):
    page.goto(basque_case.url)
    page.click("main a.btn-primary")
    assert respondent.module == basque_case.module_of("BA4")

    respondent.fill({**ANSWERS, "BA4": TOO_MANY_SECTORS})
    respondent.save()
    expect(page.locator("#page-notice")).to_be_visible()
    expect(page.locator("#item-BA4 .error-message").first).to_contain_text("at most 3")
    assert [e.get_attribute("data-item") for e in page.locator(".has-error").all()] == ["BA4"]
    assert basque_case.fresh().revision == 0  # a page with errors saves nothing

    respondent.fill(ANSWERS)
    respondent.save()
    assert respondent.module == basque_case.module_of("B1")
    expect(page.locator('tr[data-key^="B1."]')).to_have_count(15)
    expect(page.locator("#item-B2")).to_be_hidden()  # until a technology is adopted
    respondent.fill(ANSWERS)
    expect(page.locator("#item-B2")).to_be_visible()
    respondent.save()
    stopped_at = respondent.module
    page.close()  # the respondent leaves; later, in a new browser session, opens the same link

    later = browser.new_context(viewport={"width": 1280, "height": 900})
    again = later.new_page()
    again.goto(basque_case.url)
    expect(again.locator("main a.btn-primary")).to_contain_text("Continue where you stopped")
    again.click("main a.btn-primary")
    resumed = Respondent(again)
    assert resumed.module == stopped_at
    resumed.finish_pages(ANSWERS)
    with again.expect_navigation():
        again.click("#submit-form button")
    expect(again.locator(".alert-success")).to_contain_text("Thank you")
    later.close()

    response = basque_case.fresh()
    assert response.status == "submitted"
    assert response.answers["BA4"] == ["S01", "S02", "S04"]
    assert response.answers["B1.T02"] == 1 and response.answers["B1.T01"] == 0


def test_phone_width_pages_keep_form_controls_on_screen(browser, basque_case):
    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    for item in ("BA4", "B1"):
        page.goto(basque_case.page_url(item))
        layout = page.evaluate(OVERFLOW)
        assert layout["outside"] == [], f"{item} page: controls beyond 375 px: {layout['outside'][:5]}"
        assert layout["scrollWidth"] <= layout["width"], f"{item} page scrolls sideways: {layout}"
    phone.close()


def test_keyboard_tab_reaches_a_radio_and_space_selects_it(page, basque_case):
    page.goto(basque_case.page_url("BA1"))
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    else:
        raise AssertionError("Tab never reached a radio button")
    focused = page.evaluate("({name: document.activeElement.name, checked: document.activeElement.checked})")
    assert not focused["checked"]
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked")
    page.keyboard.press("ArrowDown")  # arrows move the choice within the group
    checked = page.locator(f'#page-form input[name="{focused["name"]}"]:checked')
    expect(checked).to_have_count(1)
    assert page.evaluate("document.activeElement.checked")


def test_a_late_reply_about_an_older_answer_does_not_hide_a_revealed_question(page, basque_case):
    """Skip-logic replies can overtake each other; only the reply to the latest answers counts."""
    page.goto(basque_case.page_url("B1"))
    relevance = page.get_attribute("#page-form", "data-relevance-url")
    held = []
    page.route(f"**{relevance}", lambda route: held.append(route) if not held else route.continue_())

    page.check('#page-form [name="B1.T01"][value="0"]')  # nothing adopted yet: B2 stays hidden
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the first relevance request never left the page"
    page.check('#page-form [name="B1.T02"][value="1"]')  # a technology adopted: B2 appears
    expect(page.locator("#item-B2")).to_be_visible()
    expect(page.locator("#page-form")).to_have_attribute("data-relevance", "idle")

    with page.expect_response(lambda r: relevance in r.url):
        held[0].continue_()  # the older reply arrives last
    page.wait_for_timeout(100)  # let the page handle it
    assert page.is_visible("#item-B2"), "a stale reply hid the question the latest answer revealed"
