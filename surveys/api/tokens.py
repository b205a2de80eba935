"""Personal API tokens: create (the key is returned once), authenticate, revoke.

The key is `<8-character prefix><random rest>`; only its SHA-256 is stored, plus the prefix so a
user can tell their tokens apart. Authentication is one indexed look-up by hash.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone

from surveys.models import ApiToken

KEY_BYTES = 32
LAST_USED_EVERY = dt.timedelta(minutes=1)  # a write per request would cost more than the request


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the key, which is never shown again."""
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= 3660:
        raise ValueError("A token lives between 1 and 3660 days.")
    key = secrets.token_urlsafe(KEY_BYTES)
    token = ApiToken.objects.create(user=user, name=name.strip()[:100] or "API token", prefix=key[:8],
                                    key_hash=key_hash(key), expires_at=timezone.now() + dt.timedelta(days=days))
    return token, key


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The usable token a key belongs to (active user, not revoked, not expired), else None."""
    if not key or len(key) > 100 or "\x00" in key:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_revoke(*, token_id: int, user) -> bool:
    """Revoke one of `user`'s tokens (administrators: anybody's); False when there was nothing to revoke."""
    tokens = ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True)
    if not user.has_perm("surveys.change_apitoken"):
        tokens = tokens.filter(user=user)
    return tokens.update(revoked_at=timezone.now()) == 1


def api_tokens_of(*, user) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))
