"""The words of invitations and reminders: placeholders, the built-in texts and a wave's own templates.

A text is plain text with {placeholders} (PLACEHOLDERS). A wave may hold its own subject and body per
kind and language (MessageTemplate); a message uses the one in the case's language, else the one in
the wave's first language, else the built-in text below in the case's language (translated through
gettext, locale/*/django.po). A body line whose placeholders all come out empty is left out, so
"The survey is open until {deadline}." disappears from the e-mail of a wave without a closing date.
"""
from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_noop, pgettext
from django.utils.translation import gettext_lazy as _

from surveys.authoring.waves import wave_contact, wave_languages
from surveys.models import Firm, Invitation, MessageTemplate, Selection, Wave
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.texts import pick

Kind = MessageTemplate.Kind
BOTH = (Kind.INVITATION, Kind.REMINDER)
SUBJECT_MAX, BODY_MAX = 200, 20_000
PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")
BLANK_RUNS = re.compile(r"\n{3,}")
PREVIEW_TOKEN = "preview"  # previews and test sends carry no working personal link
PREVIEW_CHOICES = 50  # firms offered in the editor's "preview for" list

# name -> (what it becomes, the kinds it may appear in)
PLACEHOLDERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "firm_name": (_("the firm's name"), BOTH),
    "contact": (_("the firm's contact person (“Sir or Madam” in the message's language when the register has "
                  "none)"), BOTH),
    "link": (_("the firm's personal questionnaire link (required)"), BOTH),
    "opt_out_link": (_("the link to decline and stop reminders"), BOTH),
    "deadline": (_("the wave's closing date in the message's language (empty when the wave has none)"), BOTH),
    "survey_title": (_("the questionnaire's title in the message's language"), BOTH),
    "agency": (_("the agency contact of the wave's settings, with its e-mail address"), BOTH),
    "agency_email": (_("the agency contact's e-mail address alone"), BOTH),
    "reminder_number": (_("the reminder's number: 1, 2, …"), (Kind.REMINDER,)),
}
REQUIRED = {Kind.INVITATION: ("link",), Kind.REMINDER: ("link",)}

BUILTIN: dict[str, tuple[str, str]] = {
    Kind.INVITATION: (
        gettext_noop("{survey_title}: invitation to take part"),
        gettext_noop(
            "Dear {contact},\n\n"
            "{firm_name} has been selected for the survey \"{survey_title}\". The questionnaire takes about 20 "
            "minutes; you can stop at any time and come back later with the same link.\n\n"
            "Your personal link (please do not forward it outside your company):\n{link}\n\n"
            "The survey is open until {deadline}.\n\n"
            "Your answers are confidential and reported only in aggregate form.\n\n"
            "Thank you for your help.\n\n"
            "Questions about the survey: {agency}\n"
            "If you do not wish to take part or to receive reminders: {opt_out_link}")),
    Kind.REMINDER: (
        gettext_noop("Reminder {reminder_number}: {survey_title}"),
        gettext_noop(
            "Dear {contact},\n\n"
            "A few days ago we invited {firm_name} to take part in the survey \"{survey_title}\". If you have "
            "already answered, thank you, and please ignore this message.\n\n"
            "Your answers matter even if your company has not changed its activities recently. Your personal "
            "link, where you can also continue a questionnaire you started:\n{link}\n\n"
            "The survey closes on {deadline}.\n\n"
            "Questions about the survey: {agency}\n"
            "If you do not wish to take part or to receive further reminders: {opt_out_link}")),
}


def message_kind(kind: str) -> str:
    """The template kind of a Message kind: reminder1 … reminder5 share the reminder's wording."""
    return Kind.INVITATION if kind == Kind.INVITATION else Kind.REMINDER


def builtin_text(kind: str, language: str) -> tuple[str, str]:
    subject, body = BUILTIN[kind]
    with translation.override(language or "en"):
        return gettext(subject), gettext(body)


