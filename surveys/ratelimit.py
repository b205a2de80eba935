"""A fixed-window rate limit on the cache, for token and login endpoints."""
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

UNLIMITED = 10**9


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def hit(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one attempt; True while the caller is within `limit` per `window` seconds.

    A limit of UNLIMITED or more counts nothing (no cache round trip for a limit that cannot bite)."""
    if limit >= UNLIMITED:
        return True
    name = f"rl:{scope}:{key}"
    cache.add(name, 0, window)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, window)
        count = 1
    return count <= limit


def rate_limited(scope: str, setting: str):
    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            limit = getattr(settings, setting)
            if not hit(scope, client_address(request), limit, settings.RATE_LIMIT_WINDOW):
                return HttpResponse("Too many requests. Please wait a few minutes.", status=429,
                                    headers={"Retry-After": str(settings.RATE_LIMIT_WINDOW)})
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
