"""Error bodies that always say what went wrong (a module of its own: DRF's views import the
authentication classes, so the handler, which imports DRF's views, cannot live with them)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.views import exception_handler


def api_exception_handler(exc, context):
    """DRF's handler, plus Django's own ValidationError and PermissionDenied raised by services as 400/403."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return exception_handler(exc, context)


@csrf_exempt  # token-authenticated API: no cookies, so no CSRF; a POST to a wrong path gets the JSON 404 too
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """Paths under /api/v1/ that match no endpoint (or a malformed key): JSON, like every API answer."""
    return JsonResponse({"detail": "No such API endpoint or object."}, status=404)
