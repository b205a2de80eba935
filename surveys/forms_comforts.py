"""Forms of the respondent's welcome page: register data to confirm, a colleague to pass the link to."""
from __future__ import annotations

from django import forms
from django.utils import timezone

from surveys.answering.comforts import REGISTER_KINDS, register_initial, register_item
from surveys.models import CaseEvent, Invitation
from surveys.models.i18n import pick
from surveys.questionnaire.spec import Spec
from surveys.questionnaire.texts import t


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
