"""Forms of the data pages: an export request and an import upload. They only clean input."""
from django import forms
from django.utils.translation import gettext_lazy as _

from analytics.data.export.options import FORMATS, MODES, STATUSES, ExportOptions
from analytics.data.export.paradata import FORMATS as PARADATA_FORMATS


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS])
    waves = forms.MultipleChoiceField(label=_("Waves"), required=False, widget=forms.CheckboxSelectMultiple,
                                      help_text=_("None ticked: every wave."))
    statuses = forms.MultipleChoiceField(choices=[(s, s) for s in STATUSES], initial=["submitted"], required=False,
                                         widget=forms.CheckboxSelectMultiple, label=_("Final disposition"),
                                         help_text=_("None ticked: every case."))
    modes = forms.MultipleChoiceField(label=_("Modes"), choices=[(m, m) for m in MODES], required=False,
                                      widget=forms.CheckboxSelectMultiple)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("Submitted from"))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            label=_("Submitted before"))
    labels = forms.BooleanField(label=_("Labels"), required=False,
                                help_text=_("Value labels instead of codes (CSV, XLSX, Parquet)."))
    language = forms.ChoiceField(label=_("Language"), choices=[("en", "English")])
    raw = forms.BooleanField(required=False, label=_("Raw"),
                             help_text=_("Leave items off the skip path empty instead of -7 (not applicable)."))
    values = forms.ChoiceField(choices=[("edited", _("Edited values (as published)")),
                                        ("raw", _("Raw values (as the firms answered)"))], initial="edited",
                               required=False, widget=forms.RadioSelect, label=_("Values"),
                               help_text=_("Edited: the data editors' corrections applied (docs/editing.md)."))
    no_free_text = forms.BooleanField(required=False, label=_("Leave out free text"))
    include_identifiers = forms.BooleanField(required=False, label=_("Include firm identifiers and contacts"),
                                             help_text=_("Only for roles allowed to see them."))

    def __init__(self, *args, waves=(), languages=("en",), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["waves"].choices = [(w, w) for w in waves]
        self.fields["language"].choices = [(lang, lang) for lang in languages]

    def options(self) -> ExportOptions:
        d = self.cleaned_data
        return ExportOptions(format=d["format"], waves=tuple(d["waves"]), statuses=tuple(d["statuses"]),
                             modes=tuple(d["modes"]), since=d["since"], until=d["until"], labels=d["labels"],
                             language=d["language"], clean=not d["raw"], free_text=not d["no_free_text"],
                             include_identifiers=d["include_identifiers"], values=d["values"] or "edited")


class ParadataForm(forms.Form):
    """The paradata download: pages, calls and burden in one zip (analytics.data.export.paradata)."""

    format = forms.ChoiceField(choices=[(f, f.upper()) for f in PARADATA_FORMATS], label=_("Format"))
    waves = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label=_("Waves"),
                                      help_text=_("None ticked: every wave."))

    def __init__(self, *args, waves=(), **kwargs):
        super().__init__(*args, prefix="paradata", **kwargs)
        self.fields["waves"].choices = [(w, w) for w in waves]

    def options(self) -> ExportOptions:
        d = self.cleaned_data
        return ExportOptions(format=d["format"], waves=tuple(d["waves"]), statuses=(), extra={"dataset": "paradata"})


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV (UTF-8) or XLSX in the export layout."))
    wave = forms.ChoiceField(label=_("Wave"), required=False, help_text=_("For files without a 'wave' column."))
    valid_only = forms.BooleanField(required=False, label=_("Import the valid rows even if others have problems"))

    def __init__(self, *args, waves=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].choices = [("", _("current wave"))] + [(w, w) for w in waves]
