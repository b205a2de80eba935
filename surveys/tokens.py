"""Respondent tokens: 192 random bits behind an HMAC; the database keeps only a hash.

The token is derived from a per-invitation random salt and the server's secret key, so staff
can print a personal link again (reminders) while a copy of the database alone opens nothing.
"""
import base64
import hashlib
import hmac
import secrets

from django.conf import settings


def new_salt() -> str:
    return secrets.token_hex(16)


def token_from_salt(salt: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), salt.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
