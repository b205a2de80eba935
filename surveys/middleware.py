"""Request and response guards shared by every screen: hostile input out, private pages uncached.

NUL characters are refused here, once, rather than in each form: PostgreSQL cannot store them in
a text column, so a NUL in an answer, an opt-out reason or a `?scope=` key would otherwise reach
the database and fail there (SQLite, where the quick suite runs, accepts them silently).
"""
from __future__ import annotations

import logging

from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import patch_cache_control

log = logging.getLogger(__name__)

NUL = "\x00"
NUL_MESSAGE = ("The request contains a NUL character (\\x00), which no field accepts. "
               "Please remove it and send the form again.")


def _has_nul(data) -> bool:
    return any(NUL in key or any(NUL in str(v) for v in values) for key, values in data.lists())


class RejectNulMiddleware:
    """400 with a message for a NUL in the path, the query string or a form field; cookies with
    one are dropped (a session key with a NUL would otherwise be looked up in the database)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [n for n, v in request.COOKIES.items() if NUL in n or NUL in v]:
            del request.COOKIES[name]
        try:
            hostile = NUL in request.path or _has_nul(request.GET) or (
                request.method == "POST" and (_has_nul(request.POST) or _file_names_have_nul(request)))
        except MultiPartParserError:
            return HttpResponseBadRequest("The form data could not be read (malformed multipart body).",
                                          content_type="text/plain; charset=utf-8")
        if hostile:
            log.info("refused a request with a NUL character: %s", request.path.replace(NUL, "\\x00"))
            if request.path.startswith("/api/"):  # API clients get the API's own error shape
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _file_names_have_nul(request) -> bool:
    return any(NUL in (f.name or "") for files in request.FILES.lists() for f in files[1])


class NoStoreMiddleware:
    """Pages show a firm's answers, a case or staff data: no browser or proxy may keep a copy
    (the back button after sign-out, a shared office computer). Static files are served before
    this runs (WhiteNoise) and keep their own long-lived caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_store=True)
        return response
