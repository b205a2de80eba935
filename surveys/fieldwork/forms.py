"""Forms of the fieldwork staff pages: they clean input and return typed values for the services."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from surveys.fieldwork.emailtexts import BODY_MAX, SUBJECT_MAX, placeholders_check
from surveys.fieldwork.population import FIELDS, attribute_key
from surveys.fieldwork.sampling import STRATA_FIELDS, SampleError, parse_filters
from surveys.models import Sample


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]


class SampleForm(forms.Form):
    name = forms.SlugField(label=_("Name"), max_length=100, initial="main")
    allocation = forms.ChoiceField(label=_("Allocation"), choices=Sample.Allocation.choices)
    size = forms.IntegerField(label=_("Size"), required=False, min_value=1,
                              help_text=_("Total n (proportional and Neyman)."))
    strata_fields = forms.MultipleChoiceField(
        label=_("Strata fields"), choices=[(f, f) for f in STRATA_FIELDS], required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Strata are the combinations of these (size_class: EU headcount classes; turnover_class: EU "
                    "turnover classes; nace2: first two digits of the industry code)."))
    turnover_above = forms.DecimalField(required=False, min_value=0, label=_("Turnover above (EUR)"),
                                        help_text=_("e.g. 1000000 for the Italian study's filter"))
    employees_at_least = forms.IntegerField(label=_("Employees at least"), required=False, min_value=0)
    districts = forms.CharField(label=_("Districts"), required=False,
                                help_text=_("Comma-separated district codes; empty: all."))
    industry_starts_with = forms.CharField(label=_("Industry starts with"), required=False, max_length=20,
                                           help_text=_("NACE / Ateco prefix"))
    market = forms.ChoiceField(label=_("Market"), choices=[("", _("any")), ("B2B", "B2B"), ("B2C", "B2C")],
                               required=False)
    other_filters = forms.CharField(label=_("Other filters"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_("One per line, e.g. region__in=Veneto,Friuli or "
                                                "attributes__source=SPRI"))
    neyman_variable = forms.ChoiceField(label=_("Neyman variable"),
                                        choices=[("", "—"), ("turnover", _("turnover")), ("employees", _("employees"))],
                                        required=False, help_text=_("Neyman allocation only."))
    take_all_employees = forms.IntegerField(required=False, min_value=1,
                                            label=_("Take all firms with at least N employees"))
    fixed = forms.CharField(label=_("Fixed"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("Fixed allocation: one stratum per line, e.g. TV_FURN|31.01=20"))
    min_per_stratum = forms.IntegerField(label=_("Minimum per stratum"), min_value=0, initial=0)
    seed = forms.IntegerField(label=_("Seed"), required=False, min_value=0,
                              help_text=_("Empty: a random seed, stored with the sample."))

    def clean(self):
        data = super().clean()
        try:
            data["filters"] = self._filters(data)
        except SampleError as exc:
            self.add_error("other_filters", str(exc))
        data["take_all"] = {"employees__gte": data["take_all_employees"]} if data.get("take_all_employees") else {}
        data["fixed_allocation"] = self._fixed(data.get("fixed") or "")
        if data.get("allocation") in ("proportional", "neyman") and not data.get("size"):
            self.add_error("size", _("Give the sample size for this allocation."))
        if data.get("allocation") == "neyman" and not data.get("neyman_variable"):
            self.add_error("neyman_variable", _("Neyman allocation needs a variable."))
        return data

    def _filters(self, data) -> dict:
        filters = parse_filters([line.strip() for line in (data.get("other_filters") or "").splitlines()
                                 if line.strip()])
        if data.get("turnover_above") is not None:
            filters["turnover__gt"] = str(data["turnover_above"])
        if data.get("employees_at_least") is not None:
            filters["employees__gte"] = str(data["employees_at_least"])
        if _codes(data.get("districts") or ""):
            filters["district__in"] = _codes(data["districts"])
        if data.get("industry_starts_with"):
            filters["industry_code__startswith"] = data["industry_starts_with"]
        if data.get("market"):
            filters["market"] = data["market"]
        return filters

    def _fixed(self, text: str) -> dict[str, int]:
        fixed = {}
        for line in filter(None, (x.strip() for x in text.splitlines())):
            key, sep, n = line.rpartition("=")
            if not sep or not n.strip().isdigit():
                self.add_error("fixed", _("{line} should look like STRATUM=20").format(line=repr(line)))
                continue
            fixed[key.strip()] = int(n)
        return fixed


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV (comma, semicolon or tab separated) or XLSX; the first "
                                                         "row holds the column names."))
    encoding = forms.ChoiceField(label=_("Encoding"), choices=[
        ("auto", _("automatic (UTF-8 with or without BOM, else Latin-1)")), ("utf-8", "UTF-8"),
        ("latin-1", "Latin-1 / Windows-1252")])
    decimal = forms.ChoiceField(label=_("Decimal mark"), choices=[
        ("auto", _("automatic")), (",", _("comma: 1.234.567,89")), (".", _("point: 1,234,567.89"))])
    turnover_multiplier = forms.DecimalField(label=_("Turnover multiplier"), initial=Decimal(1),
                                             min_value=Decimal("0.000001"),
                                             help_text=_("1000 when the file gives turnover in thousands of EUR"))
    source = forms.CharField(label=_("Source"), required=False, max_length=100,
                             help_text=_("Stored with each firm, e.g. AIDA-2016"))
    default_country = forms.CharField(required=False, max_length=2, label=_("Country when the file has none"),
                                      help_text=_("ISO code, e.g. IT; used when neither a country column nor a known "
                                                  "province or region gives it"))
    default_language = forms.ChoiceField(required=False, label=_("Language when the file has none"),
                                         help_text=_("used when neither a language column nor the country gives it"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_language"].choices = [("", "—")] + list(settings.LANGUAGES)

    def clean_default_country(self):
        value = self.cleaned_data["default_country"].strip().upper()
        if value and not (len(value) == 2 and value.isalpha()):
            raise forms.ValidationError(_("Give a two-letter country code such as IT or ES."))
        return value

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt", ".tsv", ".xlsx", ".xlsm")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload

    def options(self) -> dict:
        data = self.cleaned_data
        return {"encoding": data["encoding"], "decimal": data["decimal"],
                "turnover_multiplier": str(data["turnover_multiplier"]), "source": data["source"],
                "default_language": data["default_language"], "default_country": data["default_country"]}


def mapping_form_class(columns: list[str]) -> type[forms.Form]:
    """One choice per file column: a firm field, an attribute kept for sampling, or ignore."""
    fields = {}
    for index, column in enumerate(columns):
        choices = [("", "—")] + [(f, f) for f in FIELDS] + [
            (f"attributes.{attribute_key(column)}", _("attribute “{name}”").format(name=attribute_key(column))),
            ("ignore", _("ignore"))]
        fields[f"col{index}"] = forms.ChoiceField(choices=choices, required=False,
                                                  label=column or _("column {n}").format(n=index))
    fields["accept_valid"] = forms.BooleanField(required=False, label=_("Import the valid rows even if some rows "
                                                                        "have errors"))
    return type("MappingForm", (forms.Form,), fields)


def mapping_initial(columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    return {f"col{i}": mapping.get(c, f"attributes.{attribute_key(c)}") for i, c in enumerate(columns)}


def mapping_from(form: forms.Form, columns: list[str]) -> dict[str, str]:
    return {c: form.cleaned_data.get(f"col{i}") or "ignore" for i, c in enumerate(columns)}


class MessageTemplateForm(forms.Form):
    """A wave's wording of one kind of e-mail: placeholders are checked here, so a typo is a form error."""

    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(label=_("Text"), max_length=BODY_MAX, strip=False,
                           widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean(self):
        data = super().clean()
        if "subject" in data and "body" in data:
            for name, problems in placeholders_check(kind=self.kind, subject=data["subject"],
                                                     body=data["body"]).items():
                for problem in problems:
                    self.add_error(name, problem)
        return data
