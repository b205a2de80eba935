"""Browser tests: pytest-django's live_server driven by Playwright (sync API) in Debian's Chromium.

Never `playwright install`: the tests launch /usr/bin/chromium (`apt-get install chromium`;
.ci/run installs it) and are skipped, with the reason, only when it is missing.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse

CHROMIUM = Path("/usr/bin/chromium")
INSTRUMENT_B = "basque-digital-2019"
TIMEOUT_MS = 15_000

# Values written into controls; the page's own fields are filled with whatever is missing.
CONTROLS = """() => {
  const out = {};
  for (const el of document.querySelectorAll('#page-form input, #page-form select, #page-form textarea')) {
    if (!el.name || el.type === 'hidden' || el.name.startsWith('confirm:') || el.closest('.item-hidden')) continue;
    const kind = el.tagName === 'SELECT' ? (el.multiple ? 'select-multiple' : 'select') : el.type;
    const entry = out[el.name] = out[el.name] || {name: el.name, kind: kind, values: [], checked: []};
    if (kind === 'radio' || kind === 'checkbox') entry.values.push(el.value);
    if (el.checked) entry.checked.push(el.value);
    if (el.tagName === 'SELECT') entry.values = [...el.options].map(o => o.value).filter(v => v);
  }
  return Object.values(out);
}"""

# page.js marks the form data-relevance="busy" from a change until the reply to its latest
# relevance request has been applied: waiting on that needs no guess of its timers.
# page.js marks the form "idle" once it has started and whenever no relevance request is due or
# unanswered; before it has run (the page still loading) there is no mark, and the page is not settled.
SETTLED = "() => document.getElementById('page-form')?.dataset.relevance === 'idle'"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread, which Django's ORM guard takes
    # for async code; the ORM calls here are plain sync test code. Module scope: the loop (and the
    # flag) are gone before tests of other folders run.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--no-sandbox", "--disable-background-networking"])
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@dataclass
class Case:
    response: object
    token: str
    base: str

    @property
    def url(self) -> str:
        return self.base + reverse("surveys:welcome", kwargs={"token": self.token})

    def page_url(self, item_code: str) -> str:
        """The URL of the page (module) that holds an item, read from the compiled questionnaire."""
        return self.base + reverse("surveys:page", kwargs={"token": self.token, "module": self.module_of(item_code)})

    def module_of(self, item_code: str) -> str:
        from surveys.questionnaire.spec import spec_for_version

        return next(m.code for m in spec_for_version(self.response.version).modules
                    if any(i.code == item_code for i in m.items))

    def fresh(self):
        self.response.refresh_from_db()
        return self.response


@pytest.fixture
def basque_case(transactional_db, loaded_instruments, live_server) -> Case:
    """A fresh English-speaking firm invited to instrument B."""
    from surveys.fieldwork.invitations import invitation_issue, wave_default
    from surveys.models import Firm, Questionnaire

    questionnaire = Questionnaire.objects.get(code=INSTRUMENT_B)
    firm = Firm.objects.create(identifier="ES-BROWSER-1", name="Browser Test Industrias", language="en")
    invitation, token, _ = invitation_issue(wave=wave_default(questionnaire=questionnaire), firm=firm, language="en")
    return Case(response=invitation.response, token=token, base=live_server.url)


class Respondent:
    """Fills the page a respondent sees, the way a person would: clicks, typing, selecting."""

    def __init__(self, page):
        self.page = page

    @property
    def module(self) -> str:
        """The module code of the page shown ('' on the welcome, review and thank-you pages)."""
        parts = self.page.url.rstrip("/").split("/")
        return parts[-1] if len(parts) > 1 and parts[-2] == "p" else ""

    def controls(self) -> dict[str, dict]:
        return {c["name"]: c for c in self.page.evaluate(CONTROLS)}

    def fill(self, answers: dict, passes: int = 6) -> None:
        """Answer every visible question: `answers` where given and possible, a valid default elsewhere.

        Loops because answers reveal questions (live skip logic refreshes the page after a change).
        """
        done: set[str] = set()
        self.settle()  # the whole page parsed and page.js started, not half a page
        for _ in range(passes):
            todo = [c for name, c in self.controls().items() if name not in done]
            if not todo:
                return
            for control in todo:
                self.set(control, answers.get(control["name"]))
                done.add(control["name"])
            self.settle()

    def settle(self) -> None:
        """Wait until the live skip logic has asked the server and applied its answer."""
        self.page.wait_for_function(SETTLED)

    def set(self, control: dict, wanted) -> None:
        name, kind, values = control["name"], control["kind"], control["values"]
        selector = f'#page-form [name="{name}"]'
        if kind in ("radio", "select"):
            value = str(wanted) if wanted is not None and str(wanted) in values else values[0]
            if kind == "radio":
                self.page.check(f'{selector}[value="{value}"]')
            else:
                self.page.select_option(selector, value)
        elif kind in ("checkbox", "select-multiple"):
            chosen = [str(v) for v in (wanted or []) if str(v) in values] or values[:1]
            if kind == "checkbox":
                for value in set(chosen).symmetric_difference(control["checked"]):
                    self.page.set_checked(f'{selector}[value="{value}"]', value in chosen)
            else:
                self.page.select_option(selector, chosen)
        else:
            inputmode = self.page.get_attribute(selector, "inputmode")
            default = "10" if inputmode == "decimal" else ("2019-06-01" if kind == "date" else "Test answer")
            self.page.fill(selector, str(wanted) if wanted is not None else default)

    def save(self):
        """Click 'Save and continue' and wait for the next page (or the same page with messages)."""
        # Leaving a text field fires `change`: let that relevance request finish before saving.
        self.page.evaluate("document.activeElement && document.activeElement.blur()")
        self.settle()
        with self.page.expect_navigation():
            self.page.click("#next-button")

    def finish_pages(self, answers: dict, limit: int = 12) -> list[str]:
        """Fill and save pages until the review page; returns the modules passed."""
        seen = []
        while "/review/" not in self.page.url:
            assert len(seen) < limit, f"no review page after {seen}"
            seen.append(self.module)
            self.fill(answers)
            self.save()
            errors = self.page.locator(".has-error")
            assert errors.count() == 0, f"page {seen[-1]} has errors: {errors.first.inner_text()}"
        return seen


@pytest.fixture
def page(context) -> Iterator:
    tab = context.new_page()
    yield tab
    if not tab.is_closed():
        tab.close()


@pytest.fixture
def respondent(page) -> Respondent:
    return Respondent(page)
