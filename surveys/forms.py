"""Respondent page forms built from the compiled questionnaire.

Django fields here only render widgets and collect raw values; typing, ranges, skip logic and
cross-item rules are checked by surveys.engine.validation, the path imports and generators use.
"""
from __future__ import annotations

from django import forms

from surveys.engine.spec import FieldSpec, ModuleSpec, Spec
from surveys.engine.validation import MISSING_PREFIX
from surveys.models.i18n import pick
from surveys.texts import t

SELECT_ABOVE = 12  # longer choice lists (countries) become a select box
MISSING_SUFFIX = "__missing"  # companion field: don't know / refused for a typed (non-choice) answer


def _choices(f: FieldSpec, language: str, missing: list[str]) -> list[tuple[str, str]]:
    pairs = [(str(c.code), pick(c.label, language)) for c in f.choices]
    return pairs + [(MISSING_PREFIX + m, t(f"missing_{m}", language)) for m in missing]


def _field(f: FieldSpec, language: str, missing: list[str]) -> forms.Field:
    item = f.item
    # a value field is named by its item's legend; rows, parts and texts carry their own label
    label = "" if f.role == "value" else pick(f.label, language)
    attrs = {"aria-describedby": f"help-{item.code}"}
    if f.role == "value":
        attrs["aria-labelledby"] = f"legend-{item.code}"
    if f.kind == "choice":
        choices = _choices(f, language, missing)
        if len(choices) > SELECT_ABOVE:
            field = forms.ChoiceField(choices=[("", "—")] + choices, widget=forms.Select(attrs=attrs))
        else:
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect(attrs=attrs))
    elif f.kind == "multi":
        choices = _choices(f, language, [])
        widget = (forms.SelectMultiple(attrs={**attrs, "size": 8}) if len(choices) > SELECT_ABOVE
                  else forms.CheckboxSelectMultiple(attrs=attrs))
        field = forms.MultipleChoiceField(choices=choices, widget=widget)
    elif f.kind == "number":
        unit = pick(item.config.get("unit"), language)
        field = forms.CharField(widget=forms.TextInput(attrs={**attrs, "inputmode": "decimal"}),
                                help_text=unit)
    elif f.kind == "date":
        field = forms.CharField(widget=forms.DateInput(attrs={**attrs, "type": "date"}))
    elif item.kind == "longtext" or f.role == "notes":
        field = forms.CharField(widget=forms.Textarea(attrs={**attrs, "rows": 3}))
    else:
        field = forms.CharField(widget=forms.TextInput(attrs=attrs))
    field.required = False  # "required when relevant" is the engine's call
    field.label = label
    return field


def page_form_class(spec: Spec, module: ModuleSpec, language: str, allow_missing: bool = False):
    missing = list(spec.missing_codes) if allow_missing else []
    fields = {}
    for item in module.items:
        for f in item.fields:
            fields[f.key] = _field(f, language, missing if f.role in ("value", "row", "part") else [])
            if missing and f.role in ("value", "row", "part") and f.kind != "choice":
                fields[f.key + MISSING_SUFFIX] = _missing_field(language, missing)
    fields["page_revision"] = forms.IntegerField(widget=forms.HiddenInput)
    fields["page_started"] = forms.FloatField(widget=forms.HiddenInput, required=False)
    return type("PageForm", (forms.Form,), fields)


def _missing_field(language: str, missing: list[str]) -> forms.Field:
    """Interviewers record don't know / refused for numbers, texts and dates with these radios."""
    return forms.ChoiceField(choices=[(m, t(f"missing_{m}", language)) for m in missing], required=False, label="",
                             widget=forms.RadioSelect(attrs={"class": "missing-code"}))


def initial_values(module: ModuleSpec, answers: dict) -> dict:
    initial = {}
    for item in module.items:
        for f in item.fields:
            value = answers.get(f.key)
            if isinstance(value, dict) and f.kind != "choice":
                initial[f.key + MISSING_SUFFIX] = value.get("missing", "")
            elif isinstance(value, dict):
                initial[f.key] = MISSING_PREFIX + value.get("missing", "")
            elif isinstance(value, list):
                initial[f.key] = [str(v) for v in value]
            elif value is not None:
                initial[f.key] = str(value)
    return initial


def raw_values(form: forms.Form, module: ModuleSpec) -> dict:
    """The submitted values as the engine expects them (strings and lists of strings)."""
    data = form.data
    raw = {}
    for item in module.items:
        for f in item.fields:
            raw[f.key] = data.getlist(f.key) if f.kind == "multi" else data.get(f.key, "")
            if data.get(f.key + MISSING_SUFFIX):  # a don't know / refused radio wins over a typed value
                raw[f.key] = MISSING_PREFIX + data[f.key + MISSING_SUFFIX]
    return raw
