"""Shared fixtures: the illustrative demo package, the app, a live server and a headless Chromium.

The embedded ``data/`` is the real national package; most tests need the demo's known, complete
content instead, so the demo is built once into ``.cache/`` (keyed by the generator's source) and the
app under test serves it (``ATLAS_DATA_DIR`` is set before ``app`` is imported). Tests of the embedded
package use ``EMBEDDED_DATA_DIR``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from atlas import settings

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DATA_DIR = ROOT / "data"
ARTIFACTS = ROOT / "artifacts"
# The tests (never the app) know where the workplace keeps the real open data.
REAL_DATA = settings.value("ATLAS_REAL_DATA") or ROOT.parent / "shared" / "data" / "real"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _demo_package() -> Path:
    """The demo package for this generator version, built on first use (≈ 10 s), then reused."""
    sources = [*sorted((ROOT / "atlas" / "demo").rglob("*")),
               *(ROOT / "atlas" / name for name in ("schema.py", "package.py", "presentation.py"))]
    digest = hashlib.sha256()
    for path in sources:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    target = ROOT / ".cache" / f"demo-{digest.hexdigest()[:16]}"
    if (target / "manifest.json").is_file():
        return target
    from atlas.demo.generator import build_demo

    target.parent.mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="demo-building-", dir=target.parent))
    build_demo(staging)
    try:
        staging.rename(target)  # atomic: a concurrent run either sees nothing or a whole package
    except OSError:  # another run published the same version first
        shutil.rmtree(staging, ignore_errors=True)
    return target


DATA_DIR = _demo_package()
os.environ["ATLAS_DATA_DIR"] = str(DATA_DIR)


def require_real_data() -> Path:
    """The real open-data folder; skipped when absent, except in CI where absence is a failure."""
    if (REAL_DATA / "SOURCES.md").is_file():
        return REAL_DATA
    if os.environ.get("CI") == "true":
        pytest.fail(f"real data expected in CI at {REAL_DATA}")
    pytest.skip(f"real data not available at {REAL_DATA}")


@pytest.fixture(scope="session")
def real_data() -> Path:
    return require_real_data()


@pytest.fixture(scope="session")
def package():
    from atlas.package import load_package

    return load_package(DATA_DIR)


@pytest.fixture(scope="session")
def dash_app():
    import app as app_module

    return app_module.app


@pytest.fixture(scope="session")
def service(dash_app):
    from callbacks.state import service as current

    return current()


@pytest.fixture
def app_context(dash_app):
    """The shared cache is live inside an app context (the callbacks memoise there); empty before and after."""
    from callbacks.cache import cache

    with dash_app.server.app_context():
        cache.clear()
        yield
        cache.clear()


@pytest.fixture
def serve_package(app_context):
    """``serve_package(folder)``: the callbacks serve that package (and return its service) until the test ends."""
    from atlas.package import load_package
    from atlas.service import AtlasService
    from callbacks import state

    previous = state.service()

    def serve(folder):
        state.set_service(AtlasService(load_package(folder)))
        return state.service()

    yield serve
    state.set_service(previous)


@pytest.fixture(scope="session")
def client(dash_app):
    return dash_app.server.test_client()


@pytest.fixture(scope="session")
def live_server(dash_app):
    """The app served on a free loopback port for the browser tests."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, dash_app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium expected in CI at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    # Playwright's string predicates (wait_for_function("…")) run through eval, which the app's CSP forbids:
    # functional tests bypass the CSP; tests/browser/test_csp.py checks the real one with `csp_page`.
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def csp_page(browser):
    """A page that enforces the app's Content-Security-Policy, as a visitor's browser does."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_port():
    """A throw-away redis-server on loopback (installed by ``make test``; required in CI)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server expected in CI (make test installs it)")
        pytest.skip("redis-server not installed")
    import redis

    port = free_port()
    # The production settings the README documents: bounded memory, least recently used keys evicted first.
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"],
                               stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield port
    process.terminate()
    process.wait(timeout=10)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
