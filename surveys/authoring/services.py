"""Staff authoring: upload a definition as a draft, compare it, publish it, open a wave, set the wave up."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.authoring.definitions import Parsed, definition_parse, definition_publish
from surveys.authoring.diff import definition_diff
from surveys.models import (
    DefinitionDraft,
    MailingPlan,
    Questionnaire,
    QuestionnaireVersion,
    Wave,
    WaveSettings,
)

# Firm (register) fields a wave may use to pre-fill items
PREFILL_FIELDS = ("industry_code", "employees", "district", "region", "country", "market", "cluster", "turnover")


class AuthoringError(ValueError):
    """A request the authoring screens refuse, with a message for staff."""


def draft_upload(*, content: bytes, name: str, user=None) -> DefinitionDraft:
    """Check an uploaded definition file and keep it as a draft, with every problem found."""
    parsed = definition_parse(content=content, name=name)
    return DefinitionDraft.objects.create(
        code=str(parsed.raw.get("code") or "").replace("\x00", "")[:60], source_name=parsed.name,
        source_format=parsed.source_format, source_checksum=parsed.source["source_checksum"], source_file=content,
        authored=parsed.source["authored"],
        definition=parsed.definition, problems=[p.replace("\x00", "") for p in parsed.problems],
        uploaded_by=user)


def draft_current_version(draft: DefinitionDraft) -> QuestionnaireVersion | None:
    return QuestionnaireVersion.objects.filter(questionnaire__code=draft.code).order_by("-number").first()


def draft_diff(*, draft: DefinitionDraft) -> dict:
    """The draft against the questionnaire's latest version (everything added for a new questionnaire)."""
    current = draft_current_version(draft)
    return {**definition_diff(old=current.definition if current else None, new=draft.definition,
                              fielded=bool(current and current.is_fielded())),
            "current": current}


@transaction.atomic
def draft_publish(*, draft: DefinitionDraft) -> tuple[QuestionnaireVersion, str]:
    """Store a checked draft as a version: unchanged, rewritten (nobody answered yet) or a new version."""
    draft = DefinitionDraft.objects.select_for_update().get(pk=draft.pk)
    if not draft.is_valid:
        raise AuthoringError(_("This draft has problems; upload a corrected file."))
    parsed = Parsed(name=draft.source_name, source_format=draft.source_format, content=bytes(draft.source_file),
                    raw=draft.authored, definition=draft.definition)
    version, what = definition_publish(parsed=parsed)
    DefinitionDraft.objects.filter(pk=draft.pk).update(published_version=version, published_at=timezone.now())
    return version, what


@transaction.atomic
def wave_open(*, questionnaire: Questionnaire, code: str, title: str = "", opens_at: dt.datetime | None = None,
              closes_at: dt.datetime | None = None) -> Wave:
    """A new wave on the questionnaire's latest version, with default settings."""
    version = questionnaire.latest_version()
    if version is None:
        raise AuthoringError(_("Publish a version before opening a wave."))
    if Wave.objects.filter(questionnaire=questionnaire, code=code).exists():
        raise AuthoringError(_("{questionnaire} already has a wave {code}.").format(
            questionnaire=questionnaire.code, code=repr(code)))
    if opens_at and closes_at and closes_at <= opens_at:
        raise AuthoringError(_("A wave closes after it opens."))
    wave = Wave.objects.create(questionnaire=questionnaire, version=version, code=code, title=title,
                               opens_at=opens_at, closes_at=closes_at)
    WaveSettings.objects.create(wave=wave)
    return wave


def prefill_problems(*, wave: Wave, prefill: dict[str, str]) -> list[str]:
    from surveys.questionnaire.spec import spec_for_version

    spec = spec_for_version(wave.version)
    problems = []
    for item, field in prefill.items():
        if item not in spec.items:
            problems.append(_("{item}: no such item in version {number}").format(item=item, number=wave.version.number))
        elif spec.items[item].kind in ("grid", "split100", "multi"):
            problems.append(_("{item}: a {kind} item cannot be pre-filled from one field").format(
                item=item, kind=spec.items[item].kind))
        if field not in PREFILL_FIELDS:
            problems.append(_("{field}: not a register field ({fields})").format(field=field,
                                                                              fields=", ".join(PREFILL_FIELDS)))
    return problems


@transaction.atomic
def wave_settings_update(*, wave: Wave, languages: list[str], contact_name: str, contact_email: str,
                         prefill: dict[str, str], reminder_days: list[int], reminders_enabled: bool,
                         sequential_mode: bool = False, web_days_before_phone: int = 14,
                         phone_after_last_reminder: bool = False) -> WaveSettings:
    unknown = [lang for lang in languages if lang not in wave.version.languages]
    problems = [_("{language}: not a language of version {number}").format(language=lang, number=wave.version.number)
                for lang in unknown]
    problems += prefill_problems(wave=wave, prefill=prefill)
    if problems:
        raise AuthoringError("; ".join(problems))
    settings, _created = WaveSettings.objects.update_or_create(wave=wave, defaults={
        "languages": languages, "contact_name": contact_name, "contact_email": contact_email, "prefill": prefill,
        "sequential_mode": sequential_mode, "web_days_before_phone": web_days_before_phone,
        "phone_after_last_reminder": phone_after_last_reminder})
    MailingPlan.objects.update_or_create(wave=wave, defaults={"reminder_days": reminder_days,
                                                              "reminders_enabled": reminders_enabled})
    return settings
