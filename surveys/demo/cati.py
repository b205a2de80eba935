"""Demo telephone fieldwork for `make run`: roles, demo users, a call list with some calls (idempotent)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from surveys.accounts.roles import ANALYST, EDITOR, FIELDWORK, INTERVIEWER, role_assign, roles_install
from surveys.cati.calls import call_attempt_record, cati_cases_open, outcome_codes_install
from surveys.fieldwork.invitations import wave_default
from surveys.models import CallAttempt, CatiCase, Invitation, OutcomeCode, Questionnaire, ReferenceEntry, Response

QUESTIONNAIRE = "italian-districts-2016"
FIRM_PREFIX = "IT-DEMO-"  # the demo command's firms of instrument A
CASES = 12
# (role, username, password): a local sandbox only.
USERS = [(INTERVIEWER, "interviewer1", "interviewer1"), (INTERVIEWER, "interviewer2", "interviewer2"),
         (FIELDWORK, "staff", "staff"), (ANALYST, "analyst", "analyst"), (EDITOR, "editor", "editor")]
# Calls already made on the first cases: (case index, outcome code, hours ago, appointment in hours or None).
CALLS = [(0, "no-answer", 5, None), (1, "busy", 1, None), (2, "appointment", 3, 20), (3, "refusal", 26, None),
         (4, "answering-machine", 30, None), (4, "not-available", 4, None), (5, "partial", 2, 1)]


def users_ensure() -> list[tuple[str, str, str]]:
    users = get_user_model().objects
    for role, username, password in USERS:
        user, created = users.get_or_create(username=username, defaults={"email": f"{username}@demo.example"})
        if created:
            user.set_password(password)
            user.save()
        role_assign(user=user, role=role)
    return [(role, username, password) for role, username, password in USERS]


def _cases(questionnaire: Questionnaire) -> list[CatiCase]:
    wave = wave_default(questionnaire=questionnaire)
    invitations = list(Invitation.objects.filter(wave=wave, firm__identifier__startswith=FIRM_PREFIX)
                       .exclude(response__status=Response.Status.SUBMITTED).select_related("firm")
                       .order_by("firm__identifier")[:CASES])
    districts = list(ReferenceEntry.objects.filter(reference_list__code="DISTRICT").order_by("position")
                     .values_list("attributes__key", flat=True))
    for n, invitation in enumerate(invitations):  # phone numbers and districts for the call list and A0.1
        firm = invitation.firm
        type(firm).objects.filter(pk=firm.pk, phone="").update(phone=f"+39 0422 55{n:04d}")
        if districts:
            type(firm).objects.filter(pk=firm.pk, district="").update(district=districts[n % len(districts)])
    interviewers = list(get_user_model().objects.filter(username__in=["interviewer1", "interviewer2"])
                        .order_by("username"))
    for n, interviewer in enumerate(interviewers):
        cati_cases_open(invitations=invitations[n::len(interviewers)], interviewer=interviewer)
    return list(CatiCase.objects.filter(invitation__in=invitations).select_related("interviewer")
                .order_by("invitation__firm__identifier"))


def calls_ensure(cases: list[CatiCase]) -> int:
    if len(cases) <= max(index for index, *_ in CALLS) or CallAttempt.objects.filter(case__in=cases).exists():
        return 0
    now = timezone.now()
    for index, code, hours_ago, appointment_in in CALLS:
        case = cases[index]
        call_attempt_record(case_id=case.pk, user=case.interviewer, outcome=OutcomeCode.objects.get(code=code),
                            now=now - dt.timedelta(hours=hours_ago), note="demo call",
                            appointment_at=now + dt.timedelta(hours=appointment_in) if appointment_in else None)
    return len(CALLS)


def cati_demo_ensure() -> tuple[str, list[tuple[str, str, str]]]:
    """Roles, demo logins, and instrument A's demo firms on two interviewers' call lists."""
    roles_install()
    outcome_codes_install()
    logins = users_ensure()
    questionnaire = Questionnaire.objects.filter(code=QUESTIONNAIRE).first()
    if questionnaire is None or questionnaire.latest_version() is None:
        return f"telephone demo skipped: {QUESTIONNAIRE} is not loaded", logins
    cases = _cases(questionnaire)
    if not cases:
        return "telephone demo skipped: no demo invitations of instrument A", logins
    made = calls_ensure(cases)
    site = settings.SITE_URL.rstrip("/")
    return (f"telephone demo: {len(cases)} cases on the call lists, {made} new calls; interviewers sign in at "
            f"{site}/accounts/login/ and land on the call list {site}/cati/"), logins
