"""Invitations and reminders by e-mail: queue one row per case and kind, send each exactly once.

Queueing is idempotent through the unique (invitation, kind) constraint. Sending claims the row
with a conditional UPDATE (queued -> sent) inside the same transaction that hands the e-mail to
the backend, and commits only after the backend accepted it. A worker killed before the commit
leaves the row queued (the database rolls the claim back with the dead connection) and the next
dispatch sends it; a second worker racing for the same row waits on the row lock, then finds it
no longer queued. The one window left is between the backend accepting the e-mail and the
commit (all writes are done before the hand-off, so only the COMMIT is left): a message sent
there goes again, with the same Message-ID header, which receiving systems use to drop copies.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from surveys.dispatch import enqueue
from surveys.fieldwork.emailtexts import WordingCache, message_kind
from surveys.fieldwork.invitations import invitation_issue, invitation_token
from surveys.models import Invitation, MailingPlan, Message, OptOut, Response, Sample, Selection, Wave
from surveys.models.questionnaire import version_heavy_fields

log = logging.getLogger(__name__)
SENT_LIKE = (Message.Status.SENT, Message.Status.BOUNCED)


def reminder_kind(number: int) -> str:
    return f"reminder{number}"


def reminder_days(wave: Wave) -> list[int]:
    plan = MailingPlan.objects.filter(wave=wave).first()
    return list(plan.reminder_days) if plan and plan.reminder_days else list(settings.FIELDWORK_REMINDER_DAYS)


# ------------------------------------------------------------------ queueing
@transaction.atomic
def invitations_queue(*, wave: Wave, sample: Sample | None = None) -> int:
    """Open a case for every selected firm of the wave's samples and queue its invitation e-mail.

    Safe to run again: existing cases and messages are kept, only what is missing is added.
    """
    selections = Selection.objects.filter(sample__wave=wave, invitation__isnull=True).select_related("firm")
    if sample is not None:
        selections = selections.filter(sample=sample)
    issued = []
    for selection in selections:
        selection.invitation, _, _ = invitation_issue(wave=wave, firm=selection.firm)
        issued.append(selection)
    Selection.objects.bulk_update(issued, ["invitation"], batch_size=1000)
    cases = Invitation.objects.filter(wave=wave)
    if sample is not None:
        cases = cases.filter(selections__sample=sample)
    queued = messages_queue(invitation_ids=cases.values_list("pk", flat=True), kind=Message.Kind.INVITATION)
    schedule_dispatch(wave_id=wave.pk)
    return queued


def invitations_pending(*, wave: Wave) -> dict:
    """What 'send invitations' would send now: sampled firms without a case, by language, and the total."""
    from django.db.models import Count

    rows = (Selection.objects.filter(sample__wave=wave, invitation__isnull=True).values("firm__language")
            .annotate(n=Count("firm", distinct=True)).order_by("firm__language"))
    by_language = {r["firm__language"] or "?": r["n"] for r in rows}
    return {"total": sum(by_language.values()), "by_language": by_language}


def invitations_schedule(*, wave_id: int, sample_id: int | None = None) -> None:
    """Run invitations_queue in a worker after commit (a large sample takes a while to issue)."""
    enqueue("fieldwork.invitations_queue", wave_id, sample_id)


def messages_queue(*, invitation_ids: Iterable[int], kind: str) -> int:
    """Queue one message of `kind` per case; cases that already have one are left alone."""
    ids = set(invitation_ids)
    have = set(Message.objects.filter(invitation_id__in=ids, kind=kind).values_list("invitation_id", flat=True))
    new = [Message(invitation_id=i, kind=kind) for i in sorted(ids - have)]
    Message.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)  # a racing queuer loses quietly
    return len(new)


def reminders_due(*, wave: Wave, number: int, now: dt.datetime | None = None):
    """Cases owed reminder `number`: invited long enough ago, not answered, not opted out or bounced."""
    now = now or timezone.now()
    days = reminder_days(wave)
    if not 1 <= number <= len(days):
        return Invitation.objects.none()
    previous = Message.Kind.INVITATION if number == 1 else reminder_kind(number - 1)
    gap = days[0] if number == 1 else days[number - 1] - days[number - 2]
    messages = Message.objects.filter(invitation=OuterRef("pk"))
    return (Invitation.objects.filter(wave=wave)
            .filter(Exists(messages.filter(kind=previous, status=Message.Status.SENT,
                                           sent_at__lte=now - dt.timedelta(days=gap))))
            .exclude(Exists(messages.filter(kind=reminder_kind(number))))
            .exclude(Exists(messages.filter(status=Message.Status.BOUNCED)))
            .exclude(response__status=Response.Status.SUBMITTED)
            .exclude(opt_out__isnull=False)
            .exclude(pk__in=closed_cases(wave)))


@transaction.atomic
def reminders_queue(*, wave: Wave, number: int | None = None, now: dt.datetime | None = None) -> int:
    """Queue the reminders now due (all numbers, or one); running it again queues nothing new."""
    numbers = [number] if number else range(1, len(reminder_days(wave)) + 1)
    queued = sum(messages_queue(invitation_ids=reminders_due(wave=wave, number=n, now=now).values_list(
        "pk", flat=True), kind=reminder_kind(n)) for n in numbers)
    schedule_dispatch(wave_id=wave.pk)
    return queued


def reminders_run(*, now: dt.datetime | None = None) -> dict[int, int]:
    """The beat job: queue due reminders of every open wave whose plan allows them."""
    now = now or timezone.now()
    waves = Wave.objects.filter(Exists(Message.objects.filter(invitation__wave=OuterRef("pk"))))
    done = {}
    for wave in waves.exclude(mailing_plan__reminders_enabled=False):
        if wave.is_open(now):
            done[wave.pk] = reminders_queue(wave=wave, now=now)
    return done


def closed_cases(wave: Wave) -> set[int]:
    """Cases other fieldwork closed (CATI refusal, not eligible, complete), from the telephone outcomes."""
    from surveys.fieldwork.tracking import external_dispositions

    return {pk for pk, code in external_dispositions(wave).items() if code.startswith(("1.", "2.11", "4"))}


# ------------------------------------------------------------------ dispatching and sending
def schedule_dispatch(*, wave_id: int | None = None) -> None:
    enqueue("fieldwork.messages_dispatch", wave_id)


def messages_dispatch(*, wave_id: int | None = None, stale_after: int | None = None) -> int:
    """Hand queued messages to workers in batches; messages handed out recently are left to their batch."""
    now = timezone.now()
    stale_after = settings.FIELDWORK_REDISPATCH_SECONDS if stale_after is None else stale_after
    queued = Message.objects.filter(status=Message.Status.QUEUED).filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lte=now - dt.timedelta(seconds=stale_after)))
    if wave_id:
        queued = queued.filter(invitation__wave_id=wave_id)
    ids = list(queued.order_by("pk").values_list("pk", flat=True))
    size = settings.FIELDWORK_BATCH_SIZE
    for start in range(0, len(ids), size):
        batch = ids[start:start + size]
        Message.objects.filter(pk__in=batch, status=Message.Status.QUEUED).update(dispatched_at=now)
        enqueue("fieldwork.messages_send_batch", batch, on_commit=False)
    return len(ids)


def messages_send_batch(*, message_ids: list[int]) -> dict[str, int]:
    """Send a batch over one backend connection, paced to FIELDWORK_MAIL_PER_MINUTE per worker."""
    per_minute = settings.FIELDWORK_MAIL_PER_MINUTE
    interval = 60 / per_minute if per_minute and not settings.CELERY_TASK_ALWAYS_EAGER else 0
    outcome: dict[str, int] = {}
    wordings = WordingCache()  # each wave's templates and settings read once per batch
    with get_connection() as connection:
        next_at = time.monotonic()
        for message_id in message_ids:
            time.sleep(max(0.0, next_at - time.monotonic()))
            status = message_send(message_id=message_id, connection=connection, wordings=wordings)
            outcome[status] = outcome.get(status, 0) + 1
            if status == Message.Status.SENT:
                next_at = time.monotonic() + interval
    if outcome.keys() - {""}:  # something changed: refresh the tracking of the waves concerned
        from surveys.fieldwork.tracking import tracking_schedule

        for wave_id in set(Message.objects.filter(pk__in=message_ids).values_list("invitation__wave_id", flat=True)):
            tracking_schedule(wave_id=wave_id)
    return outcome


def message_send(*, message_id: int, connection=None, wordings: WordingCache | None = None) -> str:
    """Send one message unless someone already did; returns its status ('' when not ours to send)."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Message.objects.filter(pk=message_id, status=Message.Status.QUEUED).update(
            status=Message.Status.SENT, sent_at=now, attempts=F("attempts") + 1)
        if not claimed:
            return ""
        message = _message_for_sending(message_id)
        reason = skip_reason(message, now)
        if reason:
            _finish(message, Message.Status.SKIPPED, error=reason, sent_at=None)
            return Message.Status.SKIPPED
        mail = message_email(message, connection, wordings)
        # Every write happens before the hand-off, so after it only the COMMIT remains.
        _finish(message, Message.Status.SENT, to_email=mail.to[0], message_id=mail.extra_headers["Message-ID"],
                error="")
        try:
            mail.send()
        except Exception as exc:  # SMTP errors, refused recipients, a dropped connection
            return _failed(message, exc, mail.to[0])
    return Message.Status.SENT


