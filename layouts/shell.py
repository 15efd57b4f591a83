"""The page frame: skip link, header, navigation, illustrative banner, footer."""

from __future__ import annotations

from dash import dcc, html

from atlas.i18n import _
from atlas.levels import label as level_label
from atlas.routes import NAVIGATION
from atlas.weblinks import link_address


def header(active_path: str = "/") -> html.Header:
    links = [
        dcc.Link(label, href=path, className="nav-link" + (" active" if path == active_path else ""),
                 id={"type": "nav-link", "path": path})
        for path, label in NAVIGATION
    ]
    return html.Header(
        className="site-header",
        children=[
            html.A("Aller au contenu", href="#page-content", className="skip-link"),
            html.Div(className="brand", children=[
                dcc.Link("Atlas QPV", href="/", className="brand-name"),
                html.Span("Inégalités territoriales et action publique dans les quartiers prioritaires",
                          className="brand-tagline"),
            ]),
            html.Nav(links, className="site-nav", **{"aria-label": "Navigation principale"}),
            copy_link(),
        ],
    )


def copy_link() -> html.Div:
    """« Copier le lien »: the page's address, which carries its whole state (filters, indicators, map view).

    Copied in the browser (assets/atlas_clientside.js, ``copyLink``); the status line says so to screen readers.
    """
    return html.Div(className="copy-link", children=[
        html.Button(_("Copier le lien"), id="copy-link", n_clicks=0, className="button button-secondary",
                    title=_("Copier l'adresse de cette page, avec ses réglages, pour la partager")),
        html.Span(id="copy-link-status", className="copy-link-status", role="status", **{"aria-live": "polite"}),
        dcc.Store(id="copy-link-messages", data={"copied": _("Lien copié"),
                                                 "failed": _("Copie impossible ; l'adresse à copier :")}),
    ])


def illustrative_banner(manifest: dict) -> html.Section | None:
    if not manifest.get("illustrative"):
        return None
    # A named region, so that this warning sits inside a landmark like every other part of the page.
    return html.Section(
        id="illustrative-banner",
        className="banner banner-illustrative",
        **{"aria-label": "Avertissement : données illustratives"},
        children=[
            html.Strong("Données illustratives. "),
            "Les quartiers, indicateurs, crédits et engagements affichés sont générés pour la démonstration "
            "(ordres de grandeur plausibles) ; ils ne décrivent aucun territoire réel. ",
            dcc.Link("En savoir plus", href="/a-propos"),
        ],
    )


def geography_note(manifest: dict) -> str:
    geography = manifest.get("geography") or {}
    parts = [f"{level_label(level)} : {vintage}" for level, vintage in geography.items()]
    return "Géographies — " + " ; ".join(parts) if parts else ""


def source_title(source: dict):
    """The source's title, linked to its address when that is an http(s) one (anything else stays text)."""
    address = link_address(source.get("url"))
    return html.A(source["title"], href=address) if address else source["title"]


def footer(manifest: dict) -> html.Footer:
    sources = manifest.get("sources") or []
    items = [
        html.Li([
            source_title(s),
            f" — {s['publisher']}, {s['licence']}" + (f", millésime {s['vintage']}" if s.get("vintage") else ""),
        ])
        for s in sources
    ]
    return html.Footer(
        className="site-footer",
        children=[
            html.H2("Sources", className="footer-title"),
            html.Ul(items, className="footer-sources"),
            html.P(geography_note(manifest), className="footer-geography"),
            html.P([
                f"Jeu de données : {manifest.get('title', '')} (généré le {manifest.get('generated_at', '')[:10]}). ",
                "Code source libre (licence MIT) ; données sous Licence Ouverte 2.0 sauf mention contraire. ",
                dcc.Link("Télécharger les données", href="/donnees"), ".",
            ]),
        ],
    )


def app_frame(manifest: dict) -> html.Div:
    """The static frame; the router fills ``page-content``."""
    banner = illustrative_banner(manifest)
    return html.Div(
        className="app",
        children=[
            dcc.Location(id="url", refresh="callback-nav"),
            dcc.Store(id="history-nav"),
            html.Div(id="site-header", children=header("/")),
            *([banner] if banner else []),
            html.Main(id="page-content", className="page", tabIndex="-1"),
            footer(manifest),
        ],
    )
