"""Derived values: one cache keyed by namespace, package fingerprint and the exact (validated) arguments."""

from __future__ import annotations

import logging

from flask import Flask

from atlas import settings as atlas_settings
from callbacks import cache as cache_module


def settings_for(**values):
    return atlas_settings.load({k: str(v) for k, v in values.items()})


def test_keys_keep_every_distinction_the_function_sees():
    key = cache_module.cache_key
    # The function computes with the raw value: "CULTURE" and "culture" must never share an entry (that was the
    # shared-cache poisoning of issue 11), nor "2024" and 2024, nor "asc" and "ASC".
    assert key("x", "CULTURE") != key("x", "culture")
    assert key("x", "qpv ", "2024") != key("x", "qpv", 2024)
    assert key("x", [{"column_id": "year", "direction": "ASC"}]) != key("x", [{"column_id": "year",
                                                                                "direction": "asc"}])
    # Orderings that carry no meaning are fixed.
    assert key("x", {"b": 1, "a": [2, 1]}) == key("x", {"a": [2, 1], "b": 1})
    assert key("x", frozenset({"b", "a"})) == key("x", frozenset({"a", "b"}))
    assert key("x", [2, 1]) != key("x", [1, 2])
    assert key("x", 1) != key("y", 1)


def test_validated_arguments_are_what_is_computed_and_keyed(dash_app):
    calls = []

    def known_ministry(ministry):
        return ((ministry if ministry in {"culture", "justice"} else "culture",), {})

    @cache_module.cached("test-validated", validate=known_ministry)
    def commitments(ministry):
        calls.append(ministry)
        return {"ministry": ministry}

    with dash_app.server.app_context():
        cache_module.cache.clear()
        assert commitments("CULTURE") == {"ministry": "culture"}  # the invalid value became the default…
        assert commitments("culture") == {"ministry": "culture"}  # …and shares the default's entry
        assert commitments("justice") == {"ministry": "justice"}
    assert calls == ["culture", "justice"]


def test_the_fingerprint_is_computed_once_by_the_service(service):
    from atlas.service import package_fingerprint

    assert service.fingerprint == package_fingerprint(service.manifest) == cache_module.package_fingerprint()
    assert not hasattr(service.package, "_cache_fingerprint")  # nothing patched onto the package
    changed = {**service.manifest, "files": {**service.manifest["files"], "credits.parquet": {"sha256": "0" * 64}}}
    assert package_fingerprint(changed) != service.fingerprint


def test_each_namespace_stores_a_bounded_number_of_variants(dash_app):
    calls = []

    @cache_module.cached("test-bounded")
    def echo(x):
        calls.append(x)
        return {"x": x}

    with dash_app.server.app_context():
        budget = cache_module.budget()
        previous, budget.limit = budget.limit, 5
        try:
            cache_module.cache.clear()
            for x in range(20):
                echo(x)
            for x in range(20):
                echo(x)
        finally:
            budget.limit = previous
    assert calls.count(0) == 1 and calls.count(4) == 1  # the first five variants were stored
    assert calls.count(19) == 2  # the rest were computed, not stored


