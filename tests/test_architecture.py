"""The architecture's rules (docs/architecture.md), checked on the source rather than remembered."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

APP_FOLDERS = ("atlas", "layouts", "callbacks")
LONGEST = 450  # lines: a longer module is split by what it does (the demo generator apart: it is data)


def modules(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py")
                  if "__pycache__" not in path.parts)


def imported(path: Path) -> set[str]:
    """Top-level packages a module imports (absolute imports; relative ones stay inside their package)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", modules("atlas"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_knows_nothing_of_dash_flask_or_the_pages(path):
    assert not imported(path) & {"dash", "dash_leaflet", "flask", "flask_caching", "layouts", "callbacks"}


@pytest.mark.parametrize("path", modules("layouts"), ids=lambda p: str(p.relative_to(ROOT)))
def test_layouts_are_pure(path):
    """Components from values: no callback, no cache, no service."""
    assert not imported(path) & {"callbacks", "flask", "flask_caching"}


def test_no_module_of_the_app_is_longer_than_it_should_be():
    long = {str(path.relative_to(ROOT)): n for path in modules(*APP_FOLDERS)
            if "demo" not in path.parts and (n := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST}
    assert long == {}


def test_the_check_sees_an_import_of_dash(tmp_path):
    planted = tmp_path / "x.py"
    planted.write_text("from dash import html\nimport flask.json\n")
    assert imported(planted) == {"dash", "flask"}
