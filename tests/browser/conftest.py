"""Fixtures shared by the browser audits: the embedded national package served as ``make run`` serves it."""

from __future__ import annotations

import os

import pytest

from tests.browser.served_app import served_app
from tests.conftest import EMBEDDED_DATA_DIR


@pytest.fixture(scope="session")
def embedded_server():
    """The app on the embedded ``data/`` package (the real national one), started once per session."""
    if not (EMBEDDED_DATA_DIR / "manifest.json").is_file():
        pytest.skip("no embedded package in data/")
    env = {**os.environ, "ATLAS_DATA_DIR": str(EMBEDDED_DATA_DIR), "ATLAS_BASEMAP": "aucun"}
    with served_app(env, "the embedded package", timeout=240) as base:
        yield base
