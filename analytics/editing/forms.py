"""Forms of the editing screens: they only clean input (the value itself is validated by the item's rules)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from analytics.models import ValueEdit

REASONS = [(code, label) for code, label in ValueEdit.Reason.choices]


class ValueEditForm(forms.Form):
    key = forms.ChoiceField(label=_("Answer"))
    value = forms.CharField(label=_("New value"), max_length=200, required=False,
                            help_text=_("As the questionnaire takes it: a number, a choice code, codes separated "
                                        "by commas for several choices. Empty removes the answer."))
    reason = forms.ChoiceField(label=_("Reason"), choices=REASONS)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [(k, k) for k in keys]


class AcceptForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=REASONS, initial=ValueEdit.Reason.VERIFIED)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
