"""Staff, interviewer and analyst screens in Italian and Spanish.

Two proofs: every message the staff templates mark for translation has an Italian and a Spanish
translation in the catalogues (extracted from the templates themselves, so a new text that nobody
ran makemessages for fails here), and every staff URL of the URL conf, opened by each role with the
interface language set to Italian or Spanish, shows none of the screens' common English labels.
"""
from __future__ import annotations

import io
import tokenize
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils.translation.template import templatize

from surveys.accounts.language import user_language_set
from tests.proof.urls import fill, parameters, routes

ROOT = Path(settings.BASE_DIR)
STAFF_TEMPLATES = ["base.html", "_workspace_nav.html", "registration", "accounts", "fieldwork", "authoring", "cati",
                   "analytics", "data"]
CATALOGUES = {lang: polib.pofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po")) for lang in ("it", "es")}
STAFF_PREFIXES = ("staff/", "cati/", "results/", "accounts/api-tokens/")
# labels found on most staff screens, whose Italian and Spanish differ from the English
ENGLISH = ["Sign out", ">Waves<", ">Questionnaires<", ">Import firms<", ">API tokens<", ">Fieldwork<",
           ">Telephone interviews<", ">Results<", 'href="/staff/data/">Data</a>', "Recompute now",
           "Send due reminders", "Draw a sample",
           "Daily progress", "Final dispositions", "My call list", "To call now", "Log this call", "No calls yet",
           "Export jobs", "Import responses", "Data in and out", "Start export", "Recent jobs", "Check and import",
           "Missing values in numeric variables", "Derived variables", "Study and its reports", "All results",
           "Published questionnaires", "Recent uploads", "Upload and check", "Personal API tokens", "Create token",
           "Drawn firms", "Tracking of the wave", "Upload and map columns", "Save settings", "How did the call end?",
           "Back to the list without logging a call", "Language:", "As my browser asks", "No problems found",
           "Status:", ">Show<", "Group by", "Submitted from", "Leave out free text"]


def _template_files() -> list[Path]:
    base = ROOT / "templates"
    files: list[Path] = []
    for entry in STAFF_TEMPLATES:
        path = base / entry
        files += sorted(path.rglob("*.html")) if path.is_dir() else [path]
    return files


def template_msgids(path: Path) -> set[str]:
    """The msgids a template marks ({% translate %}, {% blocktranslate %}), as makemessages reads them."""
    # templatize turns the template into the Python-like text xgettext reads; indentation is dropped so
    # the tokenizer reads it line by line
    source = "\n".join(line.lstrip() for line in templatize(path.read_text(), origin=str(path)).splitlines())
    found: set[str] = set()
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type in (tokenize.NAME, tokenize.STRING, tokenize.OP)]
    for i, token in enumerate(tokens[:-2]):
        if token.string in ("gettext", "ngettext", "pgettext", "npgettext") and tokens[i + 1].string == "(":
            strings = [t.string for t in tokens[i + 2:i + 5] if t.type == tokenize.STRING]
            found.update(eval(s) for s in strings[:2 if token.string == "ngettext" else 1])  # noqa: S307 - literals
    return found


def test_the_staff_templates_mark_their_texts():
    msgids = set().union(*(template_msgids(p) for p in _template_files()))
    assert len(msgids) > 300 and "Waves" in msgids and "Log this call" in msgids


@pytest.mark.parametrize("lang", ["it", "es"])
def test_every_text_of_the_staff_templates_is_translated(lang):
    catalogue = CATALOGUES[lang]
    translated = {e.msgid for e in catalogue if e.translated() and "fuzzy" not in e.flags and not e.obsolete}
    translated |= {e.msgid_plural for e in catalogue if e.msgid_plural and e.translated()}
    missing = {str(p.relative_to(ROOT)): sorted(template_msgids(p) - translated) for p in _template_files()}
    assert {k: v for k, v in missing.items() if v} == {}


def _staff_urls(world) -> list[str]:
    values = parameters(world)
    return [fill(r.pattern, values) for r in routes()
            if r.pattern.startswith(STAFF_PREFIXES) and "<uuid:key>" not in r.pattern]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["it", "es"])
@pytest.mark.parametrize("role", ["interviewer", "analyst", "fieldwork", "administrator"])
def test_every_staff_screen_speaks_the_users_language(world, role, lang):
    user = world.users[role]
    user_language_set(user=user, language=lang)
    client = Client()
    client.force_login(user)
    if role in ("fieldwork", "administrator", "interviewer"):  # the case's interview pages need the case taken
        client.post(f"/cati/case/{world.case.pk}/interview/")
    opened = 0
    for url in _staff_urls(world):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")  # the setting beats the browser
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        opened += 1
        html = page.content.decode()
        assert page["Content-Language"] == lang, url
        english = [phrase for phrase in ENGLISH if phrase in html]
        assert english == [], f"{url} as {role} in {lang}: {english}"
    assert opened >= {"interviewer": 3, "analyst": 6, "fieldwork": 12, "administrator": 12}[role]
