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
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse, HttpResponseServerError
    from django.template import loader

    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        # The database is away (restart, failover, connections dropped): the same request a few
        # seconds later succeeds (a save that did commit meets the revision check), so say so.
        page = loader.get_template("503.html").render(_context(request))
        return HttpResponse(page, status=503, headers={"Retry-After": "5"})
    return HttpResponseServerError(loader.get_template("500.html").render(_context(request)))
