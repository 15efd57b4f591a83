"""The atlas's pages, declared once, and the resolution of an address to one of them (no Dash here).

A page is one ``Page`` in ``PAGES``: its address, its title, its navigation label, the function that lays it
out (named ``"module:function"``, imported by the router when the app starts) and what makes it answer 404.
The server uses ``resolve`` to answer unknown addresses with a real HTTP 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from atlas.i18n import N_

CODE = r"(?P<code>[A-Za-z0-9]{1,16})"
SLUG = r"[a-z0-9-]{1,40}"  # other path parameters (e.g. a chart's page and id), validated by their page


@dataclass(frozen=True)
class Page:
    name: str  # stable identifier, e.g. "carte"
    path: str  # "/barometre", or a pattern with one code group for pages of a territory
    title: str  # French source (translated with atlas.i18n._ where shown), like nav_label
    layout: str  # "module:function" with signature (service, params, search) -> component
    nav_label: str | None = None  # shown in the main navigation when set
    nav_parent: str | None = None  # the navigation entry highlighted on this page ("/" for a profile)
    code_level: str | None = None  # the page answers 404 unless its code is a known territory of this level
    embed: bool = False  # under /embed/: minimal chrome, may be framed by other sites

    @property
    def pattern(self) -> re.Pattern | None:
        if "<" not in self.path:
            return None
        regex = re.sub(r"<([a-z]+)>", lambda m: CODE if m.group(1) == "code" else f"(?P<{m.group(1)}>{SLUG})",
                       self.path)
        return re.compile("^" + regex + "/?$")


PAGES: tuple[Page, ...] = (
    Page("carte", "/", N_("Carte"), "callbacks.map:build_page", nav_label=N_("Carte")),
    Page("qpv", "/qpv/<code>", N_("Profil de quartier"), "callbacks.profile:build_profile_page", nav_parent="/",
         code_level="qpv"),
    Page("barometre", "/barometre", N_("Baromètre"), "callbacks.barometer:build", nav_label=N_("Baromètre")),
    Page("credits", "/credits", N_("Crédits"), "callbacks.credits:build", nav_label=N_("Crédits")),
    Page("comparer", "/comparer", N_("Comparer"), "callbacks.compare:build_compare", nav_label=N_("Comparer")),
    Page("donnees", "/donnees", N_("Données"), "callbacks.downloads:build_data_page", nav_label=N_("Données")),
    Page("a-propos", "/a-propos", N_("À propos"), "callbacks.router:build_about", nav_label=N_("À propos")),
    # Embeds (/embed/…): their query strings and chart ids are validated by atlas.embeds.
    Page("embed-qpv", "/embed/qpv/<code>", N_("Fiche de quartier"), "callbacks.embeds:build_profile_card",
         code_level="qpv", embed=True),
    Page("embed-graphique", "/embed/graphique/<page>/<chart>", N_("Graphique"), "callbacks.embeds:build_chart",
         embed=True),
    Page("embed-carte", "/embed/carte", N_("Carte"), "callbacks.embeds:build_map", embed=True),
)
NOT_FOUND = Page("404", "", N_("Page introuvable"), "callbacks.router:build_not_found")
BY_NAME = {page.name: page for page in (*PAGES, NOT_FOUND)}
NAVIGATION = tuple((page.path, page.nav_label) for page in PAGES if page.nav_label)

# Kept for callers of the former module: the fixed addresses by page name.
STATIC_PAGES = {page.path: page.name for page in PAGES if page.pattern is None}


@dataclass(frozen=True)
class Route:
    page: str  # "carte", "qpv", …, or "404"
    params: dict = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.page != "404"

    @property
    def declaration(self) -> Page:
        return BY_NAME[self.page]


def resolve(pathname: str | None, is_qpv_code=lambda code: False, *, is_known=None) -> Route:
    """The page at ``pathname``. ``is_known(level, code)`` checks codes (``is_qpv_code(code)`` for QPV only)."""
    if is_known is None:
        def is_known(level, code):
            return level == "qpv" and is_qpv_code(code)
    path = (pathname or "/").split("?")[0]
    if len(path) > 1:
        path = path.rstrip("/")
    if path in STATIC_PAGES:
        return Route(STATIC_PAGES[path])
    for page in PAGES:
        match = page.pattern.match(path) if page.pattern else None
        if match:
            params = match.groupdict()
            if "code" not in params:
                return Route(page.name, params)
            code = params["code"].upper()
            if is_known(page.code_level, code):
                return Route(page.name, {**params, "code": code})
            return Route("404", {"reason": "unknown_code", "code": params["code"]})
    return Route("404", {"reason": "unknown_path", "path": path[:200]})


def navigation_path(route: Route, pathname: str | None) -> str:
    """The navigation entry to highlight on ``route``: its parent's, its own, or none for a 404."""
    if not route.found:
        return ""
    page = route.declaration
    if page.nav_parent:
        return page.nav_parent
    return page.path
