"""The cache fails open: with Redis unreachable it answers as an empty cache, and rate limits allow.
Sign-in throttling keeps its attempts in the database, so it neither fails nor forgets meanwhile."""
import socket

import pytest
from django.core.cache import caches

from surveys.cache import FailOpenRedisCache
from surveys.ratelimit import hit


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


def test_rate_limits_allow_while_redis_is_away(dead_redis):
    assert all(hit("token-miss", "1.2.3.4", 1, 60) for _ in range(5))


@pytest.mark.django_db
def test_sign_in_and_its_lockout_work_while_redis_is_away(dead_redis, client, settings, django_user_model):
    django_user_model.objects.create_user("sam", password="pw-sam")
    settings.AXES_FAILURE_LIMIT = 2
    statuses = [client.post(url, {"username": "sam", "password": "wrong"}).status_code
                for url in ("/accounts/login/", "/admin/login/", "/accounts/login/")]
    assert statuses == [200, 429, 429]  # counted in the database: no 500, and the lock holds
    assert client.post("/accounts/login/", {"username": "sam", "password": "pw-sam"},
                       REMOTE_ADDR="10.9.9.9").status_code == 302


@pytest.mark.django_db
def test_a_respondent_page_is_served_while_redis_is_away(dead_redis, client, world):
    from django.urls import reverse

    assert client.get(reverse("surveys:welcome", args=[world.token])).status_code == 200
    assert client.get(reverse("surveys:welcome", args=["not-a-token"])).status_code == 404
