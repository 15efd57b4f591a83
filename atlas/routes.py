"""The atlas's public addresses, resolved without Dash so that the server can
answer unknown ones with a real HTTP 404."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STATIC_PAGES = {
    "/": "carte",
    "/barometre": "barometre",
    "/credits": "credits",
    "/comparer": "comparer",
    "/donnees": "donnees",
    "/a-propos": "a-propos",
}
NAVIGATION = (
    ("/", "Carte"),
    ("/barometre", "Baromètre"),
    ("/credits", "Crédits"),
    ("/comparer", "Comparer"),
    ("/donnees", "Données"),
    ("/a-propos", "À propos"),
)
QPV_PATH = re.compile(r"^/qpv/([A-Za-z0-9]{1,16})/?$")


@dataclass(frozen=True)
class Route:
    page: str  # "carte", "qpv", …, or "404"
    params: dict = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.page != "404"


def resolve(pathname: str | None, is_qpv_code=lambda code: False) -> Route:
    path = (pathname or "/").split("?")[0]
    if len(path) > 1:
        path = path.rstrip("/")
    if path in STATIC_PAGES:
        return Route(STATIC_PAGES[path])
    match = QPV_PATH.match(path)
    if match:
        code = match.group(1).upper()
        if is_qpv_code(code):
            return Route("qpv", {"code": code})
        return Route("404", {"reason": "unknown_code", "code": match.group(1)})
    return Route("404", {"reason": "unknown_path", "path": path})
