"""The barometer, the credits, the comparison and the open-data page on the real package, in Chromium:
never « None », « nan », « non disponible ( », an empty legend or an empty chart, whatever filter a
visitor picks first."""

from __future__ import annotations

import pytest

from tests.browser.test_real_profiles import page_problems, real_site  # noqa: F401 (fixture)
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

PAGES = {
    "barometre": "/barometre",
    "barometre-education": "/barometre?ministere=education",
    "barometre-travail": "/barometre?ministere=travail",
    "credits": "/credits",
    "comparer": "/comparer?codes=qpv:QP093005,qpv:QP069001,commune:93066",
    "donnees": "/donnees",
    "a-propos": "/a-propos",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_real_page_is_never_empty_nor_broken(page, real_site, name):  # noqa: F811
    base, _ = real_site
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(base + PAGES[name], wait_until="networkidle", timeout=90_000)
    assert response.status == 200
    page.wait_for_selector("main h1", timeout=60_000)
    page.wait_for_timeout(500)  # charts drawn after the last callback
    assert "illustratif" not in page.inner_text("body").lower()
    problems = page_problems(page, name)
    screenshot(page, f"real-national-{name}")
    assert problems == [], "\n".join(problems[:30])
    assert errors == []
