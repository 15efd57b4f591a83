"""The page frame: skip link, header, navigation, illustrative banner, footer."""

from __future__ import annotations

from dash import dcc, html

from atlas.i18n import LANGUAGE_NAMES, _, current_language, switch_href, with_language
from atlas.levels import label as level_label
from atlas.routes import NAVIGATION
from atlas.weblinks import link_address
from layouts.client_text import client_text_holder


def language_switch(pathname: str = "/", search: str = "") -> html.A:
    """The other language's link to this very page and state (a full load: every text is re-rendered).

    assets/atlas_language.js keeps its address current as pages write their state into the URL."""
    other = "fr" if current_language() == "en" else "en"
    return html.A(LANGUAGE_NAMES[other], id="language-switch", className="language-switch", lang=other,
                  hrefLang=other, href=switch_href(pathname, search, other),
                  title=_("Afficher cette page en anglais") if other == "en" else _("Afficher cette page en français"))


def header(active_path: str = "/", pathname: str = "/", search: str = "") -> html.Header:
    links = [
        dcc.Link(_(label), href=with_language(path), className="nav-link" + (" active" if path == active_path else ""),
                 id={"type": "nav-link", "path": path})
        for path, label in NAVIGATION
    ]
    return html.Header(
        className="site-header",
        children=[
            html.A(_("Aller au contenu"), href="#page-content", className="skip-link"),
            html.Div(className="brand", children=[
                dcc.Link("Atlas QPV", href=with_language("/"), className="brand-name"),
                html.Span(_("Inégalités territoriales et action publique dans les quartiers prioritaires"),
                          className="brand-tagline"),
            ]),
            html.Nav(links, className="site-nav", **{"aria-label": _("Navigation principale")}),
            copy_link(),
            language_switch(pathname, search),
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
        **{"aria-label": _("Avertissement : données illustratives")},
        children=[
            html.Strong(_("Données illustratives.")), " ",
            _("Les quartiers, indicateurs, crédits et engagements affichés sont générés pour la démonstration "
              "(ordres de grandeur plausibles) ; ils ne décrivent aucun territoire réel."), " ",
            dcc.Link(_("En savoir plus"), href=with_language("/a-propos")),
        ],
    )


def geography_note(manifest: dict) -> str:
    geography = manifest.get("geography") or {}
    parts = [_("{level} : {vintage}").format(level=level_label(level), vintage=vintage)
             for level, vintage in geography.items()]
    return _("Géographies — {parts}").format(parts=_(" ; ").join(parts)) if parts else ""


def source_title(source: dict):
    """The source's title, linked to its address when that is an http(s) one (anything else stays text)."""
    address = link_address(source.get("url"))
    return html.A(source["title"], href=address) if address else source["title"]


def footer(manifest: dict) -> html.Footer:
    sources = manifest.get("sources") or []
    items = [
        html.Li([
            source_title(s),
            f" — {s['publisher']}, {s['licence']}"
            + (_(", millésime {vintage}").format(vintage=s["vintage"]) if s.get("vintage") else ""),
        ])
        for s in sources
    ]
    return html.Footer(
        className="site-footer",
        children=[
            html.H2(_("Sources"), className="footer-title"),
            html.Ul(items, className="footer-sources"),
            html.P(geography_note(manifest), className="footer-geography"),
            html.P([
                _("Jeu de données : {title} (généré le {date}).").format(
                    title=manifest.get("title", ""), date=manifest.get("generated_at", "")[:10]), " ",
                _("Code source libre (licence MIT) ; données sous Licence Ouverte 2.0 sauf mention contraire."), " ",
                dcc.Link(_("Télécharger les données"), href=with_language("/donnees")), ".",
            ]),
        ],
    )


def app_frame(manifest: dict) -> html.Div:
    """The frame, built for each visit in its language; the router fills ``page-content`` and the header."""
    banner = illustrative_banner(manifest)
    return html.Div(
        className="app",
        children=[
            dcc.Location(id="url", refresh="callback-nav"),
            dcc.Store(id="history-nav"),
            html.Div(id="site-header", children=header("/")),  # the router renders it for each page
            *([banner] if banner else []),
            html.Main(id="page-content", className="page", tabIndex="-1"),
            footer(manifest),
            client_text_holder(),
        ],
    )
