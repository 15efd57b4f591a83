"""The English interface: a complete catalogue, no French UI string outside it, and the mechanism.

(a) every string the code marks (``_()``, ``N_()``, ``ngettext``) has a non-empty, non-fuzzy English entry
    whose placeholders are the French ones; (b) no French-looking string literal in the UI code is left
    unmarked; (c) pages rendered in English (plain functions, no browser) show no French outside data.
The browser walk of every page in English is tests/browser/test_english.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from atlas import i18n
from atlas.formatting import format_date, format_euros, format_number, format_period, format_value
from tests.french_text import looks_french

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "atlas" / "locale" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}|%\((\w+)\)[sd]")


def extracted_messages() -> dict:
    """Every marked string of the code, as ``pybabel extract -F babel.cfg`` (make i18n) finds it."""
    method_map = [("atlas/**.py", "python"), ("layouts/**.py", "python"), ("callbacks/**.py", "python"),
                  ("app.py", "python")]
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(str(ROOT), method_map):
        key = tuple(message) if isinstance(message, tuple) else message
        found.setdefault(key, f"{filename}:{lineno}")
    return found


def english_entries() -> dict:
    with CATALOGUE.open("rb") as handle:
        po = read_po(handle, locale="en")
    return {(tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id): m for m in po if m.id}


def placeholders(text: str) -> list[str]:
    return sorted(a or b for a, b in PLACEHOLDER.findall(text))


def test_babel_config_lists_the_extracted_folders():
    config = (ROOT / "babel.cfg").read_text()
    for pattern in ("atlas/**.py", "layouts/**.py", "callbacks/**.py", "app.py"):
        assert f"[python: {pattern}]" in config


def test_every_marked_string_has_an_english_translation_with_the_same_placeholders():
    messages, entries = extracted_messages(), english_entries()
    assert len(messages) > 150  # the extraction found the UI, not nothing
    problems = []
    for message, where in messages.items():
        entry = entries.get(message)
        if entry is None:
            problems.append(f"{where}: not in the catalogue (run make i18n): {message!r}")
            continue
        forms = entry.string if isinstance(message, tuple) else (entry.string,)
        sources = message if isinstance(message, tuple) else (message,)
        if entry.fuzzy or not all(forms):
            problems.append(f"{where}: no English translation: {message!r}")
            continue
        for form in forms:
            if placeholders(form) != placeholders(sources[-1]) and placeholders(form) != placeholders(sources[0]):
                problems.append(f"{where}: placeholders differ: {message!r} -> {form!r}")
    assert not problems, "\n".join(problems[:40])


def test_the_catalogue_holds_no_entry_the_code_no_longer_uses():
    unused = set(english_entries()) - set(extracted_messages())
    assert not unused, f"obsolete entries (run make i18n): {sorted(map(str, unused))[:20]}"


# ----------------------------------------------------------------- (b) no unmarked French literal

# The UI code: layouts, callbacks (the JSON API excepted: its messages are part of its documented contract)
# and the modules of atlas/ that write sentences for pages.
UI_FILES = sorted([*ROOT.glob("layouts/*.py"), *(p for p in ROOT.glob("callbacks/*.py") if p.name != "api.py"),
                   *(ROOT / "atlas" / name for name in (
                       "barometer.py", "barometer_series.py", "compare.py", "credits.py", "leverage.py", "embeds.py",
                       "opendata.py",
                       "formatting.py",
                       "mapclasses.py", "mapdata.py", "peers.py", "places.py", "profile.py", "profile_credits.py",
                       "routes.py", "schema.py", "wellbeing.py"))])
# Files whose strings are not marked yet (the English UI was built page by page; docs/i18n.md lists what is left).
NOT_YET_TRANSLATED: set[str] = set()
# Keyword arguments and calls whose strings are never shown as text.
NOT_TEXT_KEYWORDS = {"id", "className", "href", "type", "style", "src", "target", "rel", "mode", "htmlFor", "role",
                     "mimetype", "sep", "encoding", "namespace", "filename", "key", "value", "dtype", "how", "on",
                     "columns", "orient", "prefix", "method"}
NOT_TEXT_CALLS = {"Input", "Output", "State", "ClientsideFunction", "ValueError", "KeyError", "TypeError",
                  "RuntimeError", "PackageError", "print", "getattr", "isinstance", "compile", "debug", "info",
                  "warning", "error", "exception", "get", "startswith", "endswith", "split", "partition", "replace",
                  "strip", "rstrip", "lstrip", "join", "astype", "Path", "import_module", "sub", "match", "fullmatch"}
CODE_TOKEN = re.compile(r"[=/?&{}<>]|^[a-z_]+\(")
IDENTIFIER = re.compile(r"[a-z0-9_\-./:#{}%=?&,;|\[\]()<> ]*")  # ids, paths, CSS, format specs: not sentences
ALLOWED = {
    ("layouts/shell.py", "Atlas QPV"),  # the atlas's name
    ("layouts/barometer.py", '{statut} = ""'),  # a DataTable filter query on the « statut » column
    ("layouts/opendata.py", "[CSV](/download/indicateur/"),  # a link to a file
}


def _parents(tree):
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents


def _call_name(node) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


FRENCH_ONLY_TABLES = {"MONTHS_FR"}  # atlas/formatting.py: used only when the language is French


def french_only_table(node, parents) -> bool:
    """Inside a table of French-only text (month names)."""
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            return any(isinstance(t, ast.Name) and t.id in FRENCH_ONLY_TABLES for t in targets)
    return False


def unmarked_french(path: Path) -> list[tuple[int, str]]:
    """String literals (and f-strings) of ``path`` that read as French UI text but are not marked."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = _parents(tree)
    docstrings = {node.body[0].value for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node not in docstrings \
                and not isinstance(parents.get(node), ast.JoinedStr):
            text = node.value
        else:
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Call) and _call_name(parent) in ("_", "N_", "ngettext", *NOT_TEXT_CALLS):
            continue
        if isinstance(parent, ast.keyword) and parent.arg in NOT_TEXT_KEYWORDS:
            continue
        if isinstance(parent, (ast.Compare, ast.Subscript)) or (isinstance(parent, ast.Dict) and node in parent.keys):
            continue
        if IDENTIFIER.fullmatch(text) and not re.search(r"[àâçéèêëîïôûùüœ]", text):
            continue
        if french_only_table(node, parents):
            continue
        text = " ".join(word for word in text.split() if not CODE_TOKEN.search(word))  # URLs and code are not prose
        if looks_french(text) and (path.relative_to(ROOT).as_posix(), text) not in ALLOWED:
            found.append((node.lineno, text[:80]))
    return found


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_french_ui_literal_is_left_unmarked(path):
    name = path.relative_to(ROOT).as_posix()
    if name in NOT_YET_TRANSLATED:
        pytest.skip("not translated yet (docs/i18n.md)")
    found = unmarked_french(path)
    assert not found, "\n".join(f"{name}:{line}: {text!r}" for line, text in found)