def test_cached_values_go_to_redis_and_are_shared(redis_port):
    import redis

    client = redis.Redis(port=redis_port)
    calls = []

    @cache_module.cached("test-square")
    def square(x):
        calls.append(x)
        return {"square": x * x}

    # Two apps stand for two workers sharing one Redis.
    settings = settings_for(ATLAS_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")
    first, second = Flask("worker1"), Flask("worker2")
    cache_module.init_cache(first, settings)
    with first.app_context():
        assert square(12) == {"square": 144}
    keys = [k.decode() for k in client.keys("atlas:test-square:*")]
    assert keys, "the value was not written to Redis"
    cache_module.init_cache(second, settings)
    with second.app_context():
        assert square(12) == {"square": 144}
    assert calls.count(12) == 1  # the second worker read the first one's result


def test_an_unbounded_redis_is_reported_once_at_start(redis_port, caplog):
    """150 requests once added 119 MB to a Redis without maxmemory: such a Redis is now named at start-up."""
    import redis

    client = redis.Redis(port=redis_port)
    settings = settings_for(ATLAS_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")
    with caplog.at_level(logging.WARNING, logger="atlas.cache"):
        cache_module.init_cache(Flask("bounded"), settings)  # the README's settings (the fixture's): silent
        assert not [r for r in caplog.records if r.name == "atlas.cache"]
        client.config_set("maxmemory", 0)
        cache_module.init_cache(Flask("unbounded"), settings)
        client.config_set("maxmemory", "64mb")
        client.config_set("maxmemory-policy", "noeviction")
        cache_module.init_cache(Flask("not-evicting"), settings)
        client.config_set("maxmemory-policy", "allkeys-lru")
    lines = [r.getMessage() for r in caplog.records if r.name == "atlas.cache"]
    assert len(lines) == 2 and "no maxmemory" in lines[0] and "noeviction" in lines[1]


def test_redis_bounds_are_read_from_its_configuration():
    problem = cache_module.redis_bounds_problem
    assert problem({"maxmemory": "268435456", "maxmemory-policy": "allkeys-lru"}) is None
    assert problem({"maxmemory": "268435456", "maxmemory-policy": "volatile-lru"}) is None
    assert "no maxmemory" in problem({"maxmemory": "0", "maxmemory-policy": "allkeys-lru"})
    assert "noeviction" in problem({"maxmemory": "1000", "maxmemory-policy": "noeviction"})
    assert "no maxmemory" in problem({})


def test_a_redis_outage_logs_once_and_degrades_the_health(caplog):
    from tests.conftest import free_port

    calls = []

    @cache_module.cached("test-outage")
    def triple(x):
        calls.append(x)
        return 3 * x

    server = Flask("no-redis")
    cache_module.init_cache(server, settings_for(ATLAS_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))
    with caplog.at_level(logging.WARNING, logger="atlas.cache"), server.app_context():
        assert [triple(x) for x in range(30)] == [3 * x for x in range(30)]  # pages keep being served
        assert cache_module.probe() == "degraded"
    lines = [r for r in caplog.records if r.name == "atlas.cache"]
    assert len(lines) == 1 and "cache unavailable" in lines[0].getMessage()
    assert calls == list(range(30))


def test_healthz_reports_the_cache_state(client, dash_app, monkeypatch):
    assert client.get("/healthz").get_json()["cache"] == "ok"

    def broken(key):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache_module.cache, "get", broken)
    try:
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.get_json()["cache"] == "degraded" and response.get_json()["status"] == "ok"
    finally:
        monkeypatch.undo()
        with dash_app.server.app_context():
            cache_module.health().reset()
    assert client.get("/healthz").get_json()["cache"] == "ok"


def test_plain_calls_outside_an_app_are_not_cached():
    calls = []

    @cache_module.cached("test-plain")
    def double(x):
        calls.append(x)
        return 2 * x

    assert double(2) == 4 and double(2) == 4
    assert calls == [2, 2]


def router_body(path: str, search: str = "") -> dict:
    return {"output": "..page-content.children...site-header.children..",
            "outputs": [{"id": "page-content", "property": "children"}, {"id": "site-header", "property": "children"}],
            "inputs": [{"id": "url", "property": "pathname", "value": path},
                       {"id": "history-nav", "property": "data", "value": None}],
            "state": [{"id": "url", "property": "search", "value": search}], "changedPropIds": ["url.pathname"]}


def test_pages_are_served_from_the_response_cache(client, dash_app, monkeypatch):
    import callbacks.router as router

    built = []
    original = router.page_for
    monkeypatch.setattr(router, "page_for", lambda path, search=None: built.append((path, search))
                        or original(path, search))
    import uuid

    search = f"?essai={uuid.uuid4().hex}"  # never asked before, in any cache tier
    first = client.post("/_dash-update-component", json=router_body("/a-propos", search),
                        headers={"Accept-Encoding": "gzip"})
    again = client.post("/_dash-update-component", json=router_body("/a-propos", search),
                        headers={"Accept-Encoding": "gzip"})
    plain = client.post("/_dash-update-component", json=router_body("/a-propos", search))
    other = client.post("/_dash-update-component", json=router_body("/a-propos", search + "x"))
    assert built == [("/a-propos", search), ("/a-propos", search + "x")]  # the same request was built once
    assert again.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    import gzip
    import json

    assert json.loads(gzip.decompress(first.data)) == json.loads(gzip.decompress(again.data)) == plain.get_json()
    assert other.status_code == 200
