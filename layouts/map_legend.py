"""What is written around the map: legend, what each figure is compared to, definition, widest gaps."""

from __future__ import annotations

from urllib.parse import quote

from dash import dcc, html

from atlas import levels
from atlas.formatting import format_number, format_value
from atlas.i18n import _
from atlas.mapclasses import MISSING_COLOR, SECRET_COLOR, MapPayload, class_labels
from atlas.mapdata import OPERATIONS
from layouts.feedback import feedback_link

TERRITORY_SINGULAR = {"qpv": "du quartier", "commune": "de la commune", "epci": "de l'intercommunalité",
                      "departement": "du département", "region": "de la région"}
EACH_TERRITORY = {"qpv": "Chaque quartier est situé", "commune": "Chaque commune est située",
                  "epci": "Chaque intercommunalité est située", "departement": "Chaque département est situé",
                  "region": "Chaque région est située"}
TERRITORY_NOUNS = {"qpv": "quartiers", "commune": "communes", "epci": "intercommunalités",
                   "departement": "départements", "region": "régions"}
POLARITY_NOTES = {
    "higher_is_worse": "Couleurs foncées : situations les plus défavorables (une valeur élevée est défavorable "
                       "pour cet indicateur).",
    "higher_is_better": "Couleurs foncées : situations les plus défavorables (une valeur faible est défavorable "
                        "pour cet indicateur).",
    "neutral": "Couleurs foncées : valeurs les plus élevées (indicateur de contexte, sans sens favorable ou "
               "défavorable).",
}


def territory_noun(level: str) -> str:
    if level in TERRITORY_NOUNS:
        return TERRITORY_NOUNS[level]
    plural = levels.plural(level)  # a level the package declares (« zones d'emploi »)
    return plural if plural != level else "territoires"


def reference_sentence(payload: MapPayload, year: int) -> str | None:
    """Which reference year stands for ``year``, or that none was published (None when it is ``year``)."""
    if payload.reference is None:
        return None
    used = payload.reference_years.get(year)
    if used is None:
        return f"Pas de valeur de référence publiée pour {year} ({payload.reference.phrase})."
    if used != year:
        return (f"Référence de {used} : pas de valeur publiée pour {year} pour {payload.reference.phrase}, "
                f"la plus proche est utilisée.")
    return None


def legend_title(payload: MapPayload, year: int) -> str:
    if payload.reference is not None:
        return (f"Écart à {payload.reference.phrase} ({OPERATIONS.get(payload.operation or '', '')}) — "
                f"{payload.label}, {year}")
    return f"{payload.label} — {year}"


def category_legend(payload: MapPayload, year: int) -> html.Div:
    """A typology: one colour per class (all of them, so that colours keep their meaning across years)."""
    rows = [html.Li([html.Span(className="swatch", style={"background": color}), label])
            for color, label in zip(payload.colors, payload.categories, strict=True)]
    notes = [_("Une couleur par classe de la typologie : les classes ne sont pas ordonnées comme des valeurs.")
             if payload.has_colours(year) else
             _("Aucune valeur publiée pour {year} pour cet indicateur à cette échelle : les {noun} sont dessinés "
               "en blanc.").format(year=year, noun=territory_noun(payload.level))]
    rows.append(html.Li([html.Span(className="swatch swatch-secret", style={"background": SECRET_COLOR}),
                         "Secret statistique (population trop faible pour publier)"]))
    rows.append(html.Li([html.Span(className="swatch swatch-missing", style={"background": MISSING_COLOR}),
                         _("Sans valeur")]))
    return html.Div([
        html.H2(legend_title(payload, year), className="legend-title"),
        html.Ul(rows, className="legend-classes legend-categories"),
        *[html.P(note, className="legend-note") for note in notes],
    ])


