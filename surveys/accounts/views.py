"""Sign-in for staff and interviewers, throttled after repeated failures.

Failures are counted per client address and per username in fixed cache windows
(surveys.ratelimit): a password guesser is stopped on one account from many addresses and on
many accounts from one address. While blocked, the password is not even checked.
"""
from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from surveys.accounts.language import CHOICES, user_language_set
from surveys.accounts.workspace import workspace_home
from surveys.ratelimit import client_address, hit

logger = logging.getLogger(__name__)


def _keys(request) -> list[tuple[str, str]]:
    username = request.POST.get("username", "").strip().casefold()[:150]
    return [("login-fail-ip", client_address(request)),
            ("login-fail-user", hashlib.sha256(username.encode()).hexdigest())]


def login_blocked(request) -> bool:
    return any((cache.get(f"rl:{scope}:{key}") or 0) >= settings.RATE_LIMIT_LOGIN for scope, key in _keys(request))


def login_failure_record(request) -> None:
    for scope, key in _keys(request):
        hit(scope, key, settings.RATE_LIMIT_LOGIN, settings.RATE_LIMIT_WINDOW)


class ThrottledLoginView(LoginView):
    template_name = "registration/login.html"

    def post(self, request, *args, **kwargs):
        if login_blocked(request):
            logger.warning("login throttled for %s", client_address(request))
            minutes = max(1, settings.RATE_LIMIT_WINDOW // 60)
            response = render(request, self.template_name, {**self.get_context_data(), "blocked": minutes}, status=429)
            response["Retry-After"] = str(settings.RATE_LIMIT_WINDOW)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        login_failure_record(self.request)
        return super().form_invalid(form)

    def get_default_redirect_url(self):
        """Each role lands on its workspace's home (surveys.accounts.workspace) unless `next` says otherwise."""
        if self.next_page:
            return super().get_default_redirect_url()
        return workspace_home(user=self.request.user)


@require_POST
@login_required
def language_choose(request):
    """The language menu of the staff navigation: store the choice, back to the page it was made on."""
    language = request.POST.get("language", "")
    if language and language not in CHOICES:
        return HttpResponseBadRequest(_("Unknown language."), content_type="text/plain; charset=utf-8")
    user_language_set(user=request.user, language=language)
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = workspace_home(user=request.user)
    return HttpResponseRedirect(target)  # a path, never a view name to reverse
