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


@pytest.mark.parametrize("path, search", [
    ("/embed/qpv/QP093001", ""), ("/embed/qpv/QN09301M", ""), ("/embed/carte", ""),
    ("/embed/graphique/qpv/evolution", "?quartier=QN09301M"), ("/embed/graphique/qpv/credits", "?quartier=QP093001"),
    ("/embed/graphique/comparer/evolution", "?codes=qpv:QP093001,departement:93&indicateur=taux_pauvrete"),
    ("/embed/graphique/barometre/engagements", ""), ("/embed/graphique/barometre/serie", ""),
    ("/embed/graphique/barometre/couverture", ""),
])
def test_embeds_render_on_a_minimal_package(tiny_service, dash_app, path, search):
    from atlas.embeds import embed_problem
    from atlas.routes import resolve

    route = resolve(path, is_known=tiny_service.is_known)
    assert embed_problem(tiny_service, route.page, route.params, search) is None
    with dash_app.server.test_request_context():
        text = text_of(page_for(path, search))
    assert "Source" in text and "introuvable" not in text
    assert "None" not in text and "nan" not in text
