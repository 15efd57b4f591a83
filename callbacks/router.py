"""URL → page. The router only picks the layout ``atlas.routes.PAGES`` declares; pages own their callbacks."""

from __future__ import annotations

import importlib

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from atlas.i18n import with_language
from atlas.routes import BY_NAME, Page, navigation_path, resolve
from callbacks.state import service
from layouts import pages, shell

_registered_pages: dict = {}
# Callbacks whose whole answer is a function of the package and the request: cached as responses (app.py).
PURE_OUTPUTS = {"..page-content.children...site-header.children..", "search-404-results.children"}


def register_page(name: str, builder) -> None:
    """Former way for a page module to give its layout; ``atlas.routes.PAGES`` now names it.

    Kept so that modules still calling it keep working: the page must be declared, and the registered
    builder is used in place of the declared one.
    """
    if name not in BY_NAME:
        raise KeyError(f"page {name!r} is not declared in atlas.routes.PAGES")
    _registered_pages[name] = builder


def layout_function(page: Page):
    """The function that lays ``page`` out: ``(service, params, search) -> component``."""
    if page.name in _registered_pages:
        return _registered_pages[page.name]
    module, _sep, name = page.layout.partition(":")
    return getattr(importlib.import_module(module), name)


def _route(pathname: str | None):
    svc = service()
    return resolve(pathname, is_known=svc.is_known)


def page_for(pathname: str | None, search: str | None = None):
    """The layout of the page at ``pathname`` (plain function, called by the router callback)."""
    route = _route(pathname)
    return layout_function(route.declaration)(service(), route.params, search or "")


def build_about(svc, params: dict, search: str):
    return pages.about(svc.manifest, svc.summary())


def build_not_found(svc, params: dict, search: str):
    return pages.not_found(params)


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
    pathname = pathname if isinstance(pathname, str) else "/"
    search = search if isinstance(search, str) else ""
    if ctx.triggered_id == "history-nav":
        if (not isinstance(history, dict) or history.get("pathname") != pathname
                or resolve(pathname).page == "carte"):
            return no_update, no_update
        search = history.get("search") if isinstance(history.get("search"), str) else ""
    return page_for(pathname, search), shell.header(_nav_path(pathname), pathname, search)


def _nav_path(pathname: str | None) -> str:
    """The navigation entry to highlight: profiles belong to the map; unknown pages to none."""
    return navigation_path(_route(pathname), pathname)


@callback(Output("search-404-results", "children"), Input("search-404", "value"), prevent_initial_call=True)
def search_from_404(query):
    return search_items(query)


def search_items(query: str | None, limit: int = 8) -> list:
    hits = service().search(query if isinstance(query, str) else "", limit=limit)
    return [html.Li(dcc.Link(hit.label, href=with_language(href_for(hit.level, hit.code)))) for hit in hits]


def href_for(level: str, code: str) -> str:
    if level == "qpv":
        return f"/qpv/{code}"
    return f"/comparer?codes={level}:{code}"


# « Copier le lien » in the header of every page (layouts/shell.copy_link; assets/atlas_clientside.js).
clientside_callback(ClientsideFunction("atlas", "copyLink"), Output("copy-link-status", "children"),
                    Input("copy-link", "n_clicks"), State("copy-link-messages", "data"), prevent_initial_call=True)
