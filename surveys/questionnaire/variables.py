"""The flat variables of a questionnaire: one per stored value, as analysts see them.

A multiple choice becomes one 0/1 variable per choice, a grid one variable per row, a split one
per part; 'other' texts and derived variables get their own. Names are item codes with '.'
turned into '_' (B12.1 -> B12_1, A3.3 choice EE -> A3_3_EE, $A_OFFSHORING -> A_OFFSHORING).
The same list drives the typed read model, the exports and the codebook.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from surveys.questionnaire.spec import FieldSpec, Spec

NOT_APPLICABLE, DONT_KNOW, REFUSED = -7, -8, -9
MISSING_VALUES = {"DK": DONT_KNOW, "RF": REFUSED}
MISSING_LABELS = {NOT_APPLICABLE: "Not applicable", DONT_KNOW: "Don't know", REFUSED: "Refused"}


@dataclass
class Variable:
    name: str
    type: str  # int | num | str
    key: str  # answer key it reads ('A3.3'), or derived name ('$A_X')
    label: dict
    item: str = ""
    module: str = ""
    choice: object = None  # for a multiple choice spread into 0/1 variables
    value_labels: dict = field(default_factory=dict)  # code -> {lang: label}
    measure: str = "nominal"  # nominal | ordinal | scale
    role: str = "value"  # value | row | part | other | notes | choice | derived
    versions: list[int] = field(default_factory=list)
    free_text: bool = False


def column_name(key: str) -> str:
    return key.lstrip("$").replace(".", "_").replace("-", "_")


def variables_for(spec: Spec) -> list[Variable]:
    out: list[Variable] = []
    for item in spec.item_order:
        for f in item.fields:
            out.extend(_field_variables(f))
    for d in spec.derived:
        labels = {k: v for k, v in d.values.items()}
        out.append(Variable(name=column_name(d.name), type="str" if d.type == "str" else "num", key=d.name,
                            label=d.label, role="derived", value_labels=labels,
                            measure="nominal" if labels else "scale"))
    return out


def _field_variables(f: FieldSpec) -> list[Variable]:
    item = f.item
    base = dict(item=item.code, module=item.module)
    if f.role in ("other", "notes") or f.kind == "text":
        return [Variable(name=column_name(f.key), type="str", key=f.key, label=_label(f), role=f.role,
                         free_text=True, measure="nominal", **base)]
    if f.kind == "date":
        return [Variable(name=column_name(f.key), type="str", key=f.key, label=_label(f), role=f.role, **base)]
    if f.kind == "number":
        return [Variable(name=column_name(f.key), type="num", key=f.key, label=_label(f), role=f.role,
                         measure="scale", **base)]
    if f.kind == "multi" and item.kind == "country":
        return [Variable(name=column_name(f.key), type="str", key=f.key, label=_label(f), role=f.role, **base)]
    if f.kind == "multi":
        yes_no = {1: {"en": "Selected"}, 0: {"en": "Not selected"}}
        return [Variable(name=column_name(f"{f.key}.{c.code}"), type="int", key=f.key, choice=c.code,
                         label=_join(_label(f), c.label), role="choice", value_labels=yes_no, **base)
                for c in f.choices]
    measure = "ordinal" if item.kind == "likert5" or item.config.get("scale") == "likert5" else "nominal"
    return [Variable(name=column_name(f.key), type=f.value_type, key=f.key, label=_label(f), role=f.role,
                     value_labels={c.code: c.label for c in f.choices}, measure=measure, **base)]


def _label(f: FieldSpec) -> dict:
    if f.role in ("row", "part"):
        return _join(f.item.wording, f.label)
    if f.role == "other":
        return _join(f.item.wording, {"en": "other, specified", "it": "altro, specificare",
                                      "es": "otro, especificar"})
    if f.role == "notes":
        return _join(f.item.wording, {"en": "interviewer notes"})
    return f.item.wording


def _join(a: dict, b: dict) -> dict:
    langs = set(a) | set(b)
    return {lang: f"{a.get(lang) or a.get('en', '')} | {b.get(lang) or b.get('en', '')}" for lang in langs}


def merged_variables(specs: list[tuple[int, Spec]]) -> list[Variable]:
    """Variables of every version, one per name, in the latest version's order (dropped ones last)."""
    by_name: dict[str, Variable] = {}
    order: list[str] = []
    for number, spec in sorted(specs, key=lambda s: -s[0]):
        for v in variables_for(spec):
            if v.name not in by_name:
                by_name[v.name] = v
                order.append(v.name)
            by_name[v.name].versions.append(number)
    for v in by_name.values():
        v.versions.sort()
    return [by_name[n] for n in order]


def row_values(spec: Spec, variables: list[Variable], answers: dict, derived: dict,
               applicable: set[str]) -> list:
    """One response as typed values in `variables` order.

    `applicable` holds the answer keys skip logic shows; the others are -7 (not applicable).
    Unanswered applicable keys are None (system missing).
    """
    out = []
    for v in variables:
        if v.role == "derived":
            value = derived.get(v.key)
            out.append(value if v.type == "str" or value is None or isinstance(value, (int, float))
                       else None)
            continue
        if v.key not in applicable:
            out.append(None if v.type == "str" else NOT_APPLICABLE)
            continue
        value = answers.get(v.key)
        if isinstance(value, dict):
            out.append(None if v.type == "str" else MISSING_VALUES.get(value.get("missing"), None))
        elif v.choice is not None:
            out.append(None if value is None else int(v.choice in value))
        elif isinstance(value, list):
            out.append(";".join(str(x) for x in value))
        elif v.type == "int" and isinstance(value, str):
            out.append(None)
        else:
            out.append(value)
    return out
