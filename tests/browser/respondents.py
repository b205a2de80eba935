"""Cases for the respondent detail and accessibility tests: a firm invited in a language, with answers so far."""
from __future__ import annotations

import random

from django.urls import reverse
from django.utils import timezone

from surveys.answering.generate import answers_generate
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Firm, Questionnaire, Response
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.validation import applicable_keys

INSTRUMENT_A, INSTRUMENT_B = "italian-districts-2016", "basque-digital-2019"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def answers_showing(spec, key: str) -> dict:
    """Generated, valid answers under which skip logic shows `key` (a page or row the test needs)."""
    for seed in range(200):
        answers = answers_generate(spec, random.Random(seed))
        if any(k == key or k.startswith(key + ".") for k in applicable_keys(spec, answers)):
            return answers
    raise AssertionError(f"no generated answers show {key}")


class Case:
    def __init__(self, base: str, code: str, language: str, identifier: str):
        questionnaire = Questionnaire.objects.get(code=code)
        firm = Firm.objects.create(identifier=identifier, name=f"Impresa {identifier}", language=language)
        invitation, self.token, _ = invitation_issue(wave=wave_default(questionnaire=questionnaire), firm=firm,
                                                     language=language)
        self.response, self.base = invitation.response, base
        self.spec = spec_for_version(self.response.version)

    def url(self, name: str, **kwargs) -> str:
        return self.base + reverse(f"surveys:{name}", kwargs={"token": self.token, **kwargs})

    def page(self, item_code: str) -> str:
        return self.url("page", module=self.spec.items[item_code].module)

    def answered(self, key: str, status: str = Response.Status.STARTED, **extra) -> Case:
        """Store answers that show `key` (the page's earlier questions answered), optionally submitted."""
        answers = {**answers_showing(self.spec, key), **extra}
        fields = {"answers": answers, "status": status, "current_module": self.spec.modules[-1].code}
        if status == Response.Status.SUBMITTED:
            fields["submitted_at"] = timezone.now()
        Response.objects.filter(pk=self.response.pk).update(**fields)
        return self

    def fresh(self) -> Response:
        self.response.refresh_from_db()
        return self.response
