"""Respondent page forms built from the compiled questionnaire.

Django fields here only render widgets and collect raw values; typing, ranges, skip logic and
cross-item rules are checked by surveys.questionnaire.validation, the path imports and generators use.
"""
from __future__ import annotations

from django import forms
from django.utils import timezone

from surveys.answering.comforts import REGISTER_KINDS, register_initial, register_item
from surveys.models import CaseEvent, Invitation
from surveys.questionnaire.numbers import number_format
from surveys.questionnaire.spec import FieldSpec, ModuleSpec, Spec
from surveys.questionnaire.texts import pick, t
from surveys.questionnaire.validation import MISSING_PREFIX

LONG_LIST_ABOVE = 12  # longer choice lists (countries) get a filter box and world-area groups (pages.py)
MISSING_SUFFIX = "__missing"  # companion field: don't know / refused for a typed (non-choice) answer


class _PageField:
    """A page form's fields are copied for every request, as Django copies any form's fields (a
    request may change a label or a widget's attributes). Django's copy goes through copy.copy
    twice per field (30 us each, a millisecond per page); this one copies the same things directly:
    the field, its widget, the widget's attributes, error messages and validators. Choices are
    built once per form class and never changed per request, so every form shares them instead of
    copying every (code, label) pair (a country list has 250 of them)."""

    def __deepcopy__(self, memo):
        result = object.__new__(type(self))
        result.__dict__ = self.__dict__.copy()
        widget = result.widget = object.__new__(type(self.widget))
        widget.__dict__ = self.widget.__dict__.copy()
        widget.attrs = self.widget.attrs.copy()
        result.error_messages = self.error_messages.copy()
        result.validators = self.validators[:]
        memo[id(self)] = result
        return result


class PageChoiceField(_PageField, forms.ChoiceField):
    pass


class PageMultipleChoiceField(_PageField, forms.MultipleChoiceField):
    pass


class PageCharField(_PageField, forms.CharField):
    pass


class PageIntegerField(_PageField, forms.IntegerField):
    pass


class PageFloatField(_PageField, forms.FloatField):
    pass


def _choices(f: FieldSpec, language: str, missing: list[tuple[str, str]]) -> list[tuple[str, str]]:
    pairs = [(str(c.code), pick(c.label, language)) for c in f.choices]
    return pairs + [(MISSING_PREFIX + code, label) for code, label in missing]


def _choice_field(f: FieldSpec, attrs: dict, language: str, missing: list[tuple[str, str]]) -> forms.Field:
    # long lists too: radios the page groups and filters (answering/longlists.py), no select box
    return PageChoiceField(choices=_choices(f, language, missing), widget=forms.RadioSelect(attrs=attrs))


def _multi_field(f: FieldSpec, attrs: dict, language: str, missing: list[tuple[str, str]]) -> forms.Field:
    return PageMultipleChoiceField(choices=_choices(f, language, []),
                                     widget=forms.CheckboxSelectMultiple(attrs=attrs))


def _number_field(f: FieldSpec, attrs: dict, language: str, missing: list[tuple[str, str]]) -> forms.Field:
    # text, not a number input: the engine reads the respondent's own decimal and grouping marks
    return PageCharField(widget=forms.TextInput(attrs={**attrs, "inputmode": "decimal"}),
                           help_text=pick(f.item.config.get("unit"), language))


def _date_field(f: FieldSpec, attrs: dict, language: str, missing: list[tuple[str, str]]) -> forms.Field:
    return PageCharField(widget=forms.DateInput(attrs={**attrs, "type": "date"}))


def _text_field(f: FieldSpec, attrs: dict, language: str, missing: list[tuple[str, str]]) -> forms.Field:
    if f.item.kind == "longtext" or f.role == "notes":
        return PageCharField(widget=forms.Textarea(attrs={**attrs, "rows": 3}))
    return PageCharField(widget=forms.TextInput(attrs=attrs))


FIELD_BUILDERS = {"choice": _choice_field, "multi": _multi_field, "number": _number_field, "date": _date_field,
                  "text": _text_field}


def _field(f: FieldSpec, language: str, missing: list[tuple[str, str]]) -> forms.Field:
    item = f.item
    attrs = {"aria-describedby": f"help-{item.code}"}
    if f.role == "value" and f.kind not in ("choice", "multi"):  # a radio or checkbox is named by its own label
        attrs["aria-labelledby"] = f"legend-{item.code}"
    field = FIELD_BUILDERS[f.kind](f, attrs, language, missing)
    field.required = False  # "required when relevant" is the engine's call
    # a value field is named by its item's legend; rows, parts and texts carry their own label
    field.label = "" if f.role == "value" else pick(f.label, language)
    return field