def test_the_static_check_catches_an_unmarked_sentence(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('def view(n):\n    return html.P(f"{n} quartiers affichés"), html.H2("Carte des écarts"),'
                      ' html.P(_("Déjà traduit")), html.Div(id="carte-des-ecarts")\n')
    assert [line for line, _text in unmarked_french_at(sample)] == [2, 2]


def unmarked_french_at(path: Path):
    global ROOT
    saved, ROOT = ROOT, path.parent
    try:
        return unmarked_french(path)
    finally:
        ROOT = saved


# ----------------------------------------------------------------- the mechanism


def test_language_comes_from_the_query_string_and_anything_else_is_french():
    assert i18n.language_from_query("?annee=2020&lang=en") == "en"
    assert i18n.language_from_query("?lang=de") == "fr"
    assert i18n.language_from_query("?lang=en&lang=fr") == "fr"  # the last value, like every parameter
    assert i18n.language_from_query(None) == "fr"
    assert i18n.language_from_query(["lang=en"]) == "fr"


def test_links_keep_the_language_and_the_switch_keeps_the_state():
    with i18n.use_language("en"):
        assert i18n.with_language("/qpv/QP075001") == "/qpv/QP075001?lang=en"
        assert i18n.with_language("/comparer?codes=qpv:X#t") == "/comparer?codes=qpv:X&lang=en#t"
    assert i18n.with_language("/qpv/QP075001") == "/qpv/QP075001"
    assert i18n.switch_href("/barometre", "?ministere=culture&lang=en", "fr") == "/barometre?ministere=culture"
    assert i18n.switch_href("/barometre", "?ministere=culture", "en") == "/barometre?ministere=culture&lang=en"
    assert i18n.switch_href("javascript:alert(1)", "", "en") == "/?lang=en"


def test_translation_follows_the_current_language_only():
    assert i18n._("Carte des inégalités territoriales") == "Carte des inégalités territoriales"
    with i18n.use_language("en"):
        assert i18n._("Carte des inégalités territoriales") == "Map of territorial inequalities"
        assert i18n._("a string nobody marked") == "a string nobody marked"
    assert i18n.current_language() == "fr"


def test_numbers_dates_and_periods_in_each_language():
    assert format_number(1234.5) == "1\u202f234,5"
    assert format_value(-0.04, "%", 1) == "−0,0\u00a0%" or format_value(-0.04, "%", 1) == "0,0\u00a0%"
    assert format_period("2024-Q1") == "1er trimestre 2024"
    assert format_date("2024-03-01") == "1er mars 2024"
    assert format_euros(1.25e9) == "1,25\u00a0Md€"
    with i18n.use_language("en"):
        assert format_number(1234.5) == "1,234.5"
        assert format_number(-1234.5, 0) == "−1,234" or format_number(-1234.5, 0) == "−1,235"
        assert format_value(12.5, "%") == "12.5\u00a0%"
        assert format_period("2024-Q2") == "Q2 2024"
        assert format_period("2024-03") == "March 2024"
        assert format_date("2024-03-01") == "1 March 2024"
        assert format_euros(1.25e9) == "€1.25bn"
        assert format_euros(540.3e6) == "€540.3m"


def test_the_router_renders_a_page_and_its_header_in_the_language_of_the_request(dash_app):
    from callbacks.router import page_for
    from layouts.shell import header as site_header

    def render(pathname, _history, search):  # what the router callback returns (its ctx needs a browser)
        return page_for(pathname, search), site_header("/barometre", pathname, search)

    with dash_app.server.test_request_context("/_dash-update-component", method="POST",
                                              headers={"Referer": "http://x/barometre?ministere=culture&lang=en"}):
        dash_app.server.preprocess_request()  # the app's hooks: the language comes from the page's address
        assert i18n.current_language() == "en"
        page, header = render("/barometre", None, "?ministere=culture&lang=en")
    text = str(page) + str(header)
    assert "Barometer of public action" in text and "Baromètre de l'action publique" not in text
    switch = next(c for c in header.children if getattr(c, "id", None) == "language-switch")
    assert switch.children == "Français" and switch.href == "/barometre?ministere=culture"
    with dash_app.server.test_request_context("/_dash-update-component", method="POST"):
        dash_app.server.preprocess_request()
        assert i18n.current_language() == "fr"  # no Referer: the source language, never the last request's
        page, header = render("/barometre", None, "")
    assert "Baromètre de l'action publique" in str(page)


def test_levels_and_themes_read_in_the_visitors_language_declared_ones_included(monkeypatch):
    from atlas import levels, themes

    monkeypatch.setattr(levels, "_registered", {})  # the registrations of this test stay in it
    monkeypatch.setattr(themes, "_registered", {})

    manifest = {"levels": [{"id": "zone_emploi", "label": "Zone d'emploi", "plural": "zones d'emploi",
                            "label_en": "Employment zone", "parents": ["departement"]},
                           {"id": "bassin_vie", "label": "Bassin de vie", "plural": "bassins de vie"}],
                "themes": [{"id": "mobilite", "label": "Mobilité"}]}
    levels.register(manifest)
    themes.register(manifest)
    assert (levels.label("epci"), levels.plural("region"), levels.label("zone_emploi")) == (
        "Intercommunalité (EPCI)", "régions", "Zone d'emploi")
    with i18n.use_language("en"):
        assert levels.label("epci") == "Intermunicipality (EPCI)"
        assert levels.name("qpv") == "Priority neighbourhood"
        assert levels.plural("departement") == "departments"
        assert levels.label("zone_emploi") == "Employment zone"  # the package's own English label
        assert levels.label("bassin_vie") == "Bassin de vie"  # none given: the package's French label
        assert themes.label("sante") == "Health"
        assert themes.labels()["mobilite"] == "Mobilité"  # a declared theme keeps the package's label


def test_indicator_labels_come_from_the_package_in_the_visitor_language():
    from collections import namedtuple

    import pandas as pd

    meta = {"label_fr": "Taux de pauvreté", "label_en": "Poverty rate"}
    Row = namedtuple("Row", ["label_fr", "label_en"])
    for shape in (meta, pd.Series(meta), Row(**meta)):
        assert i18n.indicator_label(shape) == "Taux de pauvreté"
        with i18n.use_language("en"):
            assert i18n.indicator_label(shape) == "Poverty rate"
    for missing in ({"label_fr": "Taux", "label_en": ""}, {"label_fr": "Taux", "label_en": float("nan")},
                    {"label_fr": "Taux"}):
        with i18n.use_language("en"):
            assert i18n.indicator_label(missing) == "Taux"  # no English in the package: its French label


def test_pages_show_the_package_label_of_their_language(dash_app, service):
    """The map's indicator list, legend and state, the profile and the comparison, in French and in English."""
    from callbacks import map as map_callbacks
    from callbacks.router import page_for
    from tests.test_routes import text_of

    meta = service.indicator("taux_pauvrete")
    french, english = meta["label_fr"], meta["label_en"]
    assert french != english and english
    code = service.codes("qpv")[0]
    for language, shown, hidden in (("fr", french, english), ("en", english, french)):
        search = "?indicateur=taux_pauvrete" + ("&lang=en" if language == "en" else "")
        with dash_app.server.test_request_context("/"), i18n.use_language(language):
            request = map_callbacks.MapRequest.build(service, indicator="taux_pauvrete")
            outputs = map_callbacks.map_outputs(request, "aucun", None)
            assert outputs[0]["view"]["label"] == shown  # the tooltip's and the legend's title
            assert shown in text_of(outputs[4])
            pages = [str(page_for("/", search)), str(page_for(f"/qpv/{code}", search)),
                     str(page_for("/comparer", f"?codes=qpv:{code}&indicateurs=taux_pauvrete"
                                  + ("&lang=en" if language == "en" else "")))]
        for page in pages:
            assert shown in page and hidden not in page, (language, page[:300])


def test_indicator_lists_are_in_the_order_of_the_labels_they_show(service):
    from layouts import compare, map

    for language in ("fr", "en"):
        with i18n.use_language(language):
            for options in (map.indicator_options(service.indicators), compare.indicator_options(service.indicators)):
                themes = [service.indicator(o["value"])["theme"] for o in options]
                labels = [i18n.indicator_label(service.indicator(o["value"])).casefold() for o in options]
                assert themes == sorted(themes)
                for theme in set(themes):
                    within = [label for t, label in zip(themes, labels, strict=True) if t == theme]
                    assert within == sorted(within), (language, theme)
