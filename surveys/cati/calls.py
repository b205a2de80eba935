"""Telephone fieldwork: the call list, call attempts, case locks, interviews on the firm's behalf.

The interviewer answers the firm's own Response through the same save service as the web
(mode "cati", don't know / refused allowed, edits audited), so a case can move between web and
telephone at any page; the revision check keeps either side from overwriting the other unseen.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop  # outcome labels are stored, translated where shown

from surveys.answering.audit import answer_edit_record
from surveys.answering.saves import response_submit
from surveys.fieldwork.quotas import quota_cells_full
from surveys.fieldwork.sequential import WEB_COMPLETE
from surveys.models import CallAttempt, CatiCase, Invitation, OutcomeCode, Response

DUE_AHEAD = dt.timedelta(minutes=10)  # an appointment this close is already on the "call now" list


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    aapor_code: str
    callback_minutes: int
    retry: bool
    contacted: bool
    needs_appointment: bool = False
    offered: bool = True


# Modelled on the outcome tables of established CATI systems (queXS, Blaise): each outcome carries
# its AAPOR disposition, a default call-back delay and whether to try again. The firm is the
# sampled unit (a list sample), so a wrong number leaves its eligibility unknown (3.90), not 4.x.
DEFAULT_OUTCOMES = [
    Outcome("no-answer", gettext_noop("No answer"), "3.13", 180, True, False),
    Outcome("busy", gettext_noop("Busy"), "3.12", 15, True, False),
    Outcome("answering-machine", gettext_noop("Answering machine or voicemail"), "3.14", 240, True, False),
    Outcome("not-available", gettext_noop("Firm reached, contact person not available"), "2.21", 240, True, True),
    Outcome("appointment", gettext_noop("Appointment: call back at the agreed date and time"), "2.21", 0, True, True,
            needs_appointment=True),
    Outcome("partial", gettext_noop("Interview interrupted, to be continued (partial)"), "1.2", 1440, True, True),
    Outcome("soft-refusal", gettext_noop("Soft refusal: try again in a week"), "2.11", 10080, True, True),
    Outcome("refusal", gettext_noop("Refusal: do not call again"), "2.11", 0, False, True),
    Outcome("language", gettext_noop("Language barrier"), "2.33", 0, False, True),
    Outcome("wrong-number", gettext_noop("Wrong or disconnected number"), "3.90", 0, False, False),
    Outcome("out-of-scope", gettext_noop("Firm closed or out of scope"), "4.10", 0, False, True),
    Outcome("complete", gettext_noop("Complete interview"), "1.1", 0, False, True, offered=False),
    Outcome("quota-full", gettext_noop("Screened out: the firm's quota cell is full"), "4.80", 0, False, True,
            offered=False),
    Outcome(**WEB_COMPLETE),  # set when the firm answers on the web (surveys.fieldwork.sequential)
]
COMPLETE, QUOTA_FULL = "complete", "quota-full"


class CaseLocked(Exception):
    def __init__(self, case: CatiCase):
        self.case = case
        super().__init__(f"case {case.pk} is locked by {case.locked_by} until {case.locked_until}")


class CaseClosed(Exception):
    pass


# ------------------------------------------------------------------ outcome codes and cases
def outcome_codes_install(*, model=OutcomeCode) -> int:
    """Create the default outcome codes that are missing (codes staff edited are left alone)."""
    created = 0
    for position, o in enumerate(DEFAULT_OUTCOMES):
        _code, new = model.objects.get_or_create(code=o.code, defaults={
            "label": o.label, "aapor_code": o.aapor_code, "callback_minutes": o.callback_minutes, "retry": o.retry,
            "contacted": o.contacted, "needs_appointment": o.needs_appointment, "offered": o.offered,
            "position": position})
        created += new
    return created


@transaction.atomic
def cati_cases_open(*, invitations, interviewer=None) -> int:
    """Put invitations on the telephone list (once), optionally assigned to an interviewer."""
    ids = set(Invitation.objects.filter(pk__in=[i.pk for i in invitations]).values_list("pk", flat=True))
    ids -= set(CatiCase.objects.filter(invitation_id__in=ids).values_list("invitation_id", flat=True))
    now = timezone.now()
    CatiCase.objects.bulk_create([CatiCase(invitation_id=pk, interviewer=interviewer,
                                           assigned_at=now if interviewer else None) for pk in sorted(ids)])
    return len(ids)


def cati_cases_assign(*, cases, interviewer) -> int:
    return CatiCase.objects.filter(pk__in=[c.pk for c in cases]).update(
        interviewer=interviewer, assigned_at=timezone.now() if interviewer else None)


def cati_cases_distribute(*, wave, interviewers: list) -> int:
    """Open every unsubmitted case of a wave and deal them round robin to the interviewers."""
    invitations = list(wave.invitations.exclude(response__status=Response.Status.SUBMITTED).order_by("pk"))
    cati_cases_open(invitations=invitations)
    cases = list(CatiCase.objects.filter(invitation__wave=wave, closed=False, interviewer__isnull=True).order_by("pk"))
    for n, interviewer in enumerate(interviewers):
        cati_cases_assign(cases=cases[n::len(interviewers)], interviewer=interviewer)
    return len(cases)


# ------------------------------------------------------------------ the call list
def call_list(*, user, now: dt.datetime | None = None) -> dict[str, list[CatiCase]]:
    """The user's open cases: those to call now (appointments first, then fewest attempts) and later ones."""
    now = now or timezone.now()
    # cases a full quota cell closed, or whose answers put them in a full cell, are not called
    cases = (CatiCase.objects.filter(interviewer=user, closed=False)
             .exclude(invitation__response__status=Response.Status.SUBMITTED)
             .exclude(invitation__response__screened_out_at__isnull=False)
             .exclude(invitation__response__quota_cells__in=quota_cells_full())
             .select_related("invitation__firm", "invitation__wave", "invitation__response", "last_outcome",
                             "locked_by"))
    due = Q(next_call_at__isnull=True) | Q(next_call_at__lte=now + DUE_AHEAD)
    return {
        "due": list(cases.filter(due).order_by(F("appointment_at").asc(nulls_last=True), "attempts",
                                               F("next_call_at").asc(nulls_first=True), "pk")),
        "later": list(cases.exclude(due).order_by("next_call_at", "pk")),
    }


