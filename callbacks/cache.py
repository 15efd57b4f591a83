"""flask-caching for derived values: in-process by default, Redis when several workers share it.

Keys are built from normalised arguments, so ``("QPV", 2024)`` and ``("qpv", "2024")`` share an entry.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os

from flask import has_app_context
from flask_caching import Cache

cache = Cache()


def init_cache(server) -> Cache:
    redis_url = os.environ.get("ATLAS_REDIS_URL")
    if redis_url:
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url, "CACHE_KEY_PREFIX": "atlas:"}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    config["CACHE_DEFAULT_TIMEOUT"] = int(os.environ.get("ATLAS_CACHE_TIMEOUT", "3600"))
    cache.init_app(server, config=config)
    return cache


def normalise(value):
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isdigit() and len(text) == 4 else text.lower()
    if isinstance(value, list | tuple | set | frozenset):
        items = [normalise(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in sorted(value.items())}
    return value


def cache_key(namespace: str, *args, **kwargs) -> str:
    payload = json.dumps([normalise(list(args)), normalise(kwargs)], sort_keys=True, default=str)
    return f"{namespace}:{hashlib.sha1(payload.encode()).hexdigest()}"


def package_fingerprint() -> str:
    """Identifies the package being served, so that a shared cache never mixes two packages."""
    from callbacks.state import service

    try:
        package = service().package
    except RuntimeError:  # no package loaded (a bare Flask app in tests)
        return "no-package"
    if getattr(package, "_cache_fingerprint", None) is None:
        files = json.dumps(package.manifest.get("files", {}), sort_keys=True)
        package._cache_fingerprint = hashlib.sha1(files.encode()).hexdigest()[:12]
    return package._cache_fingerprint


def cached(namespace: str):
    """Memoise a pure function of JSON-able arguments in the app cache (no-op outside an app)."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if not has_app_context():  # called as a plain function, e.g. in unit tests
                return fn(*args, **kwargs)
            key = cache_key(f"{namespace}:{package_fingerprint()}", *args, **kwargs)
            try:
                hit = cache.get(key)
            except Exception:  # a cache outage must not break a page
                hit = None
            if hit is not None:
                return hit
            result = fn(*args, **kwargs)
            with contextlib.suppress(Exception):
                cache.set(key, result)
            return result

        wrapper.uncached = fn
        return wrapper

    return decorate
