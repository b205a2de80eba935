"""One notion of the client's address for every limit (surveys.ratelimit.client_address)."""
import pytest
from django.test import RequestFactory

from surveys.ratelimit import client_address


def request(remote="10.0.0.2", forwarded=None, **meta):
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", REMOTE_ADDR=remote, **meta)


def test_without_a_trusted_proxy_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request(forwarded="203.0.113.9")) == "10.0.0.2"


@pytest.mark.parametrize("count, forwarded, expected", [
    (1, "203.0.113.9", "203.0.113.9"),
    (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # the client's own entry is left of ours
    (2, "1.2.3.4, 203.0.113.9, 10.0.0.1", "203.0.113.9"),  # two proxies: the outer one's entry
    (2, "203.0.113.9", "203.0.113.9"),  # fewer entries than proxies: the leftmost our proxy wrote
    (1, "203.0.113.9:51234", "203.0.113.9"),  # a proxy that writes the port
    (1, "[2001:db8::1]:443", "2001:db8::1"),
    (1, "2001:DB8:0::1", "2001:db8::1"),  # stored as the database stores it
    (1, "not-an-address", "10.0.0.2"),  # garbage: the peer, never a 500 on an inet column
    (1, "", "10.0.0.2"),  # the request did not pass the proxy
])
def test_behind_trusted_proxies_their_entry_decides(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_address(request(forwarded=forwarded)) == expected


def test_the_header_is_configurable(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_HEADER = 1, "HTTP_X_REAL_IP"
    assert client_address(request(forwarded="1.1.1.1", HTTP_X_REAL_IP="203.0.113.9")) == "203.0.113.9"


def test_a_missing_or_odd_peer_address_is_one_known_placeholder(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request(remote="")) == "0.0.0.0"


def test_token_look_ups_are_limited_by_the_same_address(client, settings, db):
    settings.RATE_LIMIT_TOKEN, settings.TRUSTED_PROXY_COUNT = 2, 1
    for n in range(2):  # one client behind the proxy, whatever it writes in front of the header
        client.get("/s/no-such-token/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"9.9.9.{n}, 203.0.113.9")
    assert client.get("/s/no-such-token/", REMOTE_ADDR="10.0.0.2",
                      HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert client.get("/s/no-such-token/", REMOTE_ADDR="10.0.0.2",
                      HTTP_X_FORWARDED_FOR="192.0.2.7").status_code == 404
