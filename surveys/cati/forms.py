"""The interviewer's call form: how the call ended, the appointment if one was made, a note."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.models import OutcomeCode


class CallAttemptForm(forms.Form):
    outcome = forms.ModelChoiceField(queryset=OutcomeCode.objects.filter(offered=True), widget=forms.RadioSelect,
                                     empty_label=None, label=_("How did the call end?"))
    appointment_at = forms.DateTimeField(
        required=False, label=_("Appointment (date and time)"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Required for an appointment; optional for an interrupted interview."))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        outcome, when = data.get("outcome"), data.get("appointment_at")
        if outcome and outcome.needs_appointment and when is None:
            self.add_error("appointment_at", _("Give the date and time agreed for the call-back."))
        if when is not None and when <= timezone.now():
            self.add_error("appointment_at", _("The appointment must be in the future."))
        return data
