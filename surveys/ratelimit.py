"""The client's address, and a fixed-window rate limit on the cache for the respondents' token look-ups.

Sign-in throttling is django-axes (docs/roles.md#sign-in-throttling); it asks `client_address`
too (AXES_CLIENT_IP_CALLABLE), so every limit of the platform means the same client.
"""
from ipaddress import ip_address

from django.conf import settings
from django.core.cache import cache

UNLIMITED = 10**9
UNKNOWN_ADDRESS = "0.0.0.0"  # no usable address: one shared budget rather than none (a valid inet)


def _valid(candidate: str) -> str | None:
    """The address in canonical form, or None; an "a.b.c.d:port" or "[v6]:port" proxy entry loses its port."""
    candidate = candidate.strip()
    if candidate.startswith("[") and "]" in candidate:
        candidate = candidate[1:candidate.index("]")]
    elif candidate.count(":") == 1:
        candidate = candidate.split(":")[0]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return None


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies of our own, the entry
    of their forwarding header that the outermost of them wrote.

    Each proxy appends the address it received the request from, so with N proxies the N-th entry
    from the right is the client as the outermost proxy saw it; everything left of it came from the
    client and may be invented. Without a configured proxy the header is ignored: anybody can send one.
    """
    peer = _valid(request.META.get("REMOTE_ADDR", "")) or UNKNOWN_ADDRESS
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return peer
    entries = [e for e in request.META.get(settings.TRUSTED_PROXY_HEADER, "").split(",") if e.strip()]
    if not entries:  # reached us without passing our proxies (or they do not set the header)
        return peer
    return _valid(entries[-min(count, len(entries))]) or peer


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
