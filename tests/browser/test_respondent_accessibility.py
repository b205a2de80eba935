"""axe-core on every respondent page type, at phone and desktop width: no violation, minor ones included."""
from pathlib import Path

import pytest

from surveys.models import Response
from tests.browser.respondents import DESKTOP, INSTRUMENT_A, INSTRUMENT_B, PHONE, Case

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""

SETUPS = [(INSTRUMENT_B, "es", PHONE), (INSTRUMENT_B, "en", DESKTOP), (INSTRUMENT_A, "it", PHONE),
          (INSTRUMENT_A, "it", DESKTOP)]


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("code, language, viewport", SETUPS, ids=lambda v: v if isinstance(v, str) else v["width"])
def test_every_respondent_page_type_has_no_accessibility_violation(browser, transactional_db, loaded_instruments,
                                                                   live_server, code, language, viewport):
    # axe is injected as an inline script, which the pages' Content-Security-Policy rightly refuses
    context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE, bypass_csp=True)
    page = context.new_page()
    grid, plain = ("A3.4", "A0.1") if code == INSTRUMENT_A else ("B1.T01", "BA1")
    ident = f"{language}-{viewport['width']}"
    case = Case(live_server.url, code, language, f"AX-{ident}").answered(grid)
    screens = {"welcome": case.url("welcome"), "plain page": case.page(plain.split(".T")[0]),
               "grid page": case.page(grid.rsplit(".", 1)[0] if code == INSTRUMENT_B else grid),
               "review": case.url("review")}
    found = {}
    for name, url in screens.items():
        page.goto(url)
        found[name] = violations(page)
    page.goto(case.page(plain.split(".T")[0]))
    page.evaluate("document.querySelectorAll('#page-form input[type=radio]').forEach(r => { r.checked = false })")
    with page.expect_navigation():
        page.click("#next-button")
    assert page.locator("#error-summary").count() == 1
    found["page with errors"] = violations(page)
    Response.objects.filter(pk=case.response.pk).update(status=Response.Status.SUBMITTED)
    case.answered(grid, status=Response.Status.SUBMITTED)
    page.goto(case.url("thanks"))
    found["thank-you"] = violations(page)
    context.close()
    assert {name: v for name, v in found.items() if v} == {}
