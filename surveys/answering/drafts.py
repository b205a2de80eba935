"""Unsaved page values kept in the browser's session, so that Back and the language switch lose nothing.

A page that cannot be saved yet (a required answer missing, a message to read) is kept as typed,
without validation, and shown again when the respondent comes back to it; the draft is dropped
when the page is saved. Numbers are rewritten if the language changed in between ("13.200" typed
in Italian comes back as "13,200" in English).
"""
from __future__ import annotations

from surveys.answering.forms import MISSING_SUFFIX
from surveys.questionnaire.numbers import number_format, number_read
from surveys.questionnaire.spec import ModuleSpec
from surveys.questionnaire.validation import MISSING_PREFIX

SESSION_KEY = "page_drafts"
MAX_DRAFTS = 50  # a session holds at most this many pages' drafts (oldest dropped first)


def _key(response_id: int, module_code: str) -> str:
    return f"{response_id}:{module_code}"


def draft_keep(*, session, response_id: int, module_code: str, raw: dict, language: str) -> None:
    drafts = dict(session.get(SESSION_KEY) or {})
    drafts.pop(_key(response_id, module_code), None)
    drafts[_key(response_id, module_code)] = {"language": language, "raw": raw}
    session[SESSION_KEY] = dict(list(drafts.items())[-MAX_DRAFTS:])


def draft_drop(*, session, response_id: int, module_code: str) -> None:
    drafts = session.get(SESSION_KEY) or {}
    if _key(response_id, module_code) in drafts:
        session[SESSION_KEY] = {k: v for k, v in drafts.items() if k != _key(response_id, module_code)}


def draft_initial(*, session, response_id: int, module: ModuleSpec, language: str) -> dict | None:
    """The page's unsaved values as form initial values in `language`, or None without a draft."""
    draft = (session.get(SESSION_KEY) or {}).get(_key(response_id, module.code))
    if not draft:
        return None
    raw, written_in = draft["raw"], draft["language"]
    initial = {}
    for item in module.items:
        for f in item.fields:
            value = raw.get(f.key)
            if value in (None, "", []):
                continue
            if f.kind != "choice" and isinstance(value, str) and value.startswith(MISSING_PREFIX):
                initial[f.key + MISSING_SUFFIX] = value[len(MISSING_PREFIX):]  # an interviewer's don't know
                continue
            if f.kind == "number" and written_in != language and isinstance(value, str):
                number = number_read(value, written_in).value
                value = value if number is None else number_format(number, language, grouping=item.kind != "year")
            initial[f.key] = value
    return initial
