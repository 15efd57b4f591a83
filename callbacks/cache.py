"""The one cache of derived values: in-process by default, Redis when several workers share it.

A key is ``namespace:package fingerprint:digest of the arguments``. The digest is taken from the arguments
exactly as the function receives them (canonical JSON: dict keys and sets sorted, nothing else changed), so
two calls share an entry only when they compute the same thing: no lower-casing, no guessed conversions —
that is what let ``"CULTURE"`` poison the entry of ``"culture"``. Callers validate values against the package
*before* calling (or pass ``validate=`` to the decorator, which then feeds the function the validated values).

Bounded: each function stores at most ``ATLAS_CACHE_VARIANTS`` distinct entries per worker and timeout, and
Redis itself must run with a ``maxmemory`` and an eviction policy (README). A cache outage never breaks a page:
values are computed without it, one log line says so, ``/healthz`` reports ``cache: degraded``, and the cache
is retried every ``RETRY_SECONDS``.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app, has_app_context
from flask_caching import Cache

from atlas import settings as atlas_settings
from atlas.i18n import current_language

cache = Cache()
log = logging.getLogger("atlas.cache")
RETRY_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 0.5  # a dead Redis costs at most this per retry, not a TCP timeout per request


class CacheHealth:
    """Remembers whether the cache answers; logs one line per change of state, not one per request."""

    def __init__(self):
        self._lock = threading.Lock()
        self.failing_since: float | None = None
        self._next_try = 0.0

    @property
    def status(self) -> str:
        return "ok" if self.failing_since is None else "degraded"

    def usable(self) -> bool:
        return self.failing_since is None or time.monotonic() >= self._next_try

    def failed(self, exc: Exception) -> None:
        with self._lock:
            self._next_try = time.monotonic() + RETRY_SECONDS
            if self.failing_since is None:
                self.failing_since = time.time()
                log.error("cache unavailable, serving without it (retry every %.0f s): %s: %s", RETRY_SECONDS,
                          type(exc).__name__, str(exc)[:200])

    def succeeded(self) -> None:
        if self.failing_since is None:
            return
        with self._lock:
            if self.failing_since is not None:
                log.warning("cache available again after %.0f s", time.time() - self.failing_since)
                self.failing_since = None

    def reset(self) -> None:
        with self._lock:
            self.failing_since, self._next_try = None, 0.0


class VariantBudget:
    """At most ``limit`` stored variants per namespace and window (one cache timeout), in this worker."""

    def __init__(self, limit: int = 2000, window: float = 3600.0):
        self.limit, self.window = limit, window
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def take(self, namespace: str) -> bool:
        now = time.monotonic()
        with self._lock:
            start, count = self._counts.get(namespace, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            if count >= self.limit:
                self._counts[namespace] = (start, count)
                return False
            self._counts[namespace] = (start, count + 1)
            return True


class _Unbound:
    """Health and budget outside any app (plain calls): never used to store anything."""

    health = CacheHealth()
    budget = VariantBudget()


def _state():
    return current_app.extensions.get("atlas_cache", _Unbound) if has_app_context() else _Unbound


def health() -> CacheHealth:
    """The cache health of the current app (one per app, so a test app's outage stays its own)."""
    return _state().health


def budget() -> VariantBudget:
    return _state().budget


class CacheState:
    def __init__(self, limit: int, window: float):
        self.health = CacheHealth()
        self.budget = VariantBudget(limit, window)


def init_cache(server, settings=None) -> Cache:
    settings = settings if settings is not None else atlas_settings.load()
    redis_url = settings["ATLAS_REDIS_URL"]
    timeout = settings["ATLAS_CACHE_TIMEOUT"]
    if redis_url:
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url, "CACHE_KEY_PREFIX": "atlas:",
                  "CACHE_OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                                    "socket_timeout": REDIS_TIMEOUT_SECONDS}}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    config["CACHE_DEFAULT_TIMEOUT"] = timeout
    cache.init_app(server, config=config)
    server.extensions["atlas_cache"] = CacheState(settings["ATLAS_CACHE_VARIANTS"], float(timeout))
    if redis_url:
        warn_if_redis_is_unbounded(redis_url)
    return cache


def redis_bounds_problem(config: dict) -> str | None:
    """What is wrong with a Redis's ``CONFIG GET maxmemory*`` answer for a cache (None: bounded and evicting)."""
    maxmemory = str(config.get("maxmemory", "")).strip()
    policy = str(config.get("maxmemory-policy", "")).strip()
    if maxmemory in ("", "0"):
        return "no maxmemory (it grows until the machine runs out of memory)"
    if policy in ("", "noeviction"):
        return f"maxmemory-policy {policy or 'unknown'} (writes fail once full instead of evicting)"
    return None


def warn_if_redis_is_unbounded(redis_url: str) -> None:
    """One warning at start-up when the shared Redis is unbounded; silent when it cannot say (managed Redis
    without CONFIG, or down: the outage is logged by the first request)."""
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                      socket_timeout=REDIS_TIMEOUT_SECONDS)
        config = {**client.config_get("maxmemory"), **client.config_get("maxmemory-policy")}
    except (redis.RedisError, OSError, ValueError):
        return
    problem = redis_bounds_problem(config)
    if problem:
        log.warning("Redis cache has %s: run it with maxmemory and allkeys-lru (README, « Redis in production »)",
                    problem)


def canonical(value):
    """A JSON-able form of ``value`` that keeps every distinction the function could see.

    Strings keep their case and spaces; ``"2024"`` and ``2024`` stay different; only orderings that carry no
    meaning (dict keys, sets) are fixed.
    """
    if isinstance(value, set | frozenset):
        return {"__set__": sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, default=str))}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    return value


