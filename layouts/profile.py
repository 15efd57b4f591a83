"""The quarter profile (/qpv/<code>): pure functions of a ``ProfileView``."""

from __future__ import annotations

import dash_leaflet as dl
from dash import dcc, html

from atlas.feedback import feedback_href
from atlas.formatting import format_date, format_value
from atlas.i18n import _, ngettext
from atlas.levels import name as level_name
from atlas.places import vintage_year
from atlas.profile import KeyFigure, Profile, population_sentence, value_text
from atlas.schema import level_label
from atlas.views import ProfileView
from layouts import compare as cmp
from layouts import embeds as embed_layout
from layouts import profile_sections as sections
from layouts.charts import csv_downloads
from layouts.feedback import feedback_link
from layouts.sparkline import sparkline

QPV_STYLE = {"color": "#000091", "weight": 3, "fillColor": "#000091", "fillOpacity": 0.45}
COMMUNE_STYLE = {"color": "#595959", "weight": 1.5, "dashArray": "4 3", "fillColor": "#d9d9d9", "fillOpacity": 0.35}
OVERVIEW_SIZE = 5


# ---------------------------------------------------------------- key figures


def key_figure_card(figure: KeyFigure, report: str | None = None) -> html.Article:
    quarter = figure.values.get("qpv")
    usable = bool(quarter and quarter.usable)
    status = quarter.status if quarter else "missing"
    number = (figure.text("qpv", flag_estimate=False) if usable and figure.categorical
              else format_value(quarter.value, figure.unit, figure.decimals) if usable
              else value_text(None, status, figure.unit, figure.decimals))
    verdict = None
    if figure.verdict and figure.benchmark is not None:
        verdict = (_("Écart favorable au quartier par rapport {reference}") if figure.verdict == "favourable"
                   else _("Écart défavorable au quartier par rapport {reference}")).format(
            reference=figure.benchmark.versus)
    return html.Article(className=f"kf-card kf-{figure.verdict or 'neutral'}", **{"data-indicator": figure.indicator},
                        children=[
        html.H4(figure.label, className="kf-label"),
        html.P(className="kf-value", children=[
            html.Span(number, className="kf-number" + ("" if usable else " kf-unavailable")),
            " ", cmp.status_flag(status) if usable else None,
            html.Span(f" {figure.year}" if figure.year else "", className="kf-year"),
        ]),
        sparkline(figure),
        html.P(figure.sentence, className="kf-sentence"),
        html.P(verdict, className=f"kf-verdict kf-verdict-{figure.verdict}") if verdict else None,
        html.P(_("Source : {source} ; millésime {vintage}.").format(source=figure.source, vintage=figure.vintage),
               className="source-line"),
        html.Details(className="kf-comparability", children=[html.Summary(_("Comparabilité")),
                                                             html.P(figure.comparability)])
        if figure.comparability else None,
        feedback_link(report),
    ])


def references_sentence(profile: Profile) -> str:
    """Which territories the figures are set against, by name."""
    versus = [place.versus for role, place in profile.places.items() if role != "qpv"]
    if not versus:
        return _("Ce jeu de données ne contient aucun territoire de référence pour ce quartier.")
    joined = _(" et ").join([", ".join(versus[:-1]), versus[-1]]) if len(versus) > 1 else versus[0]
    text = _("Chaque indicateur est comparé {references}, la même année ; lorsqu'une référence n'est pas publiée "
             "pour cette année, sa valeur la plus proche est donnée avec son année.").format(references=joined)
    aggregates = [place.versus for place in profile.aggregates.values()]
    if aggregates:
        which = (_(" et ").join([", ".join(aggregates[:-1]), aggregates[-1]]) if len(aggregates) > 1
                 else aggregates[0])
        text += " " + _("Les effectifs qui s'additionnent sont aussi comparés {which} : somme exacte des quartiers "
                        "dont la valeur est publiée, leur nombre précisé quand il en manque.").format(which=which)
    return text


def key_figures(profile: Profile, feedback_url: str = "", page: str = "") -> html.Section:
    territory = f"{profile.name} ({profile.code})"
    blocks = []
    for section in profile.sections:
        cards = [key_figure_card(f, feedback_href(feedback_url, page, territory, f"{f.label} ({f.indicator})",
                                                  f.year)) for f in section.figures]
        content = (html.Div(cards, className="kf-grid") if section.figures
                   else html.P(section.empty_reason, className="muted"))
        blocks.append(html.Div(className="kf-section", id=f"theme-{section.id}",
                               children=[html.H3(_(section.title)), content]))
    if not profile.has_indicators:
        blocks = [html.P(no_indicator_reason(profile), className="muted")]
    elif not blocks:
        blocks = [html.P(_("Ce jeu de données ne désigne aucun indicateur à présenter pour les quartiers."),
                         className="muted")]
    return html.Section(id="chiffres-cles", className="profile-section", **{"aria-labelledby": "kf-title"}, children=[
        html.H2(_("Chiffres clés"), id="kf-title"),
        html.P(references_sentence(profile) + " " + _(
            "La courbe montre l'évolution dans le quartier (trait plein) et dans une référence nommée sous la courbe "
            "(pointillés) ; les cercles blancs signalent des estimations."), className="muted")
        if profile.has_indicators else None,
        *blocks,
    ])