# ------------------------------------------------------------------ locks
def case_lock(*, case_id: int, user, now: dt.datetime | None = None) -> CatiCase:
    """Take (or renew) the case for `user`; CaseLocked while another user's lock runs."""
    now = now or timezone.now()
    until = now + dt.timedelta(minutes=settings.CATI_LOCK_MINUTES)
    held = CatiCase.objects.select_related("locked_by").get(pk=case_id)
    if held.locked_by_id == user.pk and held.locked_until and held.locked_until > now + (until - now) / 2:
        return held  # renewed recently: no write on every page view
    free = Q(locked_by__isnull=True) | Q(locked_by=user) | Q(locked_until__lte=now)
    # a renewal keeps the moment the call began (the call's duration is measured from it)
    began = Case(When(locked_by=user, locked_until__gt=now, locked_at__isnull=False, then=F("locked_at")),
                 default=Value(now), output_field=DateTimeField())
    taken = CatiCase.objects.filter(free, pk=case_id).update(locked_by=user, locked_until=until,
                                                              locked_at=began)  # compare-and-set
    case = CatiCase.objects.select_related("locked_by").get(pk=case_id)
    if taken != 1:
        raise CaseLocked(case)
    return case


def case_unlock(*, case_id: int, user, force: bool = False) -> bool:
    """Release the case; `force` (supervisors) releases another user's lock."""
    cases = CatiCase.objects.filter(pk=case_id)
    if not force:
        cases = cases.filter(locked_by=user)
    return cases.update(locked_by=None, locked_until=None, locked_at=None) == 1


