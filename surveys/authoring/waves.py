"""What a wave's settings say (selectors read by invitations, respondent pages and e-mail).

Every respondent page needs the languages offered and the pre-filled items of the case's wave.
Each process keeps them for SETTINGS_MEMO_SECONDS (one query per wave and process in that time,
instead of two per page, surveys/memo.py): a save or delete of the settings drops them in the
saving process at once, and other processes see the change within those seconds.
"""
from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from surveys.memo import ProcessMemo
from surveys.models import Wave, WaveSettings

SETTINGS_MEMO_SECONDS = 10
_NONE = {"languages": [], "prefill": {}}


def _page_settings_load(wave_id: int) -> dict:
    row = WaveSettings.objects.filter(wave_id=wave_id).values("languages", "prefill").first()
    return {"languages": row["languages"] or [], "prefill": row["prefill"] or {}} if row else _NONE


_PAGE_SETTINGS = ProcessMemo(SETTINGS_MEMO_SECONDS, _page_settings_load)


def wave_page_settings(wave_id: int) -> dict:
    """{"languages": [...], "prefill": {...}} of a wave (defaults when it has no settings row)."""
    return _PAGE_SETTINGS.get(wave_id)


@receiver([post_save, post_delete], sender=WaveSettings)
def _settings_changed(sender, instance: WaveSettings, **kwargs) -> None:
    _PAGE_SETTINGS.drop(instance.wave_id)


def wave_languages(wave: Wave) -> list[str]:
    """The languages a wave offers: its settings' choice, else every language of its version."""
    chosen = WaveSettings.objects.filter(wave_id=wave.pk).values_list("languages", flat=True).first()
    return [lang for lang in (chosen or []) if lang in wave.version.languages] or list(wave.version.languages or ["en"])


def invitation_page_settings(invitation) -> dict:
    """wave_page_settings of the invitation's wave, kept on the invitation for the rest of the request
    (a page asks for its languages and its pre-fills)."""
    found = getattr(invitation, "_page_settings", None)
    if found is None:
        found = invitation._page_settings = wave_page_settings(invitation.wave_id)
    return found


def response_languages(response, spec) -> list[str]:
    """The languages offered to one respondent (the settings of the case's wave)."""
    chosen = invitation_page_settings(response.invitation)["languages"]
    return [lang for lang in chosen if lang in spec.languages] or list(spec.languages)


def invitation_prefill(invitation) -> dict[str, str]:
    """Item code -> register field, the pre-fills of the invitation's wave."""
    return invitation_page_settings(invitation)["prefill"]


def wave_contact(wave_id: int) -> tuple[str, str]:
    row = WaveSettings.objects.filter(wave_id=wave_id).values_list("contact_name", "contact_email").first()
    return row or ("", "")