# ------------------------------------------------------------------ checking and rendering
def placeholders_check(*, kind: str, subject: str, body: str) -> dict[str, list[str]]:
    """Problems per field ('subject', 'body'): unknown placeholders, a required one missing, line breaks
    in the subject. Empty when the text can be saved."""
    errors: dict[str, list[str]] = {}
    for name, text in (("subject", subject), ("body", body)):
        for found in dict.fromkeys(PLACEHOLDER.findall(text)):
            known = PLACEHOLDERS.get(found)
            if known is None:
                errors.setdefault(name, []).append(gettext(
                    "Unknown placeholder {%(name)s}. Known placeholders: %(known)s.") % {
                        "name": found[:40], "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)})
            elif kind not in known[1]:
                errors.setdefault(name, []).append(gettext("The placeholder {%(name)s} has no value in this kind "
                                                           "of message.") % {"name": found})
    if "\n" in subject or "\r" in subject:
        errors.setdefault("subject", []).append(gettext("The subject must be a single line."))
    for required in REQUIRED.get(kind, ()):
        if f"{{{required}}}" not in body:
            errors.setdefault("body", []).append(gettext("The text must contain {%(name)s}: without it the firm "
                                                         "cannot open its questionnaire.") % {"name": required})
    return errors


def text_render(text: str, values: dict[str, str], *, body: bool = True) -> str:
    """Fill the placeholders; in a body, leave out lines whose placeholders all came out empty."""
    def fill(line: str) -> str:
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), line)

    if not body:  # a header: values never break it into lines
        return " ".join(fill(text).split())
    kept = [fill(line) for line in text.replace("\r\n", "\n").split("\n")
            if not (names := PLACEHOLDER.findall(line)) or any(values.get(n) for n in names)]
    return BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip() + "\n"


def deadline_text(closes_at, language: str) -> str:
    if not closes_at:
        return ""
    with translation.override(language or "en"):
        return formats.date_format(timezone.localtime(closes_at), pgettext("date in e-mail", "j F Y"))


# ------------------------------------------------------------------ a wave's wording, loaded once per batch
@dataclass
class WaveWording:
    """Everything a wave's e-mail needs besides the case: its templates, languages and agency contact."""

    wave: Wave
    languages: list[str]
    templates: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    contact: tuple[str, str] = ("", "")

    def text_for(self, kind: str, language: str) -> tuple[str, str]:
        """The firm's language's template, else the wave's first language's, else the built-in text."""
        return (self.templates.get((kind, language)) or self.templates.get((kind, self.languages[0]))
                or builtin_text(kind, language))

    def values(self, *, firm: Firm, language: str, link: str, opt_out_link: str, reminder_number: int = 0) -> dict:
        name, address = self.contact
        with translation.override(language or "en"):
            greeting = gettext("Sir or Madam")
        return {"firm_name": firm.name, "contact": firm.contact_name or greeting, "link": link,
                "opt_out_link": opt_out_link, "deadline": deadline_text(self.wave.closes_at, language),
                "survey_title": pick(spec_for_version(self.wave.version).definition.get("title"), language),
                "agency": f"{name} <{address}>" if name and address else (name or address), "agency_email": address,
                "reminder_number": str(reminder_number or 1)}

    def compose(self, *, kind: str, language: str, **case) -> tuple[str, str]:
        """Subject and body of one message, as the firm receives it."""
        subject, body = self.text_for(kind, language)
        values = self.values(language=language, **case)
        return text_render(subject, values, body=False), text_render(body, values)


def wave_wording(wave: Wave) -> WaveWording:
    """Two small queries (templates, settings); the version's definition comes from the spec cache."""
    templates = {(t.kind, t.language): (t.subject, t.body) for t in MessageTemplate.objects.filter(wave=wave)}
    return WaveWording(wave=wave, languages=wave_languages(wave), templates=templates, contact=wave_contact(wave.pk))


class WordingCache(dict):
    """Per batch of messages: each wave's wording read once, whatever the number of its messages."""

    def for_wave(self, wave: Wave) -> WaveWording:
        if wave.pk not in self:
            self[wave.pk] = wave_wording(wave)
        return self[wave.pk]


# ------------------------------------------------------------------ the staff editor: save, preview, test
def template_text(*, wave: Wave, kind: str, language: str) -> tuple[str, str, bool]:
    """What the editor starts from: the wave's template, else the built-in text; and whether it is the wave's."""
    own = MessageTemplate.objects.filter(wave=wave, kind=kind, language=language).first()
    return (own.subject, own.body, True) if own else (*builtin_text(kind, language), False)


@transaction.atomic
def message_template_save(*, wave: Wave, kind: str, language: str, subject: str, body: str,
                          user=None) -> MessageTemplate:
    errors = placeholders_check(kind=kind, subject=subject, body=body)
    if errors:
        raise ValidationError(errors)
    template, _created = MessageTemplate.objects.update_or_create(
        wave=wave, kind=kind, language=language,
        defaults={"subject": subject.strip(), "body": body.replace("\r\n", "\n").strip(), "updated_by": user})
    return template


