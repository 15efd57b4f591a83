"""The English interface in a real browser: every page with ?lang=en shows no French outside data.

Visible text and the names screen readers read (aria-label, title, placeholder, alt) are collected; every
string of the package (territory names, indicator labels and notes, sources, measures, manifest) is taken
out, since data stay as published; what remains must hold no French word (tests/french_text.py).
"""

from __future__ import annotations

import bisect
import re

import pytest

from tests.browser.test_history import choose
from tests.conftest import screenshot
from tests.french_text import french_words

pytestmark = pytest.mark.browser

# Names written the same in English (the quick view to Réunion).
PROPER_NOUNS = {"Réunion"}
# Text of elements marked in another language (the switch reads « Français ») is not English UI text.
VISIBLE_TEXT = """() => {
  const names = [];
  const foreign = (el) => { const marked = el.closest("[lang]"); return marked && marked.lang !== "en"; };
  document.querySelectorAll("[aria-label], [title], [placeholder], [alt]").forEach((el) => {
    for (const attr of ["aria-label", "title", "placeholder", "alt"]) {
      if (el.hasAttribute(attr) && !foreign(el)) names.push(el.getAttribute(attr));
    }
  });
  // Charts are read line by line below; innerText would run their lines together.
  const hidden = Array.from(document.body.querySelectorAll("[lang]:not([lang=en]), .js-plotly-plot"));
  hidden.forEach((el) => { el.dataset.display = el.style.display; el.style.display = "none"; });
  const text = document.body.innerText;
  hidden.forEach((el) => { el.style.display = el.dataset.display; delete el.dataset.display; });
  // Chart text, line by line (Plotly breaks long names and titles into lines of one <text>).
  const svg = [];
  document.querySelectorAll(".js-plotly-plot text").forEach((t) => {
    const lines = t.querySelectorAll("tspan.line");
    if (lines.length) { lines.forEach((l) => svg.push(l.textContent)); } else { svg.push(t.textContent); }
  });
  return {text: [text, ...names].join("\\n"), chart: svg};
}"""


def data_strings(service) -> list[str]:
    """Every text of the package, longest first (so that a name is removed before the words inside it)."""
    package = service.package
    found = set()
    for table in (package.territories, package.indicators, package.commitments, package.credits):
        for column in table.columns:
            if table[column].dtype.kind in "OUS" or str(table[column].dtype).startswith(("str", "string")):
                found.update(v for v in table[column].dropna().unique() if isinstance(v, str) and len(v) > 1)
    manifest = service.manifest

    def walk(value):
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(manifest)
    return sorted({normalised(value) for value in found}, key=len, reverse=True)


