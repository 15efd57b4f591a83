"""Every page renders on a minimal package (few levels, one indicator, one credit line) without error."""

from __future__ import annotations

import pytest

from atlas.package import load_package
from atlas.service import AtlasService
from callbacks import state
from callbacks.cache import package_fingerprint
from callbacks.router import page_for
from tests.conftest import DATA_DIR
from tests.test_routes import text_of
from tests.tiny import write_tiny


@pytest.fixture
def tiny_service(tmp_path, dash_app):
    write_tiny(tmp_path)
    previous = state.service()
    state.set_service(AtlasService(load_package(tmp_path)))
    yield state.service()
    state.set_service(previous)


@pytest.mark.parametrize("path", ["/", "/barometre", "/credits", "/comparer", "/donnees", "/a-propos",
                                  "/qpv/QP093001", "/qpv/QN09301M"])
def test_pages_render_on_a_minimal_package(tiny_service, dash_app, path):
    with dash_app.server.test_request_context():
        assert text_of(page_for(path, ""))


def test_cache_keys_differ_between_packages(tiny_service, dash_app):
    tiny = package_fingerprint()
    state.set_service(AtlasService(load_package(DATA_DIR)))
    assert package_fingerprint() != tiny
