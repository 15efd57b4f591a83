"""The French UI shows no English from Dash's own components (dropdown search, table filters, map zoom).

Each page of the demo package is opened, every dropdown opened and searched for something absent (so that its
« no options » text shows), and the page's text and its placeholders, titles and accessible names are read.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.audit import page_paths, wait_until_rendered
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.browser

ENGLISH = re.compile(r"\b(Search|No options found|Clear search|Clear selection|Select all|Deselect all|"
                     r"filter data|Toggle filter case sensitivity|Zoom in|Zoom out|Select\.\.\.|selected)\b")
SHOWN_TEXTS = """() => {
  const out = [document.body.innerText];
  document.querySelectorAll('[placeholder], [title], [aria-label]').forEach(el => {
    for (const name of ['placeholder', 'title', 'aria-label']) {
      if (el.getAttribute(name)) out.push(el.getAttribute(name));
    }
  });
  return out.join('\\n');
}"""


@pytest.mark.parametrize("kind", ["carte", "profil", "comparer", "barometre", "credits", "donnees"])
def test_no_english_from_components(page, live_server, kind):
    page.goto(live_server + page_paths(DATA_DIR)[kind], wait_until="domcontentloaded", timeout=60_000)
    wait_until_rendered(page)
    seen = [page.evaluate(SHOWN_TEXTS)]
    dropdowns = page.locator(".dash-dropdown:visible")
    for index in range(min(dropdowns.count(), 8)):
        dropdowns.nth(index).click()
        page.keyboard.type("zzqqxx")  # nothing matches: the « no options » text shows
        page.wait_for_timeout(200)
        seen.append(page.evaluate(SHOWN_TEXTS))
        page.keyboard.press("Escape")
    english = sorted({m.group(0) for text in seen for m in ENGLISH.finditer(text)})
    assert english == [], f"{kind}: English strings shown: {english}"
    if kind in ("carte", "barometre", "credits"):
        assert "Rechercher" in "".join(seen[1:]) or len(seen) == 1  # the dropdowns' search box speaks French
