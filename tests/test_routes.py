"""Every route answers; unknown routes and codes get a real 404."""

from __future__ import annotations

import pytest

from atlas.routes import resolve
from callbacks.router import page_for

PAGES = ["/", "/barometre", "/credits", "/comparer", "/donnees", "/a-propos"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_200(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b'<html lang="fr">' in response.data


def test_known_qpv_profile_answers_200(client, service):
    code = service.codes("qpv")[0]
    assert client.get(f"/qpv/{code}").status_code == 200


@pytest.mark.parametrize("path", ["/qpv/QN999999", "/qpv/../etc", "/nowhere", "/carte/extra"])
def test_unknown_paths_and_codes_answer_404(client, path):
    assert client.get(path).status_code == 404


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert response.get_json()["illustrative"] is True


def test_resolve():
    assert resolve("/").page == "carte"
    assert resolve("/a-propos/").page == "a-propos"
    assert resolve("/qpv/QN013001", lambda c: c == "QN013001").params == {"code": "QN013001"}
    assert resolve("/qpv/qn013001", lambda c: c == "QN013001").page == "qpv"
    assert resolve("/qpv/QN013001", lambda c: False).params["reason"] == "unknown_code"


def text_of(component) -> str:
    """All text of a component tree, for asserting what a page says."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def test_router_renders_each_page_as_a_plain_function(service):
    for path in PAGES:
        assert text_of(page_for(path)), path
    assert "404" in text_of(page_for("/qpv/QN999999"))
    assert "QN999999" in text_of(page_for("/qpv/QN999999"))
    assert "Données illustratives" in text_of(page_for("/a-propos")) or "illustratives" in text_of(
        page_for("/a-propos"))


def test_debug_tools_are_off_by_default(dash_app):
    assert not dash_app._dev_tools.ui


def test_navigation_highlights_the_current_section(service):
    from callbacks.router import _nav_path

    assert _nav_path("/barometre/") == "/barometre"
    assert _nav_path(f"/qpv/{service.codes('qpv')[0]}") == "/"
    assert _nav_path("/nowhere") == ""


def test_footer_names_levels_and_vintages(service):
    from layouts.shell import geography_note

    note = geography_note(service.manifest)
    assert "Quartier prioritaire (QPV) : QPV 2024" in note and "Département : COG 2018" in note
