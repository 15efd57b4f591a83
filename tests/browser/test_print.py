"""Printing: a profile fits on at most 4 A4 pages and a comparison on at most 3, the first page full.

Measured with Chromium's own PDF (``page.pdf(format="A4")``, the print stylesheet applied) and pypdf, on
the demo package and on the embedded national one.
"""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader

from tests.browser.audit import page_paths, wait_until_rendered
from tests.conftest import ARTIFACTS, DATA_DIR, EMBEDDED_DATA_DIR

pytestmark = pytest.mark.browser

PACKAGES = {"demo": DATA_DIR, "national": EMBEDDED_DATA_DIR}
LIMITS = {"profil": 4, "comparer": 3}


def printed_pages(browser, url: str, name: str) -> list[str]:
    """The text of each A4 page Chromium prints for ``url`` (the PDF is kept in artifacts/print/)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded", timeout=60_000)
        wait_until_rendered(page)
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        context.close()
    folder = ARTIFACTS / "print"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.pdf").write_bytes(pdf)
    # NFKC: the PDF's typographic ligatures (« ﬀ », « ﬁ ») back to plain letters.
    return [unicodedata.normalize("NFKC", sheet.extract_text() or "") for sheet in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("kind", list(LIMITS))
@pytest.mark.parametrize("package", list(PACKAGES))
def test_print_fits_on_few_a4_pages_without_blank_first_page(request, browser, package, kind):
    base = request.getfixturevalue("live_server" if package == "demo" else "embedded_server")
    path = page_paths(PACKAGES[package])[kind]
    pages = printed_pages(browser, base + path, f"{package}-{kind}")
    assert 1 <= len(pages) <= LIMITS[kind], f"{path} prints on {len(pages)} A4 pages (≤ {LIMITS[kind]} expected)"
    first = pages[0]
    # The first sheet carries the page's title and a real share of its content, not a lone header.
    assert "Atlas QPV" in first
    assert len(first) >= 1000, f"first printed page of {path} nearly blank ({len(first)} characters)"
    if kind == "profil":
        assert "Chiffres clés" in "".join(pages[:2])
    else:
        assert "Tous les indicateurs" in "".join(pages)