normalise = canonical  # the former name, kept for callers


def cache_key(namespace: str, *args, **kwargs) -> str:
    payload = json.dumps([canonical(list(args)), canonical(kwargs)], sort_keys=True, default=repr)
    return f"{namespace}:{hashlib.sha256(payload.encode()).hexdigest()[:40]}"


def package_fingerprint() -> str:
    """Identifies the package being served (computed once by the service), so no cache mixes two packages."""
    from callbacks.state import service

    try:
        return service().fingerprint
    except RuntimeError:  # no package loaded (a bare Flask app in tests)
        return "no-package"


def cache_get(key: str):
    state = health()
    if not state.usable():
        return None
    try:
        value = cache.get(key)
    except Exception as exc:  # an outage must not break a page
        state.failed(exc)
        return None
    state.succeeded()
    return value


def cache_set(key: str, value) -> None:
    state = health()
    if not state.usable():
        return
    try:
        cache.set(key, value)
    except Exception as exc:
        state.failed(exc)
    else:
        state.succeeded()


def probe() -> str:
    """Ask the cache now (used by ``/healthz``): ``ok`` or ``degraded``."""
    if health().usable():
        with contextlib.suppress(Exception):
            cache_get("healthz-probe")
    return health().status


def cached(namespace: str, *, validate: Callable | None = None):
    """Memoise a pure function of JSON-able arguments in the app cache (no-op outside an app).

    ``validate(*args, **kwargs) -> (args, kwargs)`` — optional — turns raw values into the validated values the
    function computes with; the key is built from those, so hostile variants of one value share one entry.
    """

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if validate is not None:
                args, kwargs = validate(*args, **kwargs)
            if not has_app_context():  # called as a plain function, e.g. in unit tests
                return fn(*args, **kwargs)
            scope = f"{namespace}:{package_fingerprint()}"
            # Results may hold text: one entry per interface language (budgeted together).
            key = cache_key(f"{scope}:{current_language()}", *args, **kwargs)
            hit = cache_get(key)
            if hit is not None:
                return hit
            result = fn(*args, **kwargs)
            if budget().take(scope):
                cache_set(key, result)
            return result

        wrapper.uncached = fn
        wrapper.namespace = namespace
        return wrapper

    return decorate


class RecentBytes:
    """The worker's most recent cached answers (immutable bytes, so sharing them is safe), in front of Redis:
    a hit costs neither a round trip nor a copy. Bounded in entries and bytes; entries expire like the cache."""

    def __init__(self, entries: int = 256, total_bytes: int = 64_000_000, seconds: float = 300.0):
        self.entries, self.total_bytes, self.seconds = entries, total_bytes, seconds
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > self.seconds:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, value: bytes) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            self._bytes -= len(old[1]) if old else 0
            self._items[key] = (time.monotonic(), value)
            self._bytes += len(value)
            while self._items and (len(self._items) > self.entries or self._bytes > self.total_bytes):
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= len(dropped)


# Callbacks marked with ``pure_response``: their whole answer is cached like the router's (see below).
PURE_CALLBACKS: set[Callable] = set()


def pure_response(fn: Callable) -> Callable:
    """Mark a callback (under its ``@callback``) whose answer depends on nothing but the package and the request
    body — no time, no session, no randomness — so that ``install_response_cache`` may answer it from the cache."""
    PURE_CALLBACKS.add(fn)
    return fn


def is_pure_output(callback_map: dict, output) -> bool:
    """Whether the callback Dash registered under ``output`` was marked with ``pure_response``."""
    entry = callback_map.get(output) if isinstance(output, str) else None
    return bool(entry) and getattr(entry.get("callback"), "__wrapped__", None) in PURE_CALLBACKS


def install_response_cache(server, endpoint: str, outputs: set[str], callback_map: dict | None = None) -> None:
    """Cache whole answers of pure callbacks (e.g. the router: a page is a function of package and URL).

    ``outputs`` names them by their output string; ``callback_map`` (the Dash app's) finds the callbacks marked
    with ``pure_response`` (the map's: a warm map change then costs a hash and a dictionary look-up).
    The key is the exact request body (canonical JSON), the package fingerprint and the interface language: two
    requests share an answer only when Dash would compute the same one. Counted in the variant budget like any
    cached function, so hostile URLs cannot fill the cache. Answers are stored gzipped (compressed once, not per
    request).
    """
    from flask import Response, g, request

    recent = RecentBytes()

    @server.before_request
    def answer_from_cache():
        if request.method != "POST" or request.path != endpoint:
            return None
        body = request.get_json(silent=True)
        output = body.get("output") if isinstance(body, dict) else None
        # A list or a dict is not hashable: the shape is checked before any lookup.
        if not isinstance(output, str) or (output not in outputs and not is_pure_output(callback_map or {}, output)):
            return None
        scope = f"response:{body['output']}:{package_fingerprint()}:{current_language()}"
        key = cache_key(scope, body)
        hit = recent.get(key)
        if hit is None:
            hit = cache_get(key)
            if hit is not None:
                recent.put(key, hit)
        if hit is None:
            g.atlas_response_cache = (scope, key)
            return None
        headers = {"Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            return Response(hit, mimetype="application/json", headers={**headers, "Content-Encoding": "gzip"})
        return Response(gzip.decompress(hit), mimetype="application/json", headers=headers)

    @server.after_request
    def store_in_cache(response):
        pending = g.pop("atlas_response_cache", None)
        if pending and response.status_code == 200 and not response.direct_passthrough \
                and budget().take(pending[0]):
            stored = gzip.compress(response.get_data(), compresslevel=6)  # compressed once, not per request
            cache_set(pending[1], stored)
            recent.put(pending[1], stored)
        return response