_FORM_CLASSES: dict[tuple, type] = {}


def page_form_class(spec: Spec, module: ModuleSpec, language: str, allow_missing: bool = False,
                    interface: str | None = None):
    """The form of one page, built once per process for each compiled spec, page and language.

    `interface`: the language of the don't know / refused choices when it is not the respondent's
    (they are the interviewer's buttons, not the question's)."""
    interface = interface or language
    key = (spec, module.code, language, allow_missing, interface)  # the spec by identity: cached per version
    if key not in _FORM_CLASSES:
        if len(_FORM_CLASSES) > 1000:
            _FORM_CLASSES.clear()
        _FORM_CLASSES[key] = _page_form_class(spec, module, language, allow_missing, interface)
    return _FORM_CLASSES[key]


def _page_form_class(spec: Spec, module: ModuleSpec, language: str, allow_missing: bool, interface: str) -> type:
    missing = [(m, t(f"missing_{m}", interface)) for m in spec.missing_codes] if allow_missing else []
    fields = {}
    for item in module.items:
        for f in item.fields:
            fields[f.key] = _field(f, language, missing if f.role in ("value", "row", "part") else [])
            if missing and f.role in ("value", "row", "part") and f.kind != "choice":
                fields[f.key + MISSING_SUFFIX] = _missing_field(missing)
    fields["page_revision"] = PageIntegerField(widget=forms.HiddenInput)
    fields["page_started"] = PageFloatField(widget=forms.HiddenInput, required=False)
    return type("PageForm", (forms.Form,), fields)


def _missing_field(missing: list[tuple[str, str]]) -> forms.Field:
    """Interviewers record don't know / refused for numbers, texts and dates with these radios."""
    return PageChoiceField(choices=missing, required=False, label="",
                             widget=forms.RadioSelect(attrs={"class": "missing-code"}))


def initial_values(module: ModuleSpec, answers: dict, language: str = "en") -> dict:
    """Saved answers as the page's controls show them (numbers written the respondent's way)."""
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
            elif f.kind == "number" and isinstance(value, (int, float)):
                initial[f.key] = number_format(value, language, grouping=f.item.kind != "year")
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


def register_form_class(spec: Spec, language: str) -> type[forms.Form]:
    """Sector, size and district; the district is a choice when the questionnaire asks for it as one."""
    district: forms.Field = forms.CharField(max_length=40, required=False)
    found = register_item(spec, "district")
    if found:
        choices = [(str(c.code), pick(c.label, language)) for c in found[0].choices]
        district = forms.ChoiceField(choices=[("", "—"), *choices], required=False)
    district.label = t("register_district", language)
    fields = {
        "industry_code": forms.CharField(max_length=20, required=False, label=t("register_sector", language)),
        "employees": forms.IntegerField(min_value=0, max_value=10_000_000, required=False,
                                        label=t("register_size", language)),
        "district": district,
    }
    return type("RegisterForm", (forms.Form,), fields)


class HandoverForm(forms.Form):
    contact_name = forms.CharField(max_length=200)
    email = forms.EmailField()
    phone = forms.CharField(max_length=40, required=False)

    def __init__(self, *args, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        for name, key in (("contact_name", "handover_name"), ("email", "handover_email"), ("phone", "handover_phone")):
            self.fields[name].label = t(key, language)


def welcome_extras(invitation: Invitation, spec: Spec, register_form=None, handover_form=None) -> dict:
    """What the welcome page shows besides the start button (bound forms passed back on errors)."""
    language = invitation.response.language
    events = invitation.events.order_by("-at", "-pk")
    confirmed = events.filter(kind__in=REGISTER_KINDS).first()
    passed = events.filter(kind=CaseEvent.Kind.CONTACT_PASSED).first()
    return {
        "register_form": register_form or register_form_class(spec, language)(
            initial=register_initial(invitation, spec)),
        "register_done": confirmed and t("register_done", language, date=f"{timezone.localdate(confirmed.at)}"),
        "handover_form": handover_form or HandoverForm(language=language),
        "handover_done": passed and t("handover_done", language, name=passed.values.get("contact_name", "")),
    }


WELCOME_PARTS = ("who", "why", "use", "contact")  # the keys of Wave.welcome


def welcome_about(wave, language: str) -> list[tuple[str, str]]:
    """Who runs the survey, why, how the answers are used, a contact: (heading, text) from the wave's settings."""
    texts = wave.welcome or {}
    return [(t(f"about_{part}", language), pick(texts.get(part), language)) for part in WELCOME_PARTS
            if pick(texts.get(part), language)]