def _message_for_sending(message_id: int) -> Message:
    """The message with everything its e-mail needs, in one query (big JSON columns left out)."""
    return (Message.objects.select_related("invitation__firm", "invitation__wave__version", "invitation__response",
                                           "invitation__opt_out")
            .defer(*version_heavy_fields("invitation__wave__version__"), "invitation__response__answers",
                   "invitation__response__derived", "invitation__firm__attributes").get(pk=message_id))


def skip_reason(message: Message, now: dt.datetime) -> str:
    invitation = message.invitation
    if not invitation.firm.email:
        return "no e-mail address"
    if hasattr(invitation, "opt_out"):
        return "opted out"
    if invitation.response.status == Response.Status.SUBMITTED:
        return "already answered"
    if invitation.wave.closes_at and invitation.wave.closes_at <= now:
        return "wave closed"
    if message.kind != Message.Kind.INVITATION and invitation.messages.filter(status=Message.Status.BOUNCED).exists():
        return "address bounced"
    return ""


def _finish(message: Message, status: str, **fields) -> None:
    Message.objects.filter(pk=message.pk).update(status=status, **fields)


def _failed(message: Message, exc: Exception, address: str) -> str:
    import smtplib

    error = f"{type(exc).__name__}: {exc}"[:1000]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        _finish(message, Message.Status.BOUNCED, bounced_at=timezone.now(), error=error, to_email=address)
        return Message.Status.BOUNCED
    attempts = message.attempts
    status = Message.Status.FAILED if attempts >= settings.FIELDWORK_MAX_ATTEMPTS else Message.Status.QUEUED
    _finish(message, status, sent_at=None, dispatched_at=None if status == Message.Status.QUEUED else
            message.dispatched_at, error=error)
    log.warning("message %s not sent (attempt %s): %s", message.pk, attempts, error)
    return status