def no_indicator_reason(profile: Profile) -> str:
    vintage = profile.vintage or _("cette géographie")
    return _("Ce jeu de données ne contient aucun indicateur pour les quartiers de la géographie {vintage} : "
             "les chiffres publiés portent sur les quartiers d'une autre géographie, listés ci-dessus.").format(
        vintage=vintage)


def overview_figures(profile: Profile, overview: tuple[str, ...]) -> list[KeyFigure]:
    """The presentation's headline figures, or else the first figure of each section."""
    by_id = {f.indicator: f for f in profile.figures}
    chosen = [by_id[i] for i in overview if i in by_id]
    return chosen or [s.figures[0] for s in profile.sections if s.figures][:OVERVIEW_SIZE]


def key_figure_short(figure: KeyFigure) -> str:
    """« 42,9 % — France métropolitaine : 14,7 % (2021) »: the quarter and its benchmark, same year."""
    quarter = figure.text("qpv")
    year = f" ({figure.year})" if figure.year else ""
    reference = figure.values.get(figure.benchmark.role) if figure.benchmark else None
    if reference is None:
        others = [v for r, v in figure.values.items() if r != "qpv" and v.usable]
        reference = others[-1] if others else None
    if reference is None:
        return _("{value} ; pas de valeur de référence publiée").format(value=f"{quarter}{year}")
    said = [str(reference.year)] if reference.year != figure.year else []
    said += [reference.note] if reference.note else []  # an aggregate over quarters says how it was computed
    ref_year = f" ({' ; '.join(said)})" if said else ""
    return _("{value} — {place} : {reference}").format(value=f"{quarter}{year}", place=reference.place.label,
                                                       reference=f"{figure.text(reference.place.role)}{ref_year}")


# ------------------------------------------------------------------------ map


def quarter_map(profile: Profile, geometry: dict) -> html.Figure:
    names = [p.name for p in profile.communes]
    communes = (_(" et ").join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)) \
        or _("commune non renseignée")
    caption = (_("Le quartier {name} (en bleu) dans ses communes, {communes} (en gris).") if len(names) > 1
               else _("Le quartier {name} (en bleu) dans sa commune, {communes} (en gris).")).format(
        name=profile.name, communes=communes)
    vintage = profile.vintage or _("géographie non précisée")
    if not geometry.get("qpv"):
        caption = (_("Les communes du quartier, {communes} (en gris) ; ce jeu de données ne contient pas le contour "
                     "du quartier ({vintage}).") if len(names) > 1
                   else _("La commune du quartier, {communes} (en gris) ; ce jeu de données ne contient pas le "
                          "contour du quartier ({vintage}).")).format(communes=communes, vintage=vintage)
    if geometry.get("bounds") is None:
        return html.Figure(className="profile-map profile-map-empty", children=[
            html.P(_("Ce jeu de données ne contient pas le contour de ce quartier ({vintage}) : pas de carte.").format(
                vintage=profile.vintage or _("géographie")), className="muted")])
    layers = []
    if geometry.get("communes"):
        layers.append(dl.GeoJSON(data=geometry["communes"], style=COMMUNE_STYLE, interactive=False,
                                 id="profile-map-commune"))
    if geometry.get("qpv"):
        layers.append(dl.GeoJSON(data=geometry["qpv"], style=QPV_STYLE, interactive=False, id="profile-map-qpv"))
    (south, west), (north, east) = geometry["bounds"]
    return html.Figure(className="profile-map", children=[
        dl.Map(id="profile-map", children=layers, bounds=geometry["bounds"], boundsOptions={"padding": [12, 12]},
               center=[(south + north) / 2, (west + east) / 2], scrollWheelZoom=False, zoomSnap=0.25,
               attributionControl=False, style={"height": "280px", "width": "100%", "background": "#ffffff"}),
        html.Figcaption([caption, " ", _("Contours illustratifs ; sans fond de carte.")]
                        if profile.vintage.endswith("(illustratif)") else caption, className="source-line"),
    ])


# ------------------------------------------------------------- the geography


