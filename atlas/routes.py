"""The atlas's pages, declared once, and the resolution of an address to one of them (no Dash here).

A page is one ``Page`` in ``PAGES``: its address, its title, its navigation label, the function that lays it
out (named ``"module:function"``, imported by the router when the app starts) and what makes it answer 404.
The server uses ``resolve`` to answer unknown addresses with a real HTTP 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CODE = r"([A-Za-z0-9]{1,16})"


@dataclass(frozen=True)
class Page:
    name: str  # stable identifier, e.g. "carte"
    path: str  # "/barometre", or a pattern with one code group for pages of a territory
    title: str
    layout: str  # "module:function" with signature (service, params, search) -> component
    nav_label: str | None = None  # shown in the main navigation when set
    nav_parent: str | None = None  # the navigation entry highlighted on this page ("/" for a profile)
    code_level: str | None = None  # the page answers 404 unless its code is a known territory of this level

    @property
    def pattern(self) -> re.Pattern | None:
        return re.compile("^" + self.path.replace("<code>", CODE) + "/?$") if "<code>" in self.path else None


PAGES: tuple[Page, ...] = (
    Page("carte", "/", "Carte", "callbacks.map:build_page", nav_label="Carte"),
    Page("qpv", "/qpv/<code>", "Profil de quartier", "callbacks.profile:build_profile_page", nav_parent="/",
         code_level="qpv"),
    Page("barometre", "/barometre", "Baromètre", "callbacks.barometer:build", nav_label="Baromètre"),
    Page("credits", "/credits", "Crédits", "callbacks.credits:build", nav_label="Crédits"),
    Page("comparer", "/comparer", "Comparer", "callbacks.compare:build_compare", nav_label="Comparer"),
    Page("donnees", "/donnees", "Données", "callbacks.downloads:build_data_page", nav_label="Données"),
    Page("a-propos", "/a-propos", "À propos", "callbacks.router:build_about", nav_label="À propos"),
)
NOT_FOUND = Page("404", "", "Page introuvable", "callbacks.router:build_not_found")
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
            code = match.group(1).upper()
            if is_known(page.code_level, code):
                return Route(page.name, {"code": code})
            return Route("404", {"reason": "unknown_code", "code": match.group(1)})
    return Route("404", {"reason": "unknown_path", "path": path[:200]})


def navigation_path(route: Route, pathname: str | None) -> str:
    """The navigation entry to highlight on ``route``: its parent's, its own, or none for a 404."""
    if not route.found:
        return ""
    page = route.declaration
    if page.nav_parent:
        return page.nav_parent
    return page.path
