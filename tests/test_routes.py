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


def test_each_page_is_declared_once_with_a_layout_that_exists():
    from atlas.routes import NAVIGATION, PAGES
    from callbacks.router import layout_function

    assert len({p.name for p in PAGES}) == len(PAGES) and len({p.path for p in PAGES}) == len(PAGES)
    for page in PAGES:
        assert callable(layout_function(page)), page.name
        assert page.title
    assert tuple((p.path, p.nav_label) for p in PAGES if p.nav_label) == NAVIGATION


def test_the_router_does_not_import_the_command_line():
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = "import sys, callbacks.router; print('atlas.cli' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr[-500:]


def test_the_readme_settings_table_is_the_declared_one():
    from atlas.settings import markdown_table
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- settings:begin -->")[1].split("<!-- settings:end -->")[0].strip()
    assert table == markdown_table(), "README settings table out of date: run `python -m atlas settings`"


def test_settings_are_parsed_and_bad_values_name_the_setting():
    from atlas.settings import load

    values = load({"ATLAS_PORT": "9000", "ATLAS_DEBUG": "1", "ATLAS_FRAME_ANCESTORS": "https://a.fr https://b.fr"})
    assert values["ATLAS_PORT"] == 9000 and values["ATLAS_DEBUG"] is True
    assert values["ATLAS_FRAME_ANCESTORS"] == ["https://a.fr", "https://b.fr"]
    assert load({})["ATLAS_REDIS_URL"] is None and load({})["ATLAS_DATA_DIR"].name == "data"
    with pytest.raises(ValueError, match="ATLAS_PORT"):
        load({"ATLAS_PORT": "huit"})


def test_no_module_of_the_app_reads_the_environment_itself():
    import re

    from tests.conftest import ROOT

    for path in [ROOT / "app.py", ROOT / "hardening.py", *(ROOT / "callbacks").glob("*.py"),
                 *(ROOT / "atlas").glob("*.py")]:
        if path.name == "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        # callbacks/map.py is the map helper's: its basemap read moves to settings when the branches merge
        if path.name == "map.py" and path.parent.name == "callbacks":
            continue
        assert not re.search(r"os\.environ|getenv", text), path
