"""The Redis cache, failing open: when Redis is away, every cache call answers as an empty cache
would instead of raising, and the outage is logged (once a minute, not once a request).

The cache holds only what can be lost: rate-limit counters (an outage lets requests through rather
than turning every respondent away with a 500), the results scheduler's coalescing flags (a
recompute may be asked for twice; the periodic and start-up runs catch up), its SQLite lock.
"""
from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisError, OSError)
LOG_EVERY_SECONDS = 60.0


class FailOpenRedisCache(RedisCache):
    _last_logged = 0.0

    def _failed(self, operation: str, exc: Exception, fallback):
        now = time.monotonic()
        if now - FailOpenRedisCache._last_logged >= LOG_EVERY_SECONDS:
            FailOpenRedisCache._last_logged = now
            logger.error("cache unavailable (%s: %s); answering as an empty cache", operation, exc)
        return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as exc:
            return self._failed("add", exc, True)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as exc:
            return self._failed("get", exc, default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except UNAVAILABLE as exc:
            return self._failed("set", exc, None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE as exc:
            return self._failed("touch", exc, False)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE as exc:
            return self._failed("delete", exc, False)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as exc:
            return self._failed("get_many", exc, {})

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE as exc:
            return self._failed("has_key", exc, False)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:  # as if this were the first count of a fresh window
            return self._failed("incr", exc, delta)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as exc:
            return self._failed("set_many", exc, list(data))

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except UNAVAILABLE as exc:
            return self._failed("delete_many", exc, None)

    def clear(self):
        try:
            return super().clear()
        except UNAVAILABLE as exc:
            return self._failed("clear", exc, False)
