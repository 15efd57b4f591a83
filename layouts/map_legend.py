"""What is written around the map: legend, what each figure is compared to, definition, widest gaps."""

from __future__ import annotations

from urllib.parse import quote

from dash import dcc, html

from atlas.formatting import format_number, format_value
from atlas.i18n import N_, _
from atlas.mapclasses import MapPayload
from atlas.maplegend import map_legend, reference_sentence, territory_noun
from layouts.feedback import feedback_link

# Sentence fragments (French source, translated with _() where a sentence is built).
TERRITORY_SINGULAR = {"qpv": N_("du quartier"), "commune": N_("de la commune"), "epci": N_("de l'intercommunalité"),
                      "departement": N_("du département"), "region": N_("de la région")}
EACH_TERRITORY = {"qpv": N_("Chaque quartier est situé"), "commune": N_("Chaque commune est située"),
                  "epci": N_("Chaque intercommunalité est située"), "departement": N_("Chaque département est situé"),
                  "region": N_("Chaque région est située")}


def legend(payload: MapPayload, year: int) -> html.Div:
    """Classes with their colours, secret and missing (atlas/maplegend.py, shared with the map export)."""
    content = map_legend(payload, year)
    swatch_class = {"class": "swatch", "secret": "swatch swatch-secret", "missing": "swatch swatch-missing"}
    rows = [html.Li([html.Span(className=swatch_class[e.kind], style={"background": e.color}), e.label])
            for e in content.entries]
    return html.Div([
        html.H2(content.title, className="legend-title"),
        html.Ul(rows, className="legend-classes legend-categories" if payload.categorical else "legend-classes"),
        *[html.P(note, className="legend-note") for note in content.notes],
    ])


def comparison_note(payload: MapPayload, year: int, scheme_label: str, fixed: bool) -> html.P:
    """What each coloured figure is compared to, in one sentence under the map."""
    noun = territory_noun(payload.level)
    count = format_number(payload.count, 0)
    if payload.categorical:
        text = _("Chaque territoire est coloré selon sa classe en {year} ({count} {noun} sur la carte) : une "
                 "typologie n'a ni seuils, ni rang, ni écart à une référence.").format(year=year, count=count,
                                                                                     noun=noun)
    elif payload.reference is not None:
        used = payload.reference_years.get(year)
        figure = _("le rapport") if payload.operation == "ratio" else _("la différence")
        when = (_("valeur de {year}").format(year=used) if used is not None and used != year else
                _("même année") if used is not None else _("aucune valeur publiée pour {year}").format(year=year))
        text = _("Chaque figure colorée est {figure} entre la valeur {territory} et celle de {reference} ({when}). "
                 "Les seuils sont calculés sur les écarts des {count} {territories} et de toutes les années.").format(
            figure=figure, territory=_(TERRITORY_SINGULAR.get(payload.level, N_("du territoire"))),
            reference=payload.reference.phrase, when=when, count=count, territories=noun)
    else:
        over = _("toutes les années") if fixed else _("l'année {year}").format(year=year)
        each = _(EACH_TERRITORY.get(payload.level, N_("Chaque territoire est situé")))
        text = _("{each} par rapport aux autres {territories} de la carte ({count}), pas à une valeur de référence : "
                 "classes « {scheme} » calculées sur {over}. Le rang de l'infobulle compte les {territories} ayant "
                 "une valeur la même année.").format(each=each, territories=noun, count=count,
                                                     scheme=_(scheme_label).lower(), over=over)
    return html.P(text, id="map-comparison", className="map-comparison")


def indicator_note(meta: dict, report: str | None = None) -> html.Div:
    """The indicator's definition, source, vintage and licence, and « Signaler une erreur » when ``report``."""
    def text(key: str) -> str:
        value = meta.get(key)
        return "" if value is None or value != value else str(value)

    return html.Div(className="indicator-note", children=[
        html.H2(_("Définition et source")),
        html.P(text("definition") or _("Définition non fournie par le paquet de données.")),
        html.P([html.Strong(_("Source : ")), text("source") or _("non précisée"), " — ",
                html.Strong(_("millésime : ")), text("vintage") or _("non précisé"), " — ",
                html.Strong(_("licence : ")), text("licence") or _("non précisée")]),
        html.P([html.Strong(_("Comparabilité : ")), text("comparability")]) if text("comparability") else None,
        feedback_link(report),
    ])


def profile_href(level: str, code: str) -> str:
    """The page of a territory: a quarter's profile, or the comparison page for other levels."""
    return f"/qpv/{quote(code, safe='')}" if level == "qpv" else f"/comparer?codes={quote(f'{level}:{code}', safe=':')}"


def widest_gaps_list(frame, payload: MapPayload, year: int, unit: str) -> html.Div:
    """The territories furthest from their reference, with links to their pages."""
    if payload.reference is None:
        return html.Div()
    title = _("Les écarts les plus défavorables à {reference} ({year})").format(
        reference=payload.reference.phrase, year=year)
    if frame.empty:
        return html.Div(className="widest-gaps", children=[html.H2(title), html.P(
            reference_sentence(payload, year) or _("Aucun écart calculable cette année."))])
    ratio = payload.operation == "ratio"
    decimals = 0 if payload.decimals == 0 else payload.decimals
    items = []
    for row in frame.itertuples():
        gap = format_value(row.gap, "", 2) if ratio else format_value(row.gap, payload.unit, decimals, signed=True)
        items.append(html.Li([
            dcc.Link(f"{row.name} ({row.code})", href=profile_href(payload.level, row.code)), _(" : "),
            format_value(row.value, unit, decimals), _(" contre "), format_value(row.reference, unit, decimals),
            f" ({row.reference_year})" if row.reference_year != year else "", _(" — écart {gap}").format(gap=gap),
        ]))
    return html.Div(className="widest-gaps", children=[html.H2(title), html.Ol(items)])
