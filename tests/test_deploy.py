"""Production shape: gunicorn with two workers sharing a Redis cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.server


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {seconds} s")


def render_map_page(base: str) -> dict:
    """Ask the router callback for the map page, as the browser does after loading /."""
    body = {
        "output": "..page-content.children...site-header.children..",
        "outputs": [{"id": "page-content", "property": "children"}, {"id": "site-header", "property": "children"}],
        "inputs": [{"id": "url", "property": "pathname", "value": "/"},
                   {"id": "history-nav", "property": "data", "value": None}],
        "state": [{"id": "url", "property": "search", "value": "?indicateur=neet&annee=2019"}],
        "changedPropIds": ["url.pathname"],
    }
    request = urllib.request.Request(base + "/_dash-update-component", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def test_gunicorn_workers_share_the_redis_cache(redis_port):
    import redis

    gunicorn = Path(sys.executable).with_name("gunicorn")
    port = free_port()
    env = {**os.environ, "ATLAS_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "ATLAS_BASEMAP": "aucun"}
    process = subprocess.Popen([str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "120", "app:server"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", process)
        client = redis.Redis(port=redis_port)
        first = render_map_page(base)
        keys = client.keys("atlas:map-payload:*")
        assert keys, "the map payload was not cached in Redis"
        for _ in range(4):  # whichever worker answers, it serves the same page from the shared cache
            assert render_map_page(base) == first
        assert set(keys) <= set(client.keys("atlas:map-payload:*"))
        # The first worker warms every indicator's colouring in the background (gunicorn.conf.py): the shared
        # cache fills with more than the one page asked for.
        deadline = time.time() + 90
        while len(client.keys("atlas:map-payload:*")) <= len(keys) and time.time() < deadline:
            time.sleep(0.5)
        assert len(client.keys("atlas:map-payload:*")) > len(keys), "no colouring was warmed at start-up"
        with urllib.request.urlopen(base + "/", timeout=10) as response:
            assert response.status == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
