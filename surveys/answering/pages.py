"""What a respondent page shows: items in order, their fields, visibility, messages, progress."""
from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from django import forms

from surveys.answering.forms import MISSING_SUFFIX
from surveys.answering.longlists import is_long, long_list_groups
from surveys.questionnaire.numbers import number_format, number_read
from surveys.questionnaire.spec import Spec
from surveys.questionnaire.texts import pick, t
from surveys.questionnaire.validation import PageResult, applicable_keys


def visible_modules(spec: Spec, answers: dict) -> list:
    env = spec.env(answers)
    return [m for m in spec.modules if spec.relevant(m.relevance, env)]


def wording(item, env, language: str, audience: str = "web") -> str:
    """The item's wording for this audience, or the first variant whose condition holds (B10/B11)."""
    for variant in item.variants:
        if variant.get("when") and env.spec.relevant(variant["when"], env):
            return pick(variant["wording"], language)
    return pick(item.texts_for(audience)[0], language)


def page_blocks(spec: Spec, module, form, answers: dict, language: str,
                result: PageResult | None = None, audience: str = "web") -> list[dict]:
    values = {**answers, **(result.values if result else {})}
    shown = applicable_keys(spec, values)
    env = spec.env(values)
    errors = result.errors if result else {}
    blocks = []
    for item in module.items:
        keys = [f.key for f in item.fields]
        visible = any(k in shown for k in keys) or (result is not None and item.code in result.relevant_items)
        pending = result.warnings.items() if result else []
        wording_text, help_text = item.texts_for(audience)
        block = {
            "code": item.code, "kind": item.kind, "wording": wording(item, env, language, audience),
            "help": pick(help_text, language), "required": item.required, "visible": visible,
            # an item's own messages (sums, checks) unless its value field shows them: each message once
            "errors": [] if item.code in keys else errors.get(item.code, []),
            "has_error": any(k in errors for k in [item.code, *keys]),
            "warnings": [(ident, msg) for ident, (code, msg) in pending if code == item.code],
            "fields": [], "rows": [], "total": None, "other_codes": [str(c.code) for c in item.choices if c.other],
            "scale": [(str(c.code), pick(c.label, language)) for c in item.choices],
        }
        rows_by_key = {}
        for f in item.fields:
            if not block["help"]:  # no help shown: nothing to point at
                _drop_described_by(form, f.key, f"help-{item.code}")
            entry = _field_entry(form, f, language, shown, errors.get(f.key, []))
            if item.kind == "grid" and f.role == "row" and f.kind == "choice":
                entry["value"] = form[f.key].value()
                rows_by_key[f.key] = entry
                block["rows"].append(entry)
            elif item.kind == "grid" and f.role == "other" and f.key.rsplit(".", 1)[0] in rows_by_key:
                row = rows_by_key[f.key.rsplit(".", 1)[0]]
                row["other"] = entry  # the row's own "other, specify" box, named after the row
                entry["label"] = f"{row['label']}: {t('other_specify', language)}"
                form.fields[f.key].label = entry["label"]
                entry["open"] = str(row["value"]) in block["other_codes"] or bool(form[f.key].value())
            else:
                block["fields"].append(entry)
        if item.kind == "split100":
            block["total"] = _split_total(form, item, language)
        blocks.append(block)
    return blocks


def _field_entry(form, f, language: str, shown: set, messages: list[str]) -> dict:
    bound = form[f.key]
    missing = f.key + MISSING_SUFFIX
    if messages:  # the control says it is in error and which message describes it
        attrs = form.fields[f.key].widget.attrs
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"error-{f.key} {attrs.get('aria-describedby', '')}".strip()
    long = is_long(f, form)
    return {"key": f.key, "field": bound, "role": f.role, "label": pick(f.label, language), "errors": messages,
            "long": long, "groups": long_list_groups(f, bound, language) if long else [],
            "input_type": "checkbox" if f.kind == "multi" else "radio",
            "missing": form[missing] if missing in form.fields else None,
            "help": pick(f.help, language) if f.role == "row" else "",
            "visible": f.key in shown or not f.relevance, "relevance": bool(f.relevance)}


