"""Respondent tokens: 192 random bits behind an HMAC; the database keeps only a hash.

The token is derived from a per-invitation random salt and a token key, so staff can print a
personal link again (reminders) while a copy of the database alone opens nothing.

The keys are the setting TOKEN_KEYS (environment `TOKEN_KEYS`, comma-separated, newest first;
default: SECRET_KEY alone), not SECRET_KEY itself: rotating SECRET_KEY (sessions, CSRF, password
resets) leaves every link and every reminder working. To rotate the token key, put the new key in
front (`TOKEN_KEYS=new,old`): new invitations use it, and a reminder reprints an old invitation's
link with whichever key of the ring made it. Opening a link never needs a key (its hash is looked up).
"""
import base64
import hashlib
import hmac
import secrets

from django.conf import settings


def token_keys() -> list[str]:
    return list(getattr(settings, "TOKEN_KEYS", None) or [settings.SECRET_KEY])


def new_salt() -> str:
    return secrets.token_hex(16)


def token_from_salt(salt: str, key: str | None = None) -> str:
    """The token of a salt under `key` (default: the newest token key)."""
    secret = key if key is not None else token_keys()[0]
    digest = hmac.new(secret.encode(), salt.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def token_for(*, salt: str, stored_hash: str) -> str | None:
    """The token a stored invitation was issued with: the key of the ring whose token matches its
    hash; None when no key in the ring made it (the key was dropped from TOKEN_KEYS)."""
    for key in token_keys():
        token = token_from_salt(salt, key)
        if hmac.compare_digest(token_hash(token), stored_hash):
            return token
    return None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