def message_template_reset(*, wave: Wave, kind: str, language: str) -> bool:
    """Back to the built-in text: the wave's own template is deleted."""
    return MessageTemplate.objects.filter(wave=wave, kind=kind, language=language).delete()[0] > 0


def wave_firms(wave: Wave):
    """The firms a wave concerns: sampled, or with a case."""
    return Firm.objects.filter(Q(pk__in=Selection.objects.filter(sample__wave=wave).values("firm"))
                               | Q(pk__in=Invitation.objects.filter(wave=wave).values("firm")))


def preview_choices(wave: Wave, language: str) -> list[Firm]:
    """The firms the editor offers to preview with: those speaking the language first."""
    firms = wave_firms(wave).only("pk", "name", "identifier", "language").order_by("pk")
    same = list(firms.filter(language=language)[:PREVIEW_CHOICES])
    return same + list(firms.exclude(language=language)[:PREVIEW_CHOICES - len(same)])


def preview_firm(wave: Wave, language: str, firm_id: int | None = None) -> Firm:
    """The firm chosen (if it is the wave's), else a sampled one speaking the language, else any firm of
    the wave, else an example firm."""
    chosen = wave_firms(wave).filter(pk=firm_id).first() if firm_id else None
    if chosen:
        return chosen
    sampled = Firm.objects.filter(pk__in=Selection.objects.filter(sample__wave=wave).values("firm"))
    cased = Firm.objects.filter(pk__in=Invitation.objects.filter(wave=wave).values("firm"))
    for firms in (sampled.filter(language=language), sampled, cased.filter(language=language), cased):
        firm = firms.order_by("pk").first()
        if firm:
            return firm
    with translation.override(language or "en"):
        return Firm(identifier="EXAMPLE", name=gettext("Example Manufacturing Ltd"), language=language)


def preview_compose(*, wave: Wave, kind: str, language: str, subject: str, body: str,
                    firm_id: int | None = None) -> tuple[str, str, Firm]:
    """The text rendered for a firm of the wave, with links that open nothing."""
    firm = preview_firm(wave, language, firm_id)
    base = settings.SITE_URL.rstrip("/")
    wording = wave_wording(wave)
    values = wording.values(firm=firm, language=language, reminder_number=1,
                            link=base + reverse("surveys:welcome", kwargs={"token": PREVIEW_TOKEN}),
                            opt_out_link=base + reverse("surveys:optout", kwargs={"token": PREVIEW_TOKEN}))
    return text_render(subject, values, body=False), text_render(body, values), firm


def message_test_send(*, wave: Wave, kind: str, language: str, subject: str, body: str, user,
                      firm_id: int | None = None) -> str:
    """Mail the text, rendered for a firm of the wave, to the signed-in user only; no firm's delivery
    status records it. Returns the address used."""
    if not (user.email or "").strip():
        raise ValidationError(gettext("Your account has no e-mail address: ask an administrator to add one, "
                                      "then send the test again."), code="no_email")
    errors = placeholders_check(kind=kind, subject=subject, body=body)
    if errors:
        raise ValidationError(errors)
    rendered_subject, rendered_body, _firm = preview_compose(wave=wave, kind=kind, language=language, subject=subject,
                                                             body=body, firm_id=firm_id)
    _, agency_email = wave_contact(wave.pk)
    mail = EmailMessage(subject=rendered_subject, body=rendered_body, to=[user.email],
                        headers={"X-Fieldwork-Test": f"wave {wave.pk} {kind} {language}"},
                        reply_to=[agency_email] if agency_email else None)
    try:
        mail.send()
    except (smtplib.SMTPException, OSError) as exc:  # the mail server refused or could not be reached
        raise ValidationError(gettext("The mail server did not take the test message: %(error)s")
                              % {"error": f"{type(exc).__name__}: {exc}"[:300]}, code="not_sent") from exc
    return user.email


def message_templates_overview(wave: Wave) -> list[dict]:
    """One row per kind and language of the wave: whether the wave has its own text, else what goes out."""
    own = {(t.kind, t.language): t for t in MessageTemplate.objects.filter(wave=wave).select_related("updated_by")}
    languages, names = wave_languages(wave), dict(settings.LANGUAGES)
    rows = []
    for kind, label in Kind.choices:
        for language in languages:
            fallback = own.get((kind, languages[0])) if language != languages[0] else None
            rows.append({"kind": kind, "kind_label": label, "language": language, "template": own.get((kind, language)),
                         "language_name": names.get(language, language),
                         "falls_back_to": names.get(languages[0], languages[0]) if fallback else ""})
    return rows
