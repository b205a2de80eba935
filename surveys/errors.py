"""Friendly error pages. A respondent who meets one keeps their personal link: when the address was
under /s/<token>/, the page offers the way back to the start of that questionnaire."""
from __future__ import annotations

import re

from django.shortcuts import render

TOKEN_PATH = re.compile(r"^/s/([A-Za-z0-9_-]{1,64})/")


def _context(request) -> dict:
    match = TOKEN_PATH.match(request.path)
    return {"survey_start": f"/s/{match.group(1)}/" if match else ""}


def page_not_found(request, exception=None):
    return render(request, "404.html", _context(request), status=404)


def server_error(request):
    # No database, no context processors: whatever failed may fail again while rendering this.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render(_context(request)))
