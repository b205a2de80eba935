"""What a wave's settings say (selectors read by invitations, respondent pages and e-mail)."""
from __future__ import annotations

from surveys.models import Wave, WaveSettings


def wave_languages(wave: Wave) -> list[str]:
    """The languages a wave offers: its settings' choice, else every language of its version."""
    chosen = WaveSettings.objects.filter(wave_id=wave.pk).values_list("languages", flat=True).first()
    return [lang for lang in (chosen or []) if lang in wave.version.languages] or list(wave.version.languages or ["en"])


def response_languages(response, spec) -> list[str]:
    """The languages offered to one respondent (one query: the settings of the case's wave)."""
    chosen = WaveSettings.objects.filter(wave__invitations=response.invitation_id).values_list(
        "languages", flat=True).first()
    return [lang for lang in (chosen or []) if lang in spec.languages] or list(spec.languages)


def wave_prefill(wave_id: int) -> dict[str, str]:
    return WaveSettings.objects.filter(wave_id=wave_id).values_list("prefill", flat=True).first() or {}


def wave_contact(wave_id: int) -> tuple[str, str]:
    row = WaveSettings.objects.filter(wave_id=wave_id).values_list("contact_name", "contact_email").first()
    return row or ("", "")
