"""Shared helpers for the ingestion tests: real-data location, small config builder, one real build per session."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.conftest import require_real_data  # the one rule: skip without real data, fail on CI

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "configs"

# Territories every small test config starts from: France, two regions, three départements.
BASE_TOML = """
title = "test package"
illustrative = false

[[sources]]
id = "test"
title = "Test fixtures"
publisher = "Atlas QPV tests"
licence = "Licence Ouverte 2.0"

[[territories]]
name = "france"
level = "france"
vintage = "test"
rows = [{ code = "FR", name = "France" }]
fields = { code = "code", name = "name" }

[[territories]]
name = "régions"
level = "region"
vintage = "test"
rows = [{ code = "76", name = "Occitanie" }, { code = "94", name = "Corse" }]
fields = { code = "code", name = "name" }

[[territories]]
name = "départements"
level = "departement"
vintage = "test"
rows = [{ code = "09", name = "Ariège", reg = "76" }, { code = "2A", name = "Corse-du-Sud", reg = "94" },
        { code = "2B", name = "Haute-Corse", reg = "94" }]
fields = { code = "code", name = "name", region_code = "reg" }
"""


def write_config(folder: Path, extra: str = "", *, base: bool = True) -> Path:
    path = folder / "sources.toml"
    path.write_text((BASE_TOML if base else "") + textwrap.dedent(extra), encoding="utf-8")
    return path


@pytest.fixture
def make_config():
    """``make_config(folder, extra_toml)`` writes sources.toml: the base territories plus ``extra_toml``."""
    return write_config



@pytest.fixture(scope="session")
def real_build(tmp_path_factory):
    """The real Occitanie package, built once for every test that needs it: (package, report, out folder)."""
    from atlas.ingest.config import load_config
    from atlas.ingest.pipeline import build

    real = require_real_data()
    out = tmp_path_factory.mktemp("real") / "package"
    package, report = build(load_config(CONFIGS / "real-occitanie.toml", real), out, progress=False)
    return package, report, out