# ------------------------------------------------------------------ content
def case_links(invitation: Invitation) -> tuple[str, str]:
    """The personal questionnaire link and the opt-out link of a case."""
    token = invitation_token(invitation)
    base = settings.SITE_URL.rstrip("/")
    return (base + reverse("surveys:welcome", kwargs={"token": token}),
            base + reverse("surveys:optout", kwargs={"token": token}))


def message_email(message: Message, connection=None, wordings: WordingCache | None = None) -> EmailMessage:
    """The e-mail of one message, in the case's language, with the wave's wording (read once per batch)."""
    invitation = message.invitation
    firm, wave = invitation.firm, invitation.wave
    language = invitation.response.language or invitation.language
    link, optout = case_links(invitation)
    wording = (wordings if wordings is not None else WordingCache()).for_wave(wave)
    subject, body = wording.compose(kind=message_kind(message.kind), language=language, firm=firm, link=link,
                                    opt_out_link=optout, reminder_number=message.reminder_number)
    contact_email = wording.contact[1]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    headers = {"Message-ID": f"<{message.kind}.{invitation.pk}.{wave.pk}@{domain}>",
               "List-Unsubscribe": f"<{optout}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
               "X-Fieldwork-Case": str(invitation.pk)}
    return EmailMessage(subject=subject, body=body, to=[firm.email], headers=headers,
                        reply_to=[contact_email] if contact_email else None, connection=connection)


# ------------------------------------------------------------------ opt-out and bounces
@transaction.atomic
def optout_record(*, invitation: Invitation, via: str = OptOut.Via.LINK, reason: str = "") -> bool:
    """Record the case's opt-out (once) and drop its queued e-mail."""
    _, created = OptOut.objects.get_or_create(invitation=invitation, defaults={"via": via, "reason": reason[:300]})
    Message.objects.filter(invitation=invitation, status=Message.Status.QUEUED).update(
        status=Message.Status.SKIPPED, error="opted out")
    return created


def bounce_record(*, message_id: str = "", address: str = "", reason: str = "") -> int:
    """Mark the sent message with this Message-ID, or every sent message to this address, as bounced."""
    if not message_id and not address:
        return 0
    found = Message.objects.filter(status=Message.Status.SENT)
    found = found.filter(message_id=message_id.strip()) if message_id else found.filter(
        to_email__iexact=address.strip())
    return found.update(status=Message.Status.BOUNCED, bounced_at=timezone.now(), error=reason[:1000])


def bounces_from_report(raw: bytes) -> list[dict]:
    """Permanent failures in a delivery status notification (RFC 3464 .eml): address, Message-ID, status."""
    report = email.message_from_bytes(raw, policy=email.policy.default)
    original_id, failures = "", []
    for part in report.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "text/rfc822-headers"):
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) else email.message_from_string(str(payload))
            original_id = original_id or str(inner.get("Message-ID", "")).strip()
        elif kind == "message/delivery-status":
            for block in part.get_payload()[1:]:
                status = str(block.get("Status", ""))
                recipient = str(block.get("Final-Recipient", "")).rpartition(";")[2].strip()
                if status.startswith("5") and recipient:
                    failures.append({"address": recipient, "status": status,
                                     "reason": str(block.get("Diagnostic-Code", status))})
    return [{**f, "message_id": original_id} for f in failures]