def _case_for_update(case_id: int, user, now: dt.datetime) -> CatiCase:
    case = (CatiCase.objects.select_for_update(of=("self",))  # not the nullable joined rows
            .select_related("invitation__firm", "locked_by").get(pk=case_id))
    if case.is_locked_for(user, now):
        raise CaseLocked(case)
    if case.closed:
        raise CaseClosed(_("this case is closed"))
    return case


# ------------------------------------------------------------------ calls and interviews
@transaction.atomic
def call_attempt_record(*, case_id: int, user, outcome: OutcomeCode, appointment_at: dt.datetime | None = None,
                        note: str = "", now: dt.datetime | None = None) -> CallAttempt:
    """Log a call: schedule the next one from the appointment or the outcome's delay; release the case."""
    now = now or timezone.now()
    case = _case_for_update(case_id, user, now)
    if outcome.needs_appointment and appointment_at is None:
        raise ValidationError(_("This outcome needs the date and time of the appointment."), code="appointment")
    if appointment_at is not None and appointment_at <= now:
        raise ValidationError(_("The appointment must be in the future."), code="appointment_past")
    attempt = CallAttempt.objects.create(case=case, interviewer=user, outcome=outcome, called_at=now,
                                         number=case.invitation.firm.phone, appointment_at=appointment_at, note=note,
                                         duration_seconds=call_seconds(case, user, now))
    _case_after_call(case, outcome, now, appointment_at)
    return attempt


def call_seconds(case: CatiCase, user, now: dt.datetime) -> int | None:
    """How long the user held the case for this call (None: not locked by them, so unknown)."""
    if case.locked_by_id != user.pk or case.locked_at is None:
        return None
    seconds = (now - case.locked_at).total_seconds()
    return int(min(max(0.0, seconds), settings.CATI_CALL_CAP_MINUTES * 60))


def _case_after_call(case: CatiCase, outcome: OutcomeCode, now: dt.datetime, appointment_at=None) -> None:
    case.attempts += 1
    case.last_outcome, case.last_called_at, case.appointment_at = outcome, now, appointment_at
    case.next_call_at = appointment_at or now + dt.timedelta(minutes=outcome.callback_minutes)
    case.closed = not outcome.retry or (appointment_at is None and case.attempts >= settings.CATI_MAX_ATTEMPTS)
    case.locked_by, case.locked_until, case.locked_at = None, None, None  # the call is over
    case.save(update_fields=["attempts", "last_outcome", "last_called_at", "appointment_at", "next_call_at",
                             "closed", "locked_by", "locked_until", "locked_at"])


def cati_interview_start(*, case_id: int, user) -> CatiCase:
    """Lock the case for the interview; CaseClosed when the questionnaire was already submitted."""
    case = case_lock(case_id=case_id, user=user)
    if Response.objects.filter(invitation__cati=case, status=Response.Status.SUBMITTED).exists():
        case_unlock(case_id=case_id, user=user)
        raise CaseClosed(_("the questionnaire has already been submitted"))
    return case


@transaction.atomic
def cati_interview_submit(*, case_id: int, user, now: dt.datetime | None = None) -> Response:
    """Submit the interview (Incomplete names the page to fix), log the completing call, close the case."""
    now = now or timezone.now()
    case = _case_for_update(case_id, user, now)
    response, submitted = response_submit(response_id=case.invitation.response.pk)
    if submitted:
        answer_edit_record(response=response, actor=user, before=response.answers, after=response.answers,
                           module_code="", mode=response.mode, action="submit")
    code = QUOTA_FULL if response.screened_out_at else COMPLETE
    outcome = OutcomeCode.objects.filter(code=code).first()
    if outcome is None:
        outcome_codes_install()
        outcome = OutcomeCode.objects.get(code=code)
    CallAttempt.objects.create(case=case, interviewer=user, outcome=outcome, called_at=now,
                               number=case.invitation.firm.phone, duration_seconds=call_seconds(case, user, now))
    _case_after_call(case, outcome, now)
    return response
