"""axe-core on every page, desktop and phone, on the demo package and on the embedded national one.

Fails on any critical or serious violation (rule ids and targets in the message); on a 390 px phone no page
scrolls sideways. Each page is visited once per viewport; phone screenshots land in artifacts/screenshots/.
"""

from __future__ import annotations

import pytest

from tests.browser.audit import VIEWPORTS, describe, page_paths, record, visit
from tests.conftest import DATA_DIR, EMBEDDED_DATA_DIR

pytestmark = pytest.mark.browser

PACKAGES = {"demo": DATA_DIR, "national": EMBEDDED_DATA_DIR}
_VISITS: dict = {}


@pytest.fixture
def audited(request, browser):
    """The visits of every page for (package, viewport), made once and shared by the tests below."""
    def run(package: str, viewport: str) -> dict:
        key = (package, viewport)
        if key not in _VISITS:
            base = request.getfixturevalue("live_server" if package == "demo" else "embedded_server")
            visits = {}
            for name, path in page_paths(PACKAGES[package]).items():
                shot = f"{viewport}-{package}-{name}" if viewport == "phone" else None
                visits[name] = visit(browser, base, path, viewport, shot=shot)
            record(f"{package}-{viewport}", visits)
            _VISITS[key] = visits
        return _VISITS[key]
    return run


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("package", list(PACKAGES))
def test_no_critical_or_serious_axe_violation(audited, package, viewport):
    visits = audited(package, viewport)
    assert len(visits) == 9
    problems = describe(visits)
    assert problems == "", f"axe-core, {package}, {viewport}:\n{problems}"


@pytest.mark.parametrize("package", list(PACKAGES))
def test_no_page_scrolls_sideways_on_a_phone(audited, package):
    visits = audited(package, "phone")
    too_wide = {key: v.scroll_width for key, v in visits.items() if v.scroll_width > VIEWPORTS["phone"]["width"]}
    assert too_wide == {}, f"pages wider than a 390 px phone ({package}): {too_wide}"


@pytest.mark.parametrize("package", list(PACKAGES))
def test_every_page_has_one_h1_and_no_skipped_heading_level(audited, package):
    visits = audited(package, "desktop")
    problems = {key: v.heading_problems() for key, v in visits.items() if v.heading_problems()}
    assert problems == {}, f"heading outline ({package}): {problems}"
