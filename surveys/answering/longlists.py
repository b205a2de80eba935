"""Long choice lists (countries, any list over a dozen entries) as grouped, filterable option lists.

Radio buttons or checkboxes, so the list works on a phone and without JavaScript; page.js adds a
filter box. Countries are grouped by world area and sorted as the respondent's language spells
them; other long lists keep the instrument's order.
"""
from __future__ import annotations

from surveys.answering.forms import LONG_LIST_ABOVE
from surveys.questionnaire.areas import AREA_NAMES, OTHER_AREA, country_area, sort_key
from surveys.questionnaire.texts import gettext_in


def is_long(f, form) -> bool:
    return f.kind in ("choice", "multi") and len(form.fields[f.key].choices) > LONG_LIST_ABOVE


def long_list_groups(f, bound, language: str) -> list[dict]:
    """[{label, options: [{code, label, checked, id}]}] for one long-list field."""
    value = bound.value()
    chosen = {str(v) for v in value} if isinstance(value, (list, tuple)) else {str(value)} if value else set()
    options = [{"code": str(code), "label": label, "checked": str(code) in chosen, "id": f"{f.key}-{code}"}
               for code, label in bound.field.choices]
    if f.item.kind != "country":
        return [{"label": "", "options": options}]
    by_area: dict[str, list[dict]] = {}
    for option in options:
        by_area.setdefault(country_area(option["code"]) or OTHER_AREA, []).append(option)
    order = [*AREA_NAMES.values(), OTHER_AREA]
    return [{"label": gettext_in(area, language),
             "options": sorted(by_area[area], key=lambda o: sort_key(o["label"])) if area != OTHER_AREA
             else by_area[area]}
            for area in order if area in by_area]
