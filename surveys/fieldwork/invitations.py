"""Cases of a wave: the default wave of a questionnaire and the firm's invitation with its personal link."""
from __future__ import annotations

from django.db import transaction

from surveys.authoring.waves import wave_languages
from surveys.models import Firm, Invitation, Questionnaire, Response, Wave
from surveys.tokens import new_salt, token_for, token_from_salt, token_hash


def wave_default(*, questionnaire: Questionnaire) -> Wave:
    """The default wave `v<N>` of the latest version (created when missing), whatever other waves
    staff opened on it, so `invite` and the generator always mean the same wave."""
    version = questionnaire.latest_version()
    wave, _ = Wave.objects.get_or_create(
        questionnaire=questionnaire, code=f"v{version.number}",
        defaults={"version": version, "title": f"Default wave (version {version.number})",
                  "welcome": version.definition.get("welcome", {})})
    return wave


class TokenKeyMissing(RuntimeError):
    """No key of TOKEN_KEYS made this invitation's link: the key that did was removed from the ring."""


def invitation_token(invitation: Invitation) -> str:
    token = token_for(salt=invitation.token_salt, stored_hash=invitation.token_hash)
    if token is None:  # printing a link that opens nothing would be worse than stopping
        raise TokenKeyMissing(f"invitation {invitation.pk}: its token key is not in TOKEN_KEYS (docs/running.md)")
    return token


@transaction.atomic
def invitation_issue(*, wave: Wave, firm: Firm, language: str | None = None,
                     mode: str = Response.Mode.WEB) -> tuple[Invitation, str, bool]:
    """Create (or reuse) the firm's case in a wave; returns it, its token and whether it is new."""
    existing = Invitation.objects.filter(wave=wave, firm=firm).first()
    if existing:
        return existing, invitation_token(existing), False
    languages = wave_languages(wave)
    language = language or (firm.language if firm.language in languages else languages[0])
    salt = new_salt()
    token = token_from_salt(salt)
    invitation = Invitation.objects.create(wave=wave, firm=firm, token_salt=salt, token_hash=token_hash(token),
                                           language=language)
    Response.objects.create(invitation=invitation, version=wave.version, language=language, mode=mode)
    return invitation, token, True
