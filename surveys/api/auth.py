"""How the API knows the caller and keeps them polite: token authentication and a per-token throttle."""
from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from surveys.api.tokens import api_token_authenticate


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>`; the user then has exactly the rights of their role."""

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send 'Authorization: Token <key>' with one key.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token key holds characters a key never has.") from None
        token = api_token_authenticate(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown, revoked or expired token.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword  # makes DRF answer 401 (with WWW-Authenticate) rather than 403


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (per client address before authentication), at settings.API_THROTTLE_RATE."""

    scope = "api"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE

    def allow_request(self, request, view):
        self.rate = self.get_rate()  # read per request, so settings changed at run time (tests) apply
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        token = request.auth
        ident = f"token-{token.pk}" if token is not None else f"ip-{self.get_ident(request)}"
        return f"throttle_api_{ident}"
