"""The interface language of the staff, interviewer and analyst screens.

A signed-in user may choose one (UserPreference.language); it is activated on every request they
make, sign-in included, after LocaleMiddleware has read the browser's Accept-Language, which
decides when there is no choice. The respondent's screens activate the language of the response
in their own views (surveys.answering), so a staff member opening a firm's link still sees the
firm's language there.
"""
from __future__ import annotations

from django.conf import settings
from django.utils import translation

from surveys.models import UserPreference

CHOICES = {code for code, _ in settings.LANGUAGES}


def user_language(*, user) -> str:
    """The language the user chose, or "" (the browser decides)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return UserPreference.objects.filter(user=user).values_list("language", flat=True).first() or ""


def user_language_set(*, user, language: str) -> None:
    """Store the user's choice ("" goes back to the browser's language)."""
    if language and language not in CHOICES:
        raise ValueError(f"unknown language {language!r}")
    UserPreference.objects.update_or_create(user=user, defaults={"language": language})


class UserLanguageMiddleware:
    """After authentication: the signed-in user's own language beats Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = user_language(user=request.user)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