def normalised(text: str) -> str:
    """Spaces as the browser's innerText gives them (no-break spaces and runs of spaces are one space)."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text.replace("\u200b", ""))  # Plotly pads lines with zero-width spaces


class DataIndex:
    """The package's texts, searchable in logarithmic time: a page of /credits shows hundreds of chart lines and the
    package holds tens of thousands of names (a linear scan per line and per cut took 20 s a page)."""

    def __init__(self, values: list[str]):
        self.joined = "\x00".join(values)  # « is this line inside some value »: one C-speed search
        self.ascending = sorted(values)
        self.reversed = sorted(value[::-1] for value in values)

    @staticmethod
    def _starts(ordered: list[str], prefix: str) -> bool:
        i = bisect.bisect_left(ordered, prefix)
        return i < len(ordered) and ordered[i].startswith(prefix)

    def inside_one(self, text: str) -> bool:
        return "\x00" not in text and text in self.joined

    def one_starts_with(self, text: str) -> bool:
        return self._starts(self.ascending, text)

    def one_ends_with(self, text: str) -> bool:
        return self._starts(self.reversed, text[::-1])


def chart_line_without_data(line: str, data: DataIndex) -> str:
    """A chart line less the pieces of data strings it holds: charts break long names across lines, so a line
    may be a piece of a name, end with the start of one (« Intercommunalité — Communauté ») or start with the
    end of one (« (ordres de grandeur INSEE / ONPV), millésimes »)."""
    line = normalised(line).strip()
    if data.inside_one(line):
        return ""
    for cut in range(len(line) - 3):  # the longest tail that starts a data string
        if data.one_starts_with(line[cut:]):
            line = line[:cut]
            break
    for cut in range(len(line), 3, -1):  # the longest head that ends a data string
        if data.one_ends_with(line[:cut]):
            return line[cut:]
    return line


def french_left(text: str, data: list[str]) -> list[str]:
    text = "\n".join(normalised(line) for line in text.splitlines())
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    lines = [line for line in text.splitlines() if french_words(line) and line.strip() not in PROPER_NOUNS]
    return [f"{', '.join(sorted(set(french_words(line))))}  ←  {line.strip()[:120]}" for line in lines]


def english_pages(service) -> dict[str, str]:
    qpv = service.territories.loc["qpv"].index[0] if "qpv" in service.levels() else None
    qpv = qpv if isinstance(qpv, str) else service.territories.loc["qpv"]["code"].iloc[0]
    return {
        "map": "/",
        "about": "/a-propos",
        "not-found": "/nulle-part",
        "profile": f"/qpv/{qpv}",
        "compare": f"/comparer?codes=qpv:{qpv}",
        "barometer": "/barometre",
        "credits": "/credits",
        "data": "/donnees",
        "embed-card": f"/embed/qpv/{qpv}",
        "embed-map": "/embed/carte",
        "api": "/api",
    }


# Pages whose strings are not all marked yet (docs/i18n.md lists what is left).
NOT_YET_TRANSLATED: set[str] = set()


@pytest.mark.parametrize("name", ["map", "about", "not-found", "profile", "compare", "barometer", "credits", "data",
                                  "embed-card", "embed-map", "api"])
def test_english_page_shows_no_french_outside_data(page, live_server, service, name):
    if name in NOT_YET_TRANSLATED:
        pytest.skip("not translated yet (docs/i18n.md)")
    path = english_pages(service)[name]
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + path + ("&" if "?" in path else "?") + "lang=en", wait_until="networkidle")
    page.wait_for_selector("#page-content > *, .embed-page, main h1", timeout=20_000)
    page.wait_for_timeout(800)  # charts and maps finish drawing
    assert page.get_attribute("html", "lang") == "en"
    shown, data = page.evaluate(VISIBLE_TEXT), data_strings(service)
    index = DataIndex(data)
    chart = [chart_line_without_data(line, index) for line in shown["chart"]]
    left = french_left("\n".join([shown["text"], *chart]), data)
    if name in ("map", "profile", "barometer"):
        screenshot(page, f"english-{name}")
    if name == "map":  # the package's English label of the indicator shown, not its French one
        meta = service.indicator(service.presentation.map_indicator)
        assert meta["label_en"] in normalised(shown["text"]) and meta["label_fr"] not in normalised(shown["text"])
    assert not left, f"French on {path}?lang=en:\n" + "\n".join(left[:30])
    assert errors == []


def test_language_switch_keeps_page_and_state_and_links_keep_english(page, live_server):
    page.goto(live_server + "/?indicateur=&lang=en", wait_until="networkidle")
    page.wait_for_selector("#language-switch")
    switch = page.get_attribute("#language-switch", "href")
    assert switch.startswith("/?") and "lang=" not in switch and page.inner_text("#language-switch") == "Français"
    # Every internal link of the page keeps the language, and following one stays in English.
    hrefs = page.eval_on_selector_all("a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all("lang=en" in href for href in hrefs if href != switch), hrefs
    page.click("nav.site-nav >> text=About")
    page.wait_for_url(re.compile(r".*/a-propos\?lang=en$"))
    page.wait_for_selector("text=About the Atlas QPV")
    assert page.get_attribute("#language-switch", "href") == "/a-propos"
    page.click("#language-switch")
    page.wait_for_selector("text=À propos de l'Atlas QPV")
    assert page.get_attribute("html", "lang") == "fr"
    assert page.inner_text("#language-switch") == "English"


def test_filters_written_by_a_page_keep_the_language(page, live_server):
    """A page writes its filters into the address without a rebuild: lang=en stays, and the switch follows."""
    page.goto(live_server + "/barometre?lang=en", wait_until="networkidle")
    page.wait_for_selector("#baro-ministry")
    choose(page, "baro-ministry", "Culture")
    page.wait_for_function("() => location.search.includes('ministere=culture')", timeout=30_000)
    assert "lang=en" in page.evaluate("location.search")
    page.wait_for_function("() => document.getElementById('language-switch').getAttribute('href')"
                           ".includes('ministere=culture')", timeout=10_000)
    assert "lang=" not in page.get_attribute("#language-switch", "href")
    page.reload(wait_until="networkidle")
    page.wait_for_selector("text=Barometer of public action")
    assert page.get_attribute("html", "lang") == "en"


@pytest.fixture(scope="module")
def embedded_service():
    from atlas.package import load_package
    from atlas.service import AtlasService
    from tests.conftest import EMBEDDED_DATA_DIR

    return AtlasService(load_package(EMBEDDED_DATA_DIR))


@pytest.mark.parametrize("name", ["map", "profile", "compare", "barometer", "credits"])
def test_english_pages_of_the_national_package(page, embedded_server, embedded_service, name):
    """The real package takes other paths (other geography, reference years, missing sections): in English too."""
    path = english_pages(embedded_service)[name]
    page.goto(embedded_server + path + ("&" if "?" in path else "?") + "lang=en", wait_until="networkidle",
              timeout=120_000)
    page.wait_for_selector("#page-content > *", timeout=60_000)
    page.wait_for_timeout(1500)
    shown, data = page.evaluate(VISIBLE_TEXT), data_strings(embedded_service)
    index = DataIndex(data)
    left = french_left("\n".join([shown["text"], *(chart_line_without_data(line, index) for line in shown["chart"])]),
                       data)
    assert not left, f"French on {path}?lang=en (national package):\n" + "\n".join(left[:30])
