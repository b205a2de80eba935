"""Previewing a draft page by page, as a respondent would see it, without creating a response.

The preview's answers live in the staff member's session (one set per draft and language), so skip
logic across pages works as in the real questionnaire while nothing is written to the database.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from surveys.answering.forms import page_form_class, raw_values
from surveys.answering.pages import page_blocks, progress, visible_modules
from surveys.authoring.workbook_read import workbook_sheets
from surveys.models import DefinitionDraft
from surveys.questionnaire.spec import Spec
from surveys.questionnaire.texts import TEXTS, pick, t
from surveys.questionnaire.validation import PageResult, merge_page, page_relevance, validate_page
from surveys.tabular import ImportFileError

_SPECS: dict[str, Spec] = {}
_WHERE = re.compile(r"^(\w+) row (\d+)(?:, column ([^:]+))?")
MAX_SHOWN_ROWS = 500


def draft_spec(draft: DefinitionDraft) -> Spec:
    """The compiled questionnaire of a checked draft (cached: a draft never changes)."""
    key = draft.definition["checksum"]
    if key not in _SPECS:
        _SPECS[key] = Spec(draft.definition)
    return _SPECS[key]


def session_key(draft: DefinitionDraft, language: str) -> str:
    return f"authoring-preview-{draft.pk}-{language}"


@dataclass
class PreviewStep:
    result: PageResult
    answers: dict
    target: str  # the next module code, or "" for the end of the questionnaire


def preview_submit(*, spec: Spec, module: str, data, answers: dict, language: str) -> PreviewStep:
    """Validate one page as the respondent flow does; the answers are returned, never stored."""
    module_spec = spec.module(module)
    form = page_form_class(spec, module_spec, language)(data)
    confirmed = [k[len("confirm:"):] for k in data if k.startswith("confirm:")]
    result = validate_page(spec, module, raw_values(form, module_spec), answers, language=language,
                           confirmed=confirmed)
    if not result.ok:
        return PreviewStep(result, answers, module)
    merged = json.loads(json.dumps(merge_page(spec, answers, module, result.values), default=str))
    codes = [m.code for m in visible_modules(spec, merged)]
    index = codes.index(module) if module in codes else len(codes)
    return PreviewStep(result, merged, codes[index + 1] if index + 1 < len(codes) else "")


def preview_context(*, spec: Spec, module: str, language: str, answers: dict, data=None,
                    result: PageResult | None = None) -> dict:
    """What templates/surveys/page.html needs, for a page of the preview."""
    module_spec = spec.module(module)
    form_class = page_form_class(spec, module_spec, language)
    form = form_class(data) if data is not None else form_class(initial=_initial(module_spec, answers))
    if result is not None:
        form.is_valid()
        for key, messages in result.errors.items():
            if key in form.fields:
                for message in messages:
                    form.add_error(key, message)
    return {"language": language, "languages": spec.languages, "texts": {k: t(k, language) for k in TEXTS},
            "title": pick(spec.definition.get("title"), language), "module": module_spec,
            "module_title": pick(module_spec.title, language), "form": form,
            "blocks": page_blocks(spec, module_spec, form, answers, language, result),
            "progress": progress(spec, answers, module, language),
            "notice": t("errors_on_page", language) if result is not None and not result.ok else ""}


def _initial(module_spec, answers: dict) -> dict:
    from surveys.answering.forms import initial_values

    return {**initial_values(module_spec, answers), "page_revision": 0}


def preview_relevance(*, spec: Spec, module: str, data, answers: dict, language: str) -> dict:
    module_spec = spec.module(module)
    form = page_form_class(spec, module_spec, language)(data)
    return page_relevance(spec, module, raw_values(form, module_spec), answers)


# ------------------------------------------------------------------ problems shown in place
def problem_places(problems: list[str]) -> dict[str, dict[int, list[tuple[str, str]]]]:
    """{sheet: {row: [(column, message)]}} for the problems that name a workbook row."""
    places: dict[str, dict[int, list[tuple[str, str]]]] = {}
    for text in problems:
        match = _WHERE.match(text)
        if match:
            places.setdefault(match[1], {}).setdefault(int(match[2]), []).append((match[3] or "", text))
    return places


def draft_sheets_with_problems(draft: DefinitionDraft) -> list[dict]:
    """The workbook's sheets that have problems, each row with its messages, the faulty cells marked."""
    places = problem_places(draft.problems)
    if draft.source_format != "xlsx" or not places:
        return []
    try:
        sheets = workbook_sheets(bytes(draft.source_file))
    except ImportFileError:
        return []
    out = []
    for name, marks in places.items():
        table = sheets.get(name) or []
        if not table:
            continue
        header = table[0]
        rows = []
        for number, values in enumerate(table[1:MAX_SHOWN_ROWS + 1], start=2):
            columns = {c for c, _ in marks.get(number, [])}
            rows.append({"number": number, "messages": [m for _, m in marks.get(number, [])],
                         "cells": [{"value": v, "bad": h in columns} for h, v in zip(header, values, strict=False)]})
        out.append({"name": name, "header": header, "rows": rows})
    return out
