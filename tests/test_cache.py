"""Derived values are cached with normalised keys, in-process or in Redis when several workers share it."""

from __future__ import annotations

from flask import Flask

from callbacks import cache as cache_module


def test_keys_are_normalised():
    key = cache_module.cache_key
    assert key("x", "QPV ", "2024") == key("x", "qpv", 2024)
    assert key("x", {"b": 1, "a": [2, 1]}) == key("x", {"a": [2, 1], "b": 1})
    assert key("x", frozenset({"b", "a"})) == key("x", frozenset({"a", "b"}))
    assert key("x", "qpv", 2024) != key("x", "qpv", 2023)
    assert key("x", 1) != key("y", 1)


def test_cached_values_go_to_redis_and_are_shared(redis_port, monkeypatch):
    import redis

    client = redis.Redis(port=redis_port)
    monkeypatch.setenv("ATLAS_REDIS_URL", f"redis://127.0.0.1:{redis_port}/0")
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
