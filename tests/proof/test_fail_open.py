"""The cache fails open: with Redis unreachable it answers as an empty cache, and rate limits allow."""
import socket

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from surveys.cache import FailOpenRedisCache
from surveys.ratelimit import hit, rate_limited


@pytest.fixture
def dead_redis(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {"default": {"BACKEND": "surveys.cache.FailOpenRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{port}/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    yield caches["default"]


def test_every_cache_call_answers_as_an_empty_cache(dead_redis, caplog):
    assert isinstance(dead_redis, FailOpenRedisCache)
    assert dead_redis.get("k", "default") == "default" and dead_redis.add("k", 1) is True
    assert dead_redis.incr("k", 3) == 3 and dead_redis.get_many(["a"]) == {} and not dead_redis.has_key("k")
    dead_redis.set("k", 1), dead_redis.delete("k"), dead_redis.clear()
    assert "cache unavailable" in caplog.text or FailOpenRedisCache._last_logged > 0


def test_rate_limits_allow_while_redis_is_away(dead_redis, settings):
    settings.RATE_LIMIT_LOGIN = 1
    assert all(hit("login", "1.2.3.4", 1, 60) for _ in range(5))
    view = rate_limited("login", "RATE_LIMIT_LOGIN")(lambda request: "served")
    assert view(RequestFactory().get("/")) == "served"


@pytest.mark.django_db
def test_a_respondent_page_is_served_while_redis_is_away(dead_redis, client, world):
    from django.urls import reverse

    assert client.get(reverse("surveys:welcome", args=[world.token])).status_code == 200
    assert client.get(reverse("surveys:welcome", args=["not-a-token"])).status_code == 404