def legend(payload: MapPayload, year: int) -> html.Div:
    """Classes with their colours; when the year has nothing to colour, one sentence says why."""
    if payload.categorical:
        return category_legend(payload, year)
    signed = payload.reference is not None and payload.operation == "difference"
    labels = class_labels(payload.breaks_for(year), payload.unit, payload.decimals, signed=signed)
    rows = []
    notes = []
    if payload.has_colours(year):
        if not labels:  # every value (or gap) is the same
            labels = ["aucun écart" if payload.reference is not None else "une seule valeur pour tous"]
        rows = [html.Li([html.Span(className="swatch", style={"background": color}), label])
                for color, label in zip(payload.colors, labels, strict=False)]
        if payload.reference is not None:
            notes.append("Bleu : plus favorable que la référence ; rouge : moins favorable. "
                         + ("Un rapport de 1 signifie aucun écart." if payload.operation == "ratio"
                            else "0 signifie aucun écart."))
        else:
            notes.append(POLARITY_NOTES.get(payload.polarity, POLARITY_NOTES["neutral"]))
    else:
        sentence = reference_sentence(payload, year) if payload.reference is not None else None
        notes.append(sentence if sentence and "Pas de valeur" in sentence else
                     f"Aucune valeur publiée pour {year} pour cet indicateur à cette échelle : "
                     f"les {territory_noun(payload.level)} sont dessinés en blanc.")
    fallback = reference_sentence(payload, year)
    if fallback and payload.has_colours(year):
        notes.append(fallback)
    rows.append(html.Li([html.Span(className="swatch swatch-secret", style={"background": SECRET_COLOR}),
                         "Secret statistique (population trop faible pour publier)"]))
    rows.append(html.Li([html.Span(className="swatch swatch-missing", style={"background": MISSING_COLOR}),
                         "Non disponible"]))
    return html.Div([
        html.H2(legend_title(payload, year), className="legend-title"),
        html.Ul(rows, className="legend-classes"),
        *[html.P(note, className="legend-note") for note in notes],
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
        figure = "le rapport" if payload.operation == "ratio" else "la différence"
        when = (f"valeur de {used}" if used is not None and used != year else
                "même année" if used is not None else f"aucune valeur publiée pour {year}")
        text = (f"Chaque figure colorée est {figure} entre la valeur "
                f"{TERRITORY_SINGULAR.get(payload.level, 'du territoire')} et celle de "
                f"{payload.reference.phrase} ({when}). Les seuils sont calculés sur les écarts des {count} {noun} "
                f"et de toutes les années.")
    else:
        over = "toutes les années" if fixed else f"l'année {year}"
        each = EACH_TERRITORY.get(payload.level, "Chaque territoire est situé")
        text = (f"{each} par rapport aux autres {noun} de la carte ({count}), pas à une valeur de référence : "
                f"classes « "
                f"{scheme_label.lower()} » calculées sur {over}. Le rang de l'infobulle compte les {noun} ayant "
                f"une valeur la même année.")
    return html.P(text, id="map-comparison", className="map-comparison")


def indicator_note(meta: dict, report: str | None = None) -> html.Div:
    """The indicator's definition, source, vintage and licence, and « Signaler une erreur » when ``report``."""
    def text(key: str) -> str:
        value = meta.get(key)
        return "" if value is None or value != value else str(value)

    return html.Div(className="indicator-note", children=[
        html.H2("Définition et source"),
        html.P(text("definition") or "Définition non fournie par le paquet de données."),
        html.P([html.Strong("Source : "), text("source") or "non précisée", " — ", html.Strong("millésime : "),
                text("vintage") or "non précisé", " — ", html.Strong("licence : "), text("licence") or "non précisée"]),
        html.P([html.Strong("Comparabilité : "), text("comparability")]) if text("comparability") else None,
        feedback_link(report),
    ])


def profile_href(level: str, code: str) -> str:
    """The page of a territory: a quarter's profile, or the comparison page for other levels."""
    return f"/qpv/{quote(code, safe='')}" if level == "qpv" else f"/comparer?codes={quote(f'{level}:{code}', safe=':')}"


def widest_gaps_list(frame, payload: MapPayload, year: int, unit: str) -> html.Div:
    """The territories furthest from their reference, with links to their pages."""
    if payload.reference is None:
        return html.Div()
    title = f"Les écarts les plus défavorables à {payload.reference.phrase} ({year})"
    if frame.empty:
        return html.Div(className="widest-gaps", children=[html.H2(title), html.P(
            reference_sentence(payload, year) or "Aucun écart calculable cette année.")])
    ratio = payload.operation == "ratio"
    decimals = 0 if payload.decimals == 0 else payload.decimals
    items = []
    for row in frame.itertuples():
        gap = format_value(row.gap, "", 2) if ratio else format_value(row.gap, payload.unit, decimals, signed=True)
        items.append(html.Li([
            dcc.Link(f"{row.name} ({row.code})", href=profile_href(payload.level, row.code)), " : ",
            format_value(row.value, unit, decimals), " contre ", format_value(row.reference, unit, decimals),
            f" ({row.reference_year})" if row.reference_year != year else "", f" — écart {gap}",
        ]))
    return html.Div(className="widest-gaps", children=[html.H2(title), html.Ol(items)])
