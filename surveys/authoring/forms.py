"""Forms of the authoring screens: they clean input and return typed values for the services."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.authoring.definitions import MAX_SOURCE_BYTES
from surveys.authoring.services import PREFILL_FIELDS
from surveys.models import MailingPlan, Wave, WaveSettings


class UploadForm(forms.Form):
    file = forms.FileField(help_text="An XLSX workbook (sheets survey, choices, settings, …) or a YAML definition.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SOURCE_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB.")
        return upload


class WaveOpenForm(forms.Form):
    code = forms.SlugField(max_length=40, help_text="Short code, e.g. 2025-spring.")
    title = forms.CharField(max_length=200, required=False)
    opens_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class WaveSettingsForm(forms.Form):
    languages = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                          help_text="None ticked: every language of the questionnaire.")
    contact_name = forms.CharField(max_length=200, required=False, label="Contact person",
                                   help_text="Named in invitations and reminders for questions about the survey.")
    contact_email = forms.EmailField(required=False, label="Contact e-mail", help_text="Reply-To of the e-mails.")
    reminder_days = forms.CharField(required=False, max_length=100, initial="7, 14",
                                    help_text="Days after the invitation for reminder 1, 2, … (at most 5).")
    reminders_enabled = forms.BooleanField(required=False, initial=True, label="Send reminders automatically")
    prefill = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              label="Register pre-fill",
                              help_text="One line per item: ITEM = register field, e.g. “S2 = employees”. "
                                        f"Fields: {', '.join(PREFILL_FIELDS)}.")
    sequential_mode = forms.BooleanField(
        required=False, label=_("Sequential mixed mode: web first, then telephone"),
        help_text=_("Cases with no web response are put on the telephone call list by themselves."))
    web_days_before_phone = forms.IntegerField(
        required=False, min_value=1, max_value=365, initial=14, label=_("Days on the web before the telephone"),
        help_text=_("Days without a web response before a case goes to the call list."))
    phone_after_last_reminder = forms.BooleanField(
        required=False, label=_("Count the days from the last reminder"),
        help_text=_("Otherwise the days count from the invitation."))

    def __init__(self, *args, wave: Wave, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].choices = [(lang, lang) for lang in wave.version.languages]

    def clean_reminder_days(self) -> list[int]:
        text = self.cleaned_data["reminder_days"].replace(";", ",")
        try:
            days = [int(d) for d in text.split(",") if d.strip()]
        except ValueError:
            raise forms.ValidationError("Whole numbers of days, separated by commas.") from None
        if len(days) > 5 or any(d < 1 or d > 365 for d in days) or days != sorted(set(days)):
            raise forms.ValidationError("At most 5 increasing numbers of days between 1 and 365.")
        return days

    def clean_web_days_before_phone(self) -> int:
        days = self.cleaned_data["web_days_before_phone"]
        return 14 if days is None else days  # left empty: the model's default

    def clean_prefill(self) -> dict[str, str]:
        mapping = {}
        for n, line in enumerate(self.cleaned_data["prefill"].splitlines(), start=1):
            if not line.strip():
                continue
            item, sep, field = line.partition("=")
            if not sep or not item.strip() or not field.strip():
                raise forms.ValidationError(f"Line {n}: write ITEM = field.")
            mapping[item.strip()] = field.strip()
        return mapping


def wave_settings_initial(wave: Wave) -> dict:
    settings = WaveSettings.objects.filter(wave=wave).first()
    plan = MailingPlan.objects.filter(wave=wave).first()
    initial = {"reminder_days": ", ".join(str(d) for d in (plan.reminder_days if plan else [7, 14])),
               "reminders_enabled": plan.reminders_enabled if plan else True}
    if settings:
        initial.update(languages=settings.languages, contact_name=settings.contact_name,
                       contact_email=settings.contact_email, sequential_mode=settings.sequential_mode,
                       web_days_before_phone=settings.web_days_before_phone,
                       phone_after_last_reminder=settings.phone_after_last_reminder,
                       prefill="\n".join(f"{item} = {field}" for item, field in settings.prefill.items()))
    return initial
