"""The app in a subprocess on a free loopback port, as ``make run`` serves it (for tests on real packages)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

from tests.conftest import ROOT, free_port


@contextlib.contextmanager
def served_app(env: dict, what: str, timeout: float = 120):
    """Yield the base URL once /healthz answers; fail with the app's last words if it does not start.

    The app's log goes to a temporary file: a pipe nobody reads would block the server once full (every
    request is logged), which a session-long server reaches.
    """
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=ROOT,
                                   env=env, stdout=subprocess.DEVNULL, stderr=log)

        def last_words() -> str:
            log.seek(0)
            return log.read().decode(errors="replace")[-2000:]

        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"the app did not start on {what}: {last_words()}")
                time.sleep(0.5)
        else:
            process.kill()
            pytest.fail(f"the app did not answer /healthz within {timeout:.0f} s: {last_words()}")
        try:
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)
