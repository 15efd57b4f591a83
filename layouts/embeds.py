"""Embeds (/embed/…) and the « Intégrer » dialog: pure functions returning components.

An embed carries its own minimal chrome — title, source, vintage, date, the illustrative flag and a link
back to the full page — because, framed in someone else's article, nothing else around it says where the
figures come from. The site's header, banner and footer are hidden by ``html.embed`` (set by the server on
/embed/ addresses, see assets/embed.css). Links leave the frame (``target="_blank"``).
"""

from __future__ import annotations

from dataclasses import dataclass

from dash import ClientsideFunction, dcc, html

from atlas.formatting import format_date
from atlas.i18n import N_, _, with_language
from atlas.profile import KeyFigure, Profile

ILLUSTRATIVE_NOTE = N_("Données illustratives : elles ne décrivent aucun territoire réel.")


@dataclass(frozen=True)
class Chrome:
    """What every embed says about itself."""

    title: str
    subtitle: str
    sources: tuple[tuple[str, str], ...]  # (source, vintage)
    edited: str  # ISO date the embed was rendered
    illustrative: bool
    back_href: str
    back_label: str


def source_text(sources: tuple[tuple[str, str], ...]) -> str:
    """« Source : X, millésime 2021 ; Y, millésime 2020. » — or a sentence saying there is none."""
    if not sources:
        return _("Source : jeu de données de l'Atlas QPV.")
    word = _("Sources") if len(sources) > 1 else _("Source")
    listed = _(" ; ").join(_("{source}, millésime {vintage}").format(source=s, vintage=v) if v else s
                           for s, v in sources)
    return _("{word} : {sources}.").format(word=word, sources=listed)


def embed_frame(chrome: Chrome, *body) -> html.Div:
    return html.Div(className="embed-page", children=[
        html.Header(className="embed-header", children=[
            html.H1(chrome.title, className="embed-title"),
            html.P(chrome.subtitle, className="embed-subtitle") if chrome.subtitle else None,
        ]),
        html.P(_(ILLUSTRATIVE_NOTE), className="embed-illustrative", role="note") if chrome.illustrative else None,
        html.Div(className="embed-body", children=list(body)),
        html.Footer(className="embed-footer", children=[
            html.P(source_text(chrome.sources), className="source-line embed-source"),
            html.P(className="embed-credit", children=[
                _("Atlas QPV, édité le {date}.").format(date=format_date(chrome.edited)), " ",
                html.A(chrome.back_label, href=chrome.back_href, target="_blank", rel="noopener",
                       className="embed-back"),
            ]),
        ]),
    ])


def embed_not_found(reason: str) -> html.Div:
    """Shown when the router is asked an embed the server would have refused (a hand-made callback)."""
    return html.Div(className="embed-page", children=[
        html.H1(_("Contenu introuvable"), className="embed-title"),
        html.P(_("Ce contenu ne peut pas être affiché ({reason}).").format(reason=reason), className="muted"),
    ])


# ---------------------------------------------------------------- profile card


def _reference_items(figure: KeyFigure) -> list:
    items = []
    for role, value in figure.values.items():
        if role == "qpv":
            continue
        said = [str(value.year)] if value.year and value.year != figure.year else []
        said += [value.note] if value.note else []  # an aggregate over quarters says how it was computed
        year = f" ({' ; '.join(said)})" if said else ""
        items.append(html.Li(_("{place} : {value}").format(place=value.place.label, value=figure.text(role)) + year))
    return items or [html.Li(_("Pas de valeur de référence publiée."))]


def card_figure(figure: KeyFigure) -> html.Div:
    year = _(" en {year}").format(year=figure.year) if figure.year else ""
    return html.Div(className="embed-figure", **{"data-indicator": figure.indicator}, children=[
        html.H2(figure.label, className="embed-figure-label"),
        html.P([html.Span(figure.text("qpv"), className="embed-figure-value"), year], className="embed-figure-main"),
        html.Ul(_reference_items(figure), className="embed-references"),
    ])


MAX_OTHERS = 6


def no_figures_sentence(profile: Profile) -> str:
    """Why the card is empty, naming the quarters of the other geography whose figures are published."""
    if profile.has_indicators:
        return _("Ce jeu de données ne désigne aucun chiffre clé à présenter pour ce quartier.")
    sentence = _("Ce jeu de données ne contient aucun indicateur pour les quartiers de la géographie "
                 "{vintage}").format(vintage=profile.vintage or _("de ce quartier"))
    others = profile.other_geography
    if others:
        names = ", ".join(f"{q.name} ({q.code})" for q in others[:MAX_OTHERS])
        sentence += _(" ; les chiffres publiés portent sur les quartiers de la géographie {vintage} de la "
                      "même commune : {names}").format(vintage=others[0].vintage, names=names) \
            + (" …" if len(others) > MAX_OTHERS else "")
    return sentence + "."


def profile_card(profile: Profile, figures: list[KeyFigure]) -> list:
    if not figures:
        return [html.P(no_figures_sentence(profile), className="muted")]
    return [html.Div([card_figure(f) for f in figures], className="embed-figures")]


# ------------------------------------------------------------- the dialog


def choice_options(choices: list[dict]) -> list[dict]:
    return [{"label": c["label"], "value": i} for i, c in enumerate(choices)]


def embed_dialog(choices: list[dict]) -> html.Div:
    """« Intégrer » and its dialog: ``choices`` are ``{label, path, title, height}``, the first chosen; a choice
    with ``query: True`` embeds the page's current query string (the map, whose state lives in its URL).

    The snippet is written by assets/atlas_embed.js from the page's own origin, as text (never HTML).
    """
    return html.Div(className="embed-tools no-print", children=[
        html.Button(_("Intégrer"), id="embed-open", className="button button-secondary", n_clicks=0,
                    **{"aria-haspopup": "dialog"}),
        html.Dialog(id="embed-dialog", className="embed-dialog", **{"aria-labelledby": "embed-dialog-title"},
                    children=[
            html.H2(_("Intégrer sur un autre site"), id="embed-dialog-title"),
            html.P(_("Copiez ce code HTML dans votre page : le contenu s'affichera avec sa source, son millésime et "
                     "un lien vers l'Atlas QPV."), className="muted"),
            html.Label(_("Contenu"), htmlFor="embed-choice"),
            dcc.RadioItems(id="embed-choice", options=choice_options(choices), value=0, className="embed-choices"),
            html.Label(_("Code à copier"), htmlFor="embed-snippet"),
            dcc.Textarea(id="embed-snippet", readOnly=True, className="embed-snippet", rows=5),
            html.Div(className="actions", children=[
                html.Button(_("Copier le code"), id="embed-copy", className="button", n_clicks=0),
                html.Button(_("Fermer"), id="embed-close", className="button button-secondary", n_clicks=0),
                html.Span(id="embed-copied", role="status", className="embed-copied"),
            ]),
        ]),
        # The snippet embeds the content in the page's language (the map's query string already carries it).
        dcc.Store(id="embed-choices", data=[c if c.get("query") else {**c, "path": with_language(c["path"])}
                                            for c in choices]),
    ])


# Client-side behaviour of the dialog (functions of assets/atlas_embed.js; no inline script).
DIALOG_FUNCTIONS = {
    "open": ClientsideFunction("atlasEmbed", "open"),
    "close": ClientsideFunction("atlasEmbed", "close"),
    "snippet": ClientsideFunction("atlasEmbed", "snippet"),
    "copy": ClientsideFunction("atlasEmbed", "copy"),
}
