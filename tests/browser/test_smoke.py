"""The atlas loads in a real headless Chromium, in French, with the illustrative banner."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def test_home_loads_with_banner_and_navigation(page, live_server):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector("#illustrative-banner")
    assert "Données illustratives" in page.inner_text("#illustrative-banner")
    nav = page.inner_text("nav.site-nav")
    for label in ("Carte", "Baromètre", "Crédits", "Comparer", "Données", "À propos"):
        assert label in nav
    assert page.get_attribute("html", "lang") == "fr"
    path = screenshot(page, "home")
    assert path.stat().st_size > 10_000
    assert errors == []


def test_unknown_page_shows_404_with_search(page, live_server):
    response = page.goto(live_server + "/qpv/QN999999", wait_until="networkidle")
    assert response.status == 404
    page.wait_for_selector("text=Page introuvable")
    page.fill("#search-404", "Marseille")
    page.wait_for_selector("#search-404-results li a")
    assert "Marseille" in page.inner_text("#search-404-results")
    screenshot(page, "not-found")
