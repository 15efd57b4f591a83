"""URL → page. The router only picks a layout; pages own their callbacks."""

from __future__ import annotations

from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from atlas.cli import summary
from atlas.routes import resolve
from callbacks.state import service
from layouts import pages, shell

PAGE_TITLES = {
    "carte": "Carte",
    "qpv": "Profil de quartier",
    "barometre": "Baromètre",
    "credits": "Crédits",
    "comparer": "Comparer",
    "donnees": "Données",
    "a-propos": "À propos",
    "404": "Page introuvable",
}


def page_for(pathname: str | None, search: str | None = None):
    """The layout of the page at ``pathname`` (plain function, called by the router callback)."""
    svc = service()
    route = resolve(pathname, lambda code: svc.is_known("qpv", code))
    builders = page_builders()
    builder = builders.get(route.page)
    if builder is None:
        return pages.coming_soon(PAGE_TITLES[route.page], "")
    return builder(svc, route.params, search or "")


def page_builders() -> dict:
    # Imported here so that each page module registers its callbacks once the app exists.
    from layouts import pages as simple

    builders = {
        "404": lambda svc, params, search: simple.not_found(params),
        "a-propos": lambda svc, params, search: simple.about(svc.manifest, summary(svc.package)),
    }
    builders.update(_registered_pages)
    return builders


_registered_pages: dict = {}


def register_page(name: str, builder) -> None:
    """Pages add themselves here: builder(service, params, search) -> component."""
    _registered_pages[name] = builder


@callback(
    Output("page-content", "children"),
    Output("site-header", "children"),
    Input("url", "pathname"),
    Input("history-nav", "data"),
    State("url", "search"),
)
def render(pathname, history, search):
    """A new path rebuilds the page; so does a back/forward step that only changed the query string.

    Pages write their own filters into the query string without a rebuild; the map follows history steps
    itself (without reloading its geometry), so it is left alone.
    """
    if ctx.triggered_id == "history-nav":
        if not history or history.get("pathname") != pathname or resolve(pathname).page == "carte":
            return no_update, no_update
        search = history.get("search", "")
    return page_for(pathname, search), shell.header(_nav_path(pathname))


def _nav_path(pathname: str | None) -> str:
    """The navigation entry to highlight: profiles belong to the map; unknown pages to none."""
    svc = service()
    route = resolve(pathname, lambda code: svc.is_known("qpv", code))
    if not route.found:
        return ""
    if route.page == "qpv":
        return "/"
    return (pathname or "/").rstrip("/") or "/"


@callback(Output("search-404-results", "children"), Input("search-404", "value"), prevent_initial_call=True)
def search_from_404(query):
    return search_items(query)


def search_items(query: str | None, limit: int = 8) -> list:
    hits = service().search(query or "", limit=limit)
    return [html.Li(dcc.Link(hit.label, href=href_for(hit.level, hit.code))) for hit in hits]


def href_for(level: str, code: str) -> str:
    if level == "qpv":
        return f"/qpv/{code}"
    return f"/comparer?codes={level}:{code}"
