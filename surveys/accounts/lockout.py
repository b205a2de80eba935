"""The page a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE): HTTP 429 in the user's
language, saying when to try again, for the staff sign-in and the admin's alike."""
from __future__ import annotations

import math
from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language


def attempt_username(request, credentials=None) -> str | None:
    """The username a failure counts under (AXES_USERNAME_CALLABLE): as typed, cut to the attempts
    table's 255 characters. Django's sign-in form does not enforce the username's length, and
    PostgreSQL refuses a longer value; no real username is that long, so nothing else changes."""
    name = (credentials or {}).get("username") if credentials else request.POST.get("username")
    return None if name is None else str(name)[:255]


def lockout_remaining(*, username: str | None, address: str) -> timedelta:
    """How long this username stays locked for this address: the cool-off runs from the last counted
    failure (failures during the lock are not counted, AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT)."""
    cool_off = get_cool_off()
    last = AccessAttempt.objects.filter(username=username, ip_address=address).aggregate(
        last=Max("attempt_time"))["last"]
    if last is None:  # cleared by an administrator in the meantime
        return cool_off
    return max(timedelta(seconds=1), last + cool_off - timezone.now())


def lockout_response(request, response=None, credentials=None):
    """Axes calls this with (request, original response, credentials) once a pair is locked out."""
    wait = lockout_remaining(username=attempt_username(request, credentials),
                             address=request.axes_ip_address)
    context = {"minutes": max(1, math.ceil(wait.total_seconds() / 60)),
               "retry_at": timezone.localtime(timezone.now() + wait), "language": get_language()}
    page = render(request, "accounts/locked_out.html", context, status=429)
    page["Retry-After"] = str(math.ceil(wait.total_seconds()))
    return page
