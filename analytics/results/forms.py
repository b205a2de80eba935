"""The dashboard's scope picker: wave, district, industry, size class, mode, grouping variable."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.reports import default_group, filter_columns
from surveys.models import Questionnaire, Response

ANY = [("", gettext_lazy("All"))]
FILTER_LABELS = {"district": gettext_lazy("District"), "industry": gettext_lazy("Industry"),
                 "size": gettext_lazy("Size"), "mode": gettext_lazy("Mode")}
GROUPABLE_MAX = 20  # grouping variables with at most this many labelled values


def _labels(variable) -> list[tuple[str, str]]:
    return [(str(code), (label or {}).get("en") or str(code)) for code, label in variable.value_labels.items()]


class ScopeForm(forms.Form):
    wave = forms.ChoiceField(label=gettext_lazy("Wave"), required=False)
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), required=False, choices=ANY + list(Response.Mode.choices))
    group = forms.ChoiceField(required=False, label=gettext_lazy("Group by"))

    def __init__(self, data=None, *, questionnaire: Questionnaire, meta: dict):
        super().__init__(data)
        self.questionnaire = questionnaire
        self.fields["wave"].choices = ANY + [(w.code, w.title or w.code) for w in questionnaire.waves.all()]
        self.named = {name: column for name, column in filter_columns(questionnaire.code).items()
                      if name != "mode" and column in meta}
        for name, column in self.named.items():
            self.fields[name] = forms.ChoiceField(required=False, choices=ANY + _labels(meta[column]),
                                                  label=FILTER_LABELS.get(name, name.capitalize()))
        default = default_group(questionnaire.code)
        groupable = [(v.name, f"{v.name} {(v.label or {}).get('en', '')}"[:70]) for v in meta.values()
                     if v.value_labels and len(v.value_labels) <= GROUPABLE_MAX and v.role in ("value", "derived")]
        default_choice = ("", _("Default ({variable})").format(variable=default or _("none")))
        self.fields["group"].choices = [default_choice] + groupable
        self.order_fields(["wave", *self.named, "mode", "group"])

    def filters(self) -> dict[str, list[str]]:
        """{filter name: [value]} of the fields that are set (valid form)."""
        names = ["wave", *self.named, "mode"]
        return {name: [self.cleaned_data[name]] for name in names if self.cleaned_data.get(name)}
