"""One validation path for every way answers arrive: web pages, interviewers, imports, generators.

`validate_page` takes raw values (strings from a form, or Python values) for one module, applies
skip logic in item order, cleans each field against its type and limits, then checks the
item-level rules (selections, exclusive choices, 'other' texts, sums) and cross-item checks.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from surveys.questionnaire.numbers import number_format, number_read, plain
from surveys.questionnaire.texts import pick, t

from .spec import FieldSpec, ItemSpec, Spec

MISSING_PREFIX = "missing:"
EMPTY = (None, "", [])
# Beyond any figure a firm reports, and within what Decimal (28 digits) and float round exactly:
# larger or longer numbers ("1e309", 40 nines) are refused with a message, not computed with.
NUMBER_MAX_TEXT = 40
NUMBER_MAX_DIGITS = 15  # before the decimal point


@dataclass
class PageResult:
    values: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (item code, message)
    relevant_items: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warnings

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _limit(value, today_ok=True):
    if value == "today":
        return dt.date.today()
    if value == "current_year":
        return dt.date.today().year
    return value


def _number(f: FieldSpec, raw, lang: str, ui: str):
    cfg = f.item.config
    if isinstance(raw, (int, float, Decimal)):  # imports and generators pass numbers, not text
        number = Decimal(str(raw))
    elif len(str(raw).strip()) > NUMBER_MAX_TEXT:
        return None, t("too_big", ui)
    else:
        try:
            reading = number_read(raw, lang)
        except (InvalidOperation, ArithmeticError, ValueError):  # 1E+999999999 overflows the context
            return None, t("not_number", ui)
        if reading.ambiguous:
            mine, other = reading.ambiguous
            return None, t("ambiguous", ui, typed=str(raw).strip(), a=number_format(mine, lang),
                           b=number_format(other, lang), plain_a=plain(mine, lang), plain_b=plain(other, lang))
        number = reading.value
    if number is None or not number.is_finite():
        if f.item.kind == "year":
            return None, t("year", ui, a=_limit(cfg.get("min")) or 1000, b=_limit(cfg.get("max")) or 2100)
        return None, t("not_number", ui)
    if number.adjusted() >= NUMBER_MAX_DIGITS:  # beyond any business figure, and beyond what rounding can handle
        return None, t("too_big", ui)
    decimals = int(cfg.get("decimals", 0))
    if number != round(number, decimals):
        return None, t("decimals", ui, n=decimals) if decimals else t("decimals0", ui)
    kind = f.item.kind
    low, high = _limit(cfg.get("min")), _limit(cfg.get("max"))
    if kind in ("percent", "split100"):
        low = 0 if low is None else low
        high = 100 if high is None else high
    if kind == "year":
        if number < (low or 1000) or number > (high or 2100):
            return None, t("year", ui, a=low or 1000, b=high or 2100)
    elif low is not None and number < Decimal(str(low)):
        return None, t("min", ui, v=number_format(low, lang))
    elif high is not None and number > Decimal(str(high)):
        return None, t("max", ui, v=number_format(high, lang))
    return (int(number) if decimals == 0 else float(number)), None


def _choice(f: FieldSpec, raw, lang: str, ui: str):
    choice = next((c for c in f.choices if str(c.code) == str(raw).strip()), None)
    return (choice.code, None) if choice else (None, t("choice", ui))


def _multi(f: FieldSpec, raw, lang: str, ui: str):
    values = raw if isinstance(raw, (list, tuple)) else [raw]
    wanted = {str(v).strip() for v in values if v not in EMPTY}
    known = [c.code for c in f.choices if str(c.code) in wanted]
    if len(known) != len(wanted):
        return None, t("choice", ui)
    return known, None


def _date(f: FieldSpec, raw, lang: str, ui: str):
    try:
        value = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        return None, t("date", ui)
    low = _limit(f.item.config.get("min"))
    high = _limit(f.item.config.get("max"))
    low = dt.date.fromisoformat(low) if isinstance(low, str) else low
    high = dt.date.fromisoformat(high) if isinstance(high, str) else high
    if (low and value < low) or (high and value > high):
        return None, t("date_range", ui, a=low or "", b=high or "")
    return value.isoformat(), None


def _text(f: FieldSpec, raw, lang: str, ui: str):
    value = str(raw).strip()
    limit = int(f.item.config.get("max_length", 5000 if f.item.kind == "longtext" or f.role == "notes" else 500))
    if len(value) > limit:
        return None, t("too_long", ui, n=limit)
    return value, None


CLEANERS = {"number": _number, "choice": _choice, "multi": _multi, "date": _date, "text": _text}


def clean_field(f: FieldSpec, raw, lang: str = "en", missing_codes=(), ui: str | None = None):
    """(value, error) for one raw value; (None, None) when it is empty.

    `lang` reads the value (numbers as that language writes them); `ui` is the language of the
    message (an interviewer's own language while the firm's is `lang`); default: `lang`."""
    ui = ui or lang
    if raw in EMPTY or (isinstance(raw, (list, tuple)) and not any(v not in EMPTY for v in raw)):
        return None, None
    if isinstance(raw, dict):
        raw = MISSING_PREFIX + str(raw.get("missing", ""))
    if isinstance(raw, str) and raw.startswith(MISSING_PREFIX):
        code = raw[len(MISSING_PREFIX):]
        return ({"missing": code}, None) if code in missing_codes else (None, t("choice", ui))
    if isinstance(raw, bool):
        raw = int(raw)
    return CLEANERS[f.kind](f, raw, lang, ui)


def validate_page(spec: Spec, module_code: str, raw: Mapping, answers: dict, *, language: str = "en",
                  confirmed=(), allow_missing: bool = False, strict: bool = False,
                  messages: str | None = None) -> PageResult:
    """Validate the raw values of one module given the answers of the other modules.

    language: the respondent's (how numbers are read, which labels messages quote); messages: the
    language of the messages when it is another (an interviewer's screens), else `language`.

    strict: a value given for an item that skip logic hides is an error (imports); otherwise
    it is dropped silently (a browser without JavaScript shows such items).
    """
    module = spec.module(module_code)
    ui = messages or language
    result = PageResult()
    env = spec.env({k: v for k, v in answers.items() if spec.fields.get(k) is None
                    or spec.fields[k].item.module != module_code})
    missing = spec.missing_codes if allow_missing else ()
    module_on = spec.relevant(module.relevance, env)
    for item in module.items:
        if not (module_on and spec.relevant(item.relevance, env)):
            if strict:
                _hidden_errors(item, raw, result, ui)
            continue
        result.relevant_items.append(item.code)
        for f in item.fields:
            if f.relevance and not spec.relevant(f.relevance, env):
                if strict and raw.get(f.key) not in EMPTY:
                    result.add(f.key, _hidden_message(ui))
                continue
            value, error = clean_field(f, raw.get(f.key), language, missing, ui)
            if error:
                result.add(f.key, error)
            elif value is None:
                if f.required:
                    result.add(f.key, t("required", ui))
            else:
                result.values[f.key] = value
                env.set(f.key, value)
        _item_rules(spec, item, result, env, language, ui)
        _checks(item, result, env, ui, confirmed, spec)
    return result


def _hidden_message(language: str) -> str:
    return t("hidden_answer", language)


def _hidden_errors(item: ItemSpec, raw: Mapping, result: PageResult, language: str) -> None:
    for f in item.fields:
        if raw.get(f.key) not in EMPTY:
            result.add(f.key, _hidden_message(language))


def _item_rules(spec: Spec, item: ItemSpec, result: PageResult, env, language: str, ui: str) -> None:
    values = result.values
    cfg = item.config
    for f in item.fields:
        value = values.get(f.key)
        if f.kind == "multi" and isinstance(value, list):
            _selection_rules(item, f, value, cfg, result, language, ui)
    # 'other, please specify' texts, required when their choice is selected
    for f in item.fields:
        if f.role != "other":
            continue
        owner = f.key.rsplit(".", 1)[0]
        chosen = values.get(owner)
        chosen = chosen if isinstance(chosen, list) else [chosen]
        other = next((c for c in item.choices if c.other and c.code in chosen), None)
        if other is None:
            values.pop(f.key, None)
            env.drop(f.key)
        elif values.get(f.key) in EMPTY:
            result.add(f.key, t("other", ui, label=pick(other.label, language)))
    if item.kind == "split100":
        parts = [values.get(f.key) for f in item.fields if f.role == "part"]
        if all(isinstance(p, (int, float)) for p in parts):
            total = round(sum(parts), 6)
            if abs(total - 100) > 1e-6:
                result.add(item.code, t("sum100", ui, total=number_format(total, language)))


def _selection_rules(item, f, value, cfg, result, language, ui) -> None:
    if cfg.get("max_selections") and len(value) > cfg["max_selections"]:
        result.add(f.key, t("max_sel", ui, n=cfg["max_selections"]))
    minimum = cfg.get("min_selections")
    if minimum and len(value) < minimum:
        result.add(f.key, t("min_sel", ui, n=minimum))
    exclusive = [c for c in f.choices if c.exclusive and c.code in value]
    if exclusive and len(value) > 1:
        result.add(f.key, t("exclusive", ui, label=pick(exclusive[0].label, language)))


def _checks(item: ItemSpec, result: PageResult, env, language: str, confirmed, spec: Spec) -> None:
    if any(k == item.code or k.startswith(item.code + ".") for k in result.errors):
        return  # the item's own errors come first
    for index, check in enumerate(item.checks):
        outcome = spec.fn(check["assert"])(env)
        if outcome is None or outcome:
            continue
        message = _format(pick(check.get("message"), language) or t("check", language), env)
        if check.get("severity", "error") == "warning":
            ident = f"{item.code}#{index}"
            if ident not in confirmed:
                result.warnings[ident] = (item.code, message)
        else:
            result.add(item.code, message)


def _format(message: str, env) -> str:
    """Messages may quote answers: {A2.7.A} is replaced by that answer."""
    if "{" not in message:
        return message
    out, rest = [], message
    while "{" in rest and "}" in rest.split("{", 1)[1]:
        head, tail = rest.split("{", 1)
        name, rest = tail.split("}", 1)
        value = env.get(name)
        out.append(head + ("" if value is None else f"{value:g}" if isinstance(value, float) else str(value)))
    return "".join(out) + rest


def prune(spec: Spec, answers: dict) -> dict:
    """Drop answers of items, rows and modules that skip logic now hides (in questionnaire order)."""
    kept = dict(answers)
    env = spec.env(kept)
    for module in spec.modules:
        module_on = spec.relevant(module.relevance, env)
        for item in module.items:
            item_on = module_on and spec.relevant(item.relevance, env)
            for f in item.fields:
                if f.key in kept and not (item_on and (not f.relevance or spec.relevant(f.relevance, env))):
                    del kept[f.key]
                    env.drop(f.key)
    return kept


def merge_page(spec: Spec, answers: dict, module_code: str, values: dict) -> dict:
    """Answers with one module's keys replaced by `values`, then pruned by skip logic."""
    module_keys = {f.key for i in spec.module(module_code).items for f in i.fields}
    merged = {k: v for k, v in answers.items() if k not in module_keys}
    merged.update(values)
    return prune(spec, merged)


def validate_all(spec: Spec, raw: Mapping, *, language: str = "en", allow_missing: bool = False,
                 strict: bool = True) -> tuple[dict, dict[str, list[str]]]:
    """Validate a whole response module by module (imports, generators); warnings count as confirmed."""
    answers: dict = {}
    errors: dict[str, list[str]] = {}
    every_warning = _AllWarnings()
    for module in spec.modules:
        result = validate_page(spec, module.code, raw, answers, language=language, confirmed=every_warning,
                               allow_missing=allow_missing, strict=strict)
        answers.update(result.values)
        for key, messages in result.errors.items():
            errors.setdefault(key, []).extend(messages)
    unknown = sorted(k for k, v in raw.items() if k not in spec.fields and v not in EMPTY)
    for key in unknown:
        errors.setdefault(key, []).append("Unknown item code.")
    return answers, errors


class _AllWarnings:
    def __contains__(self, item) -> bool:
        return True


def page_relevance(spec: Spec, module_code: str, raw: Mapping, answers: dict) -> dict:
    """Which items and rows of a page are relevant given its current (unsaved) values."""
    result = validate_page(spec, module_code, raw, answers, confirmed=_AllWarnings())
    env = spec.env({**answers, **result.values})
    rows = [f.key for i in spec.module(module_code).items if i.code in result.relevant_items
            for f in i.fields if f.relevance and spec.relevant(f.relevance, env)]
    return {"items": result.relevant_items, "rows": rows}


def applicable_keys(spec: Spec, answers: dict) -> set[str]:
    """The answer keys that skip logic shows for these answers (the others are not applicable)."""
    env = spec.env(answers)
    keys: set[str] = set()
    for module in spec.modules:
        module_on = spec.relevant(module.relevance, env)
        for item in module.items:
            if not (module_on and spec.relevant(item.relevance, env)):
                continue
            keys.update(f.key for f in item.fields if not f.relevance or spec.relevant(f.relevance, env))
    return keys
