"""Forms of the authoring screens: they clean input and return typed values for the services."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys.authoring.definitions import MAX_SOURCE_BYTES
from surveys.authoring.services import PREFILL_FIELDS
from surveys.models import MailingPlan, Wave, WaveSettings


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), help_text=gettext_lazy(
        "An XLSX workbook (sheets survey, choices, settings, …) or a YAML definition."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SOURCE_BYTES:
            megabytes = MAX_SOURCE_BYTES // (1024 * 1024)
            raise forms.ValidationError(_("The file is larger than {n} MB.").format(n=megabytes))
        return upload


class WaveOpenForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=40,
                           help_text=gettext_lazy("Short code, e.g. 2025-spring."))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens at"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes at"), required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class WaveSettingsForm(forms.Form):
    languages = forms.MultipleChoiceField(label=gettext_lazy("Languages"), required=False,
                                          widget=forms.CheckboxSelectMultiple,
                                          help_text=gettext_lazy("None ticked: every language of the questionnaire."))
    contact_name = forms.CharField(max_length=200, required=False, label=gettext_lazy("Contact person"),
                                   help_text=gettext_lazy("Named in invitations and reminders for questions about "
                                                          "the survey."))
    contact_email = forms.EmailField(required=False, label=gettext_lazy("Contact e-mail"),
                                     help_text=gettext_lazy("Reply-To of the e-mails."))
    reminder_days = forms.CharField(label=gettext_lazy("Reminder days"), required=False, max_length=100,
                                    initial="7, 14",
                                    help_text=gettext_lazy("Days after the invitation for reminder 1, 2, … (at most "
                                                           "5)."))
    reminders_enabled = forms.BooleanField(required=False, initial=True,
                                           label=gettext_lazy("Send reminders automatically"))
    prefill = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              label=gettext_lazy("Register pre-fill"))
    sequential_mode = forms.BooleanField(
        required=False, label=gettext_lazy("Sequential mixed mode: web first, then telephone"),
        help_text=gettext_lazy("Cases with no web response are put on the telephone call list by themselves."))
    web_days_before_phone = forms.IntegerField(
        required=False, min_value=1, max_value=365, initial=14,
        label=gettext_lazy("Days on the web before the telephone"),
        help_text=gettext_lazy("Days without a web response before a case goes to the call list."))
    phone_after_last_reminder = forms.BooleanField(
        required=False, label=gettext_lazy("Count the days from the last reminder"),
        help_text=gettext_lazy("Otherwise the days count from the invitation."))

    def __init__(self, *args, wave: Wave, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].choices = [(lang, lang) for lang in wave.version.languages]
        self.fields["prefill"].help_text = _("One line per item: ITEM = register field, e.g. “S2 = employees”. "
                                             "Fields: {fields}.").format(fields=", ".join(PREFILL_FIELDS))

    def clean_reminder_days(self) -> list[int]:
        text = self.cleaned_data["reminder_days"].replace(";", ",")
        try:
            days = [int(d) for d in text.split(",") if d.strip()]
        except ValueError:
            raise forms.ValidationError(_("Whole numbers of days, separated by commas.")) from None
        if len(days) > 5 or any(d < 1 or d > 365 for d in days) or days != sorted(set(days)):
            raise forms.ValidationError(_("At most 5 increasing numbers of days between 1 and 365."))
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
                raise forms.ValidationError(_("Line {n}: write ITEM = field.").format(n=n))
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