def _drop_described_by(form, key: str, ident: str) -> None:
    attrs = form.fields[key].widget.attrs
    rest = " ".join(i for i in attrs.get("aria-describedby", "").split() if i != ident)
    if rest:
        attrs["aria-describedby"] = rest
    else:
        attrs.pop("aria-describedby", None)


def _split_total(form, item, language: str) -> str:
    """The running total of a split-to-100 as the page was rendered (page.js keeps it current)."""
    total = Decimal(0)
    for f in item.fields:
        if f.role == "part":
            number = number_read(str(form[f.key].value() or ""), language).value
            total += number if number is not None else 0
    return number_format(total, language)


def error_summary(module, form, result: PageResult | None) -> list[dict]:
    """Every message of the page once, in page order, each with a link to the control it is about."""
    if result is None:
        return []
    summary = []
    for item in module.items:
        for key in dict.fromkeys([item.code, *(f.key for f in item.fields)]):
            for message in result.errors.get(key, []):
                summary.append({"href": "#" + _anchor(item, key, form), "message": message})
        for ident, (code, message) in result.warnings.items():
            if code == item.code:
                summary.append({"href": "#" + quote(f"confirm-{ident}"), "message": message})
    return summary


def _anchor(item, key: str, form) -> str:
    """The id of the first control of a field (an item-level message points at the item's first field)."""
    f = next((f for f in item.fields if f.key == key), None) or item.fields[0]
    if item.kind == "grid" and f.role == "row" and f.kind == "choice" and f.choices:
        return f"{f.key}-{f.choices[0].code}"
    if is_long(f, form):
        return f"{f.key}-{form.fields[f.key].choices[0][0]}"
    widget = form.fields[f.key].widget
    return form[f.key].auto_id + ("_0" if isinstance(widget, forms.RadioSelect) else "")


def progress(spec: Spec, answers: dict, module_code: str, language: str) -> dict:
    """Where the page stands; `language`: of the "Page n of N" label (the screen's interface language)."""
    modules = visible_modules(spec, answers)
    codes = [m.code for m in modules]
    index = codes.index(module_code) if module_code in codes else 0
    return {"n": index + 1, "total": len(codes), "percent": int(100 * index / max(1, len(codes))),
            "label": t("page_of", language, n=index + 1, total=len(codes)),
            "previous": codes[index - 1] if index > 0 else None,
            "next": codes[index + 1] if index + 1 < len(codes) else None}


def review_sections(spec: Spec, answers: dict, language: str, audience: str = "web",
                    interface: str | None = None) -> list[dict]:
    """Every shown item with its answer in words, module by module (review and printable copy);
    `interface`: the language of "(no answer)", "don't know" and "refused" when it is not the respondent's."""
    shown = applicable_keys(spec, answers)
    env = spec.env(answers)
    sections = []
    for module in visible_modules(spec, answers):
        rows = []
        for item in module.items:
            for f in item.fields:
                if f.key not in shown or (f.role in ("other", "notes") and f.key not in answers):
                    continue
                label = wording(item, env, language, audience) if f.role == "value" else (
                    f"{pick(item.texts_for(audience)[0], language)} — {pick(f.label, language)}")
                rows.append({"code": f.key, "label": label, "answer": answer_text(f, answers.get(f.key), language,
                                                                                   interface)})
        sections.append({"code": module.code, "title": pick(module.title, language), "rows": rows})
    return sections


def answer_text(f, value, language: str, interface: str | None = None) -> str:
    if value is None or value == [] or value == "":
        return t("no_answer", interface or language)
    if isinstance(value, dict):
        return t(f"missing_{value.get('missing')}", interface or language)
    if f.choices:
        labels = {str(c.code): pick(c.label, language) for c in f.choices}
        values = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(str(v), str(v)) for v in values)
    if f.kind != "number":
        return str(value)
    unit = pick(f.item.config.get("unit"), language)
    return f"{number_format(value, language, grouping=f.item.kind != 'year')} {unit}".strip()
