"""Derived values are cached with normalised keys, in-process or in Redis when several workers share it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest
from flask import Flask

from callbacks import cache as cache_module


def test_keys_are_normalised():
    key = cache_module.cache_key
    assert key("x", "QPV ", "2024") == key("x", "qpv", 2024)
    assert key("x", {"b": 1, "a": [2, 1]}) == key("x", {"a": [2, 1], "b": 1})
    assert key("x", frozenset({"b", "a"})) == key("x", frozenset({"a", "b"}))
    assert key("x", "qpv", 2024) != key("x", "qpv", 2023)
    assert key("x", 1) != key("y", 1)


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server expected in CI (make test installs it)")
        pytest.skip("redis-server not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", client
    process.terminate()
    process.wait(timeout=10)


def test_cached_values_go_to_redis_and_are_shared(redis_url, monkeypatch):
    url, client = redis_url
    monkeypatch.setenv("ATLAS_REDIS_URL", url)
    calls = []

    @cache_module.cached("test-square")
    def square(x):
        calls.append(x)
        return {"square": x * x}

    # Two apps stand for two workers sharing one Redis.
    first, second = Flask("worker1"), Flask("worker2")
    cache_module.init_cache(first)
    with first.app_context():
        assert square(12) == {"square": 144}
    keys = [k.decode() for k in client.keys("atlas:test-square:*")]
    assert keys, "the value was not written to Redis"
    cache_module.init_cache(second)
    with second.app_context():
        assert square(12) == {"square": 144}
    assert calls.count(12) == 1  # the second worker read the first one's result


def test_plain_calls_outside_an_app_are_not_cached():
    calls = []

    @cache_module.cached("test-plain")
    def double(x):
        calls.append(x)
        return 2 * x

    assert double(2) == 4 and double(2) == 4
    assert calls == [2, 2]
