"""Sequential mixed mode: web first, then the telephone call list (a wave setting, WaveSettings).

A case of a wave in sequential mode that has not answered on the web N days after its invitation
(or after its last reminder, if the wave says so) is put on the telephone call list by itself
(CatiCase, origin "sequential"); a web submission takes it off again, its case closed with the
disposition "complete on the web" (AAPOR 1.1). Cases never moved: submitted, opted out or refused
(any OptOut, staff-recorded refusals included), screened out by a quota, already on the list,
without a telephone number (nothing to dial), or in a wave that is not open.

A case whose e-mail bounced, or whose firm has no e-mail address, moves at the next run: the web
cannot reach it, so waiting N days would only lose fieldwork time.

`sequential_switch` is idempotent: the one-to-one invitation on CatiCase and `ignore_conflicts`
keep a second run (beat and a manual run at once) from opening a case twice.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop  # stored as an outcome label, translated where shown

from surveys.fieldwork.mailing import SENT_LIKE, reminder_days, reminder_kind
from surveys.models import CatiCase, Invitation, MailingPlan, Message, OutcomeCode, Response, Wave, WaveSettings

WEB_COMPLETE = {"code": "complete-web", "label": gettext_noop("Completed on the web (taken off the call list)"),
                "aapor_code": "1.1", "callback_minutes": 0, "retry": False, "contacted": True, "offered": False}


def phone_due_at(*, invited_at: dt.datetime | None, last_reminder_at: dt.datetime | None,
                 web_reachable: bool, days: int, after_last_reminder: bool,
                 now: dt.datetime) -> dt.datetime | None:
    """When a web non-respondent goes to the telephone list (None: not yet known).

    `last_reminder_at`: when the plan's last reminder went to this case (None: not sent yet).
    """
    if not web_reachable:
        return now
    anchor = last_reminder_at if after_last_reminder else invited_at
    return anchor + dt.timedelta(days=days) if anchor else None


def _message_facts(wave: Wave, last_kind: str | None) -> dict[int, dict]:
    facts: dict[int, dict] = {}
    rows = Message.objects.filter(invitation__wave=wave, status__in=SENT_LIKE).values_list(
        "invitation_id", "kind", "sent_at", "bounced_at")
    for invitation_id, kind, sent_at, bounced_at in rows:
        case = facts.setdefault(invitation_id, {"invited_at": None, "last_reminder_at": None, "bounced": False})
        case["bounced"] |= bounced_at is not None
        if kind == Message.Kind.INVITATION:
            case["invited_at"] = sent_at
        elif kind == last_kind:
            case["last_reminder_at"] = sent_at
    return facts


def _last_reminder_kind(wave: Wave) -> str | None:
    """The kind of the plan's last reminder; None when reminders are off (the days count from the invitation)."""
    plan = MailingPlan.objects.filter(wave=wave).first()
    if plan is not None and not plan.reminders_enabled:
        return None
    days = reminder_days(wave)
    return reminder_kind(len(days)) if days else None


def sequential_candidates(wave: Wave):
    """Cases that may still move: not answered, not refused, not on the list yet, with a number to call."""
    return (Invitation.objects.filter(wave=wave, cati__isnull=True, opt_out__isnull=True)
            .exclude(response__status=Response.Status.SUBMITTED)
            .exclude(response__screened_out_at__isnull=False)
            .exclude(firm__phone=""))


def sequential_due(*, wave: Wave, config: WaveSettings, now: dt.datetime) -> list[int]:
    """The invitation ids to move now."""
    last_kind = _last_reminder_kind(wave) if config.phone_after_last_reminder else None
    facts = _message_facts(wave, last_kind)
    due = []
    for invitation_id, email in sequential_candidates(wave).values_list("pk", "firm__email"):
        case = facts.get(invitation_id, {"invited_at": None, "last_reminder_at": None, "bounced": False})
        at = phone_due_at(invited_at=case["invited_at"], last_reminder_at=case["last_reminder_at"],
                          web_reachable=bool(email) and not case["bounced"], days=config.web_days_before_phone,
                          after_last_reminder=last_kind is not None, now=now)
        if at is not None and at <= now:
            due.append(invitation_id)
    return due


@transaction.atomic
def sequential_switch(*, wave: Wave, now: dt.datetime | None = None) -> int:
    """Put the wave's due web non-respondents on the telephone call list; returns how many moved."""
    now = now or timezone.now()
    config = WaveSettings.objects.filter(wave=wave, sequential_mode=True).first()
    if config is None or not wave.is_open(now):
        return 0
    _close_answered(wave)
    due = sequential_due(wave=wave, config=config, now=now)
    created = CatiCase.objects.bulk_create(
        [CatiCase(invitation_id=pk, origin=CatiCase.Origin.SEQUENTIAL) for pk in due], ignore_conflicts=True)
    return len(created)


def _close_answered(wave: Wave) -> None:
    """Close moved cases whose firm submitted on the web anyway: a submission committed while an earlier
    run was reading its candidates found no case to close; this run closes it."""
    answered = CatiCase.objects.filter(invitation__wave=wave, origin=CatiCase.Origin.SEQUENTIAL, closed=False,
                                       invitation__response__status=Response.Status.SUBMITTED,
                                       invitation__response__mode=Response.Mode.WEB)
    for invitation_id in answered.values_list("invitation_id", flat=True):
        call_list_leave_on_web(invitation_id=invitation_id)


def sequential_switch_all(*, now: dt.datetime | None = None) -> dict[int, int]:
    """Run the switch for every wave in sequential mode: {wave id: cases moved}."""
    now = now or timezone.now()
    waves = Wave.objects.filter(settings__sequential_mode=True)
    return {wave.pk: sequential_switch(wave=wave, now=now) for wave in waves}


def sequential_status(wave: Wave) -> dict | None:
    """What the tracking page says about the design (None: the wave is not in sequential mode)."""
    config = WaveSettings.objects.filter(wave=wave, sequential_mode=True).first()
    if config is None:
        return None
    moved = CatiCase.objects.filter(invitation__wave=wave, origin=CatiCase.Origin.SEQUENTIAL)
    return {"days": config.web_days_before_phone, "after_last_reminder": config.phone_after_last_reminder,
            "moved": moved.count(), "open": moved.filter(closed=False).count(),
            "web_completes": moved.filter(last_outcome__code=WEB_COMPLETE["code"]).count()}


def call_list_leave_on_web(*, invitation_id: int) -> bool:
    """A web submission closes the case's open telephone case (one UPDATE when there is none to close)."""
    closed = CatiCase.objects.filter(invitation_id=invitation_id, closed=False).update(
        closed=True, next_call_at=None, appointment_at=None, locked_by=None, locked_until=None)
    if not closed:
        return False
    outcome, _ = OutcomeCode.objects.get_or_create(code=WEB_COMPLETE["code"], defaults={
        k: v for k, v in WEB_COMPLETE.items() if k != "code"})
    CatiCase.objects.filter(invitation_id=invitation_id).update(last_outcome=outcome)
    return True