def geography_note(profile: Profile) -> html.Section | None:
    """The quarters of the other geography (QPV 2015 / 2024) in the same communes, with the caveat."""
    others = profile.other_geography
    mine = profile.vintage_year
    if not others and profile.has_indicators:
        return None
    newer = [q for q in others if (vintage_year(q.vintage) or 0) > (mine or 0)]
    older = [q for q in others if q not in newer]
    children = [html.H2(_("Géographie prioritaire"), id="geographie-title")]
    if newer:
        children += [
            html.P(_("La géographie prioritaire a été redessinée ({new}) : les périmètres ont changé. Les chiffres de "
                     "cette page portent sur le périmètre {old} du quartier ; ils ne valent pas pour les nouveaux "
                     "quartiers, dont voici ceux de la même commune :").format(
                new=newer[0].vintage, old=profile.vintage or _("ancien"))),
            _quarter_list(newer)]
    if older:
        children += [
            html.P(_("Ce quartier appartient à la géographie {new} ; les périmètres de la géographie précédente "
                     "({old}) étaient différents, et les chiffres publiés portent sur ces anciens quartiers. "
                     "Quartiers de la même commune dans l'ancienne géographie :").format(
                new=profile.vintage or _("récente"), old=older[0].vintage)),
            _quarter_list(older)]
    if not others and not profile.has_indicators:
        children.append(html.P(_(
            "Ce jeu de données ne contient pas de quartier d'une autre géographie dans sa commune.")))
    return html.Section(id="geographie", className="profile-section", **{"aria-labelledby": "geographie-title"},
                        children=children)


def _quarter_list(quarters) -> html.Ul:
    return html.Ul([html.Li(dcc.Link(f"{q.name} ({q.code}) — {', '.join(q.communes)}", href=f"/qpv/{q.code}"))
                    for q in quarters], className="geography-list")


# ------------------------------------------------------------------------ page


def _where(profile: Profile, region_name: str) -> str:
    communes = ", ".join(p.name for p in profile.communes)
    departement = profile.places.get("departement")
    parts = [ngettext("Commune : {names}", "Communes : {names}", len(profile.communes)).format(names=communes)
             if communes else "",
             *(_("{level} : {name} ({code})").format(level=level_name(p.level), name=p.name, code=p.code)
               for p in profile.zonings),
             f"{departement.name} ({departement.code})" if departement else "",
             region_name if region_name and (not departement or region_name != departement.name) else ""]
    return " · ".join(p for p in parts if p)


def _header(view: ProfileView) -> html.Header:
    profile, meta = view.profile, view.meta
    toc = [("chiffres-cles", _("Chiffres clés")), ("bien-etre", _("Bien-être")),
           ("quartiers-comparables", _("Quartiers comparables")), ("credits", _("Crédits et mesures")),
           ("evolution", _("Évolution détaillée")), ("sources", _("Sources"))]
    kicker = f"{level_label('qpv')} {profile.code}" + (f" — {profile.vintage}" if profile.vintage else "")
    return html.Header(className="profile-header", children=[
        html.P(kicker, className="profile-kicker"),
        html.H1(profile.name, id="profile-title"),
        html.P(_where(profile, meta.region_name), className="profile-where"),
        html.P(population_sentence(profile), className="profile-population"),
        html.P(_("Profil édité le {date} depuis l'Atlas QPV — {dataset}.").format(
            date=format_date(meta.today.isoformat()), dataset=meta.dataset_title), className="profile-meta"),
        feedback_link(feedback_href(view.feedback_url, view.page_address, f"{profile.name} ({profile.code})",
                                    year=profile.year), _("Signaler une erreur sur ce profil")),
        html.Div(className="actions no-print", children=[
            html.Button(_("Imprimer le profil"), id="profile-print", className="button", n_clicks=0),
            csv_downloads("profile-csv", _("Télécharger les chiffres clés")),
            dcc.Link(_("Comparer avec ses territoires de référence"), href=view.compare_href,
                     className="button button-secondary"),
            embed_layout.embed_dialog(list(view.embeds)) if view.embeds else None,
        ]),
        html.Nav(className="toc no-print", **{"aria-label": _("Sur cette page")}, children=[
            html.Ul([html.Li(html.A(label, href=f"#{anchor}")) for anchor, label in toc])]),
    ])


def _overview(view: ProfileView) -> html.Div:
    figures = overview_figures(view.profile, view.overview)
    listing = (html.Ul(className="overview-list", children=[
        html.Li([html.Strong(_("{label} : ").format(label=f.label)), key_figure_short(f)]) for f in figures]) if figures
        else html.P(_("Aucun chiffre publié pour ce quartier dans ce jeu de données."), className="muted"))
    return html.Div(className="profile-overview", children=[
        quarter_map(view.profile, view.geometry),
        html.Div(className="overview-figures", children=[html.H2(_("En bref"), className="overview-title"), listing]),
    ])


def profile_page(view: ProfileView) -> html.Article:
    profile = view.profile
    return html.Article(className="profile", children=[
        dcc.Store(id="profile-code", data=profile.code),
        dcc.Location(id="profile-url", refresh=False),  # the evolution indicator, written back (shareable)
        _header(view),
        _overview(view),
        geography_note(profile),
        key_figures(profile, view.feedback_url, view.page_address),
        sections.wellbeing_section(profile, view.wellbeing),
        sections.peers_section(view.peers),
        sections.credits_section(profile, view.credits),
        sections.evolution_section(view.evolution),
        sections.sources_section(profile, view.meta, view.credits.source),
        html.Span(id="profile-print-done", hidden=True),
    ])


def role_names(places: dict) -> dict:
    """(level, code) -> « Quartier — Les Vignes », « Commune — Toulouse », « France métropolitaine »."""
    return {(p.level, p.code): p.label for p in places.values()}

