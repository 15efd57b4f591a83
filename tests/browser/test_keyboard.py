"""Keyboard: every control reached with Tab is named and shows where the focus is.

On each page of the demo package, the first tab stops (up to 45) are inspected: the focused element has
an accessible name (label, aria-label(ledby), text, alt or title) and a visible focus indicator (an outline
or a box shadow that differs from its unfocused look).
"""

from __future__ import annotations

import pytest

from tests.browser.audit import page_paths, wait_until_rendered
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.browser

TAB_STOPS = 45
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const text = s => (s || '').replace(/\\s+/g, ' ').trim();
  const byIds = ids => ids.split(/\\s+/).map(id => text((document.getElementById(id) || {}).textContent)).join(' ');
  const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
  const name = text(el.getAttribute('aria-label')) || (el.getAttribute('aria-labelledby')
    ? text(byIds(el.getAttribute('aria-labelledby'))) : '') || text(label && label.textContent)
    || text(el.closest('label') && el.closest('label').textContent) || text(el.textContent)
    || text(el.getAttribute('alt')) || text(el.getAttribute('title')) || text(el.value);
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  return {tag: el.tagName.toLowerCase(), id: el.id, cls: String(el.className).slice(0, 60), name,
          visible: outline || shadow};
}"""


@pytest.mark.parametrize("kind", ["carte", "profil", "comparer", "barometre", "credits", "donnees", "a-propos", "404"])
def test_tab_stops_are_named_and_show_focus(browser, live_server, kind):
    path = page_paths(DATA_DIR)[kind]
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(live_server + path, wait_until="domcontentloaded", timeout=60_000)
        wait_until_rendered(page)
        problems, seen = [], []
        for _ in range(TAB_STOPS):
            page.keyboard.press("Tab")
            stop = page.evaluate(FOCUSED)
            if stop is None:
                continue
            seen.append(stop)
            where = f"{stop['tag']}#{stop['id']}.{stop['cls']}"
            if not stop["name"]:
                problems.append(f"unnamed: {where}")
            if not stop["visible"]:
                problems.append(f"focus not visible: {where} « {stop['name'][:40]} »")
    finally:
        context.close()
    assert len(seen) >= 5, f"{path}: Tab reaches almost nothing ({seen})"
    assert problems == [], f"{path}:\n" + "\n".join(dict.fromkeys(problems))
