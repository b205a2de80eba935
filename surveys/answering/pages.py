"""What a respondent page shows: items in order, their fields, visibility, messages, progress."""
from __future__ import annotations

from surveys.answering.forms import MISSING_SUFFIX
from surveys.models.i18n import pick
from surveys.questionnaire.numbers import number_format
from surveys.questionnaire.spec import Spec
from surveys.questionnaire.texts import t
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
    blocks = []
    for item in module.items:
        keys = [f.key for f in item.fields]
        visible = any(k in shown for k in keys) or (result is not None and item.code in result.relevant_items)
        errors = result.errors.get(item.code, []) if result else []
        pending = result.warnings.items() if result else []
        warnings = [(ident, msg) for ident, (code, msg) in pending if code == item.code]
        block = {
            "code": item.code, "kind": item.kind, "wording": wording(item, env, language, audience),
            "help": pick(item.texts_for(audience)[1], language), "required": item.required, "visible": visible,
            "errors": errors, "warnings": warnings, "fields": [], "rows": [],
            "scale": [(str(c.code), pick(c.label, language)) for c in item.choices],
        }
        for f in item.fields:
            bound = form[f.key]
            missing = f.key + MISSING_SUFFIX
            entry = {"key": f.key, "field": bound, "role": f.role, "label": pick(f.label, language),
                     "missing": form[missing] if missing in form.fields else None,
                     "help": pick(f.help, language) if f.role == "row" else "",
                     "visible": f.key in shown or not f.relevance, "relevance": bool(f.relevance)}
            if item.kind == "grid" and f.role == "row" and f.kind == "choice":
                entry["value"] = bound.value()
                block["rows"].append(entry)
            else:
                block["fields"].append(entry)
        blocks.append(block)
    return blocks


def progress(spec: Spec, answers: dict, module_code: str, language: str) -> dict:
    modules = visible_modules(spec, answers)
    codes = [m.code for m in modules]
    index = codes.index(module_code) if module_code in codes else 0
    return {"n": index + 1, "total": len(codes), "percent": int(100 * index / max(1, len(codes))),
            "label": t("page_of", language, n=index + 1, total=len(codes)),
            "previous": codes[index - 1] if index > 0 else None,
            "next": codes[index + 1] if index + 1 < len(codes) else None}


def review_sections(spec: Spec, answers: dict, language: str, audience: str = "web") -> list[dict]:
    """Every shown item with its answer in words, module by module (review and printable copy)."""
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
                rows.append({"code": f.key, "label": label, "answer": answer_text(f, answers.get(f.key), language)})
        sections.append({"code": module.code, "title": pick(module.title, language), "rows": rows})
    return sections


def answer_text(f, value, language: str) -> str:
    if value is None or value == [] or value == "":
        return t("no_answer", language)
    if isinstance(value, dict):
        return t(f"missing_{value.get('missing')}", language)
    if f.choices:
        labels = {str(c.code): pick(c.label, language) for c in f.choices}
        values = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(str(v), str(v)) for v in values)
    if f.kind != "number":
        return str(value)
    unit = pick(f.item.config.get("unit"), language)
    return f"{number_format(value, language, grouping=f.item.kind != 'year')} {unit}".strip()
