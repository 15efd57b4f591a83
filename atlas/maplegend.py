"""The map's legend as plain data: title, classes (colour and label), notes.

The page's legend (layouts/map_legend.py) and the exported map (atlas/mapexport.py) are both drawn from
``map_legend``, so an export always carries exactly the classes, colours and labels of the screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas import levels
from atlas.i18n import N_, _
from atlas.mapclasses import MISSING_COLOR, SECRET_COLOR, MapPayload, class_labels
from atlas.mapdata import operation_label

TERRITORY_NOUNS = {"qpv": N_("quartiers"), "commune": N_("communes"), "epci": N_("intercommunalités"),
                   "departement": N_("départements"), "region": N_("régions")}
POLARITY_NOTES = {
    "higher_is_worse": N_("Couleurs foncées : situations les plus défavorables (une valeur élevée est défavorable "
                          "pour cet indicateur)."),
    "higher_is_better": N_("Couleurs foncées : situations les plus défavorables (une valeur faible est défavorable "
                           "pour cet indicateur)."),
    "neutral": N_("Couleurs foncées : valeurs les plus élevées (indicateur de contexte, sans sens favorable ou "
                  "défavorable)."),
}
SECRET_LABEL = N_("Secret statistique (population trop faible pour publier)")
MISSING_LABEL = N_("Non disponible")


@dataclass(frozen=True)
class LegendEntry:
    color: str
    label: str
    kind: str  # "class", "secret" or "missing"


@dataclass(frozen=True)
class MapLegend:
    title: str
    entries: tuple[LegendEntry, ...]
    notes: tuple[str, ...]


def territory_noun(level: str) -> str:
    if level in TERRITORY_NOUNS:
        return _(TERRITORY_NOUNS[level])
    plural = levels.plural(level)  # a level the package declares (« zones d'emploi »)
    return plural if plural != level else _("territoires")


def reference_sentence(payload: MapPayload, year: int) -> str | None:
    """Which reference year stands for ``year``, or that none was published (None when it is ``year``)."""
    if payload.reference is None:
        return None
    used = payload.reference_years.get(year)
    if used is None:
        return _("Pas de valeur de référence publiée pour {year} ({phrase}).").format(
            year=year, phrase=payload.reference.phrase)
    if used != year:
        return _("Référence de {used} : pas de valeur publiée pour {year} pour {phrase}, la plus proche est "
                 "utilisée.").format(used=used, year=year, phrase=payload.reference.phrase)
    return None


def legend_title(payload: MapPayload, year: int) -> str:
    if payload.reference is not None:
        return _("Écart à {phrase} ({operation}) — {label}, {year}").format(
            phrase=payload.reference.phrase, operation=operation_label(payload.operation),
            label=payload.label, year=year)
    return f"{payload.label} — {year}"


def category_legend(payload: MapPayload, year: int) -> MapLegend:
    """A typology: one colour per class (all of them, so that colours keep their meaning across years)."""
    entries = [LegendEntry(color, label, "class")
               for color, label in zip(payload.colors, payload.categories, strict=True)]
    entries += [LegendEntry(SECRET_COLOR, _(SECRET_LABEL), "secret"), LegendEntry(MISSING_COLOR, _("Sans valeur"),
                                                                                  "missing")]
    note = (_("Une couleur par classe de la typologie : les classes ne sont pas ordonnées comme des valeurs.")
            if payload.has_colours(year) else
            _("Aucune valeur publiée pour {year} pour cet indicateur à cette échelle : les {noun} sont dessinés "
              "en blanc.").format(year=year, noun=territory_noun(payload.level)))
    return MapLegend(legend_title(payload, year), tuple(entries), (note,))


def map_legend(payload: MapPayload, year: int) -> MapLegend:
    """Classes with their colours, then secret and missing; when the year has nothing to colour, a note says why."""
    if payload.categorical:
        return category_legend(payload, year)
    signed = payload.reference is not None and payload.operation == "difference"
    labels = class_labels(payload.breaks_for(year), payload.unit, payload.decimals, signed=signed)
    entries: list[LegendEntry] = []
    notes: list[str] = []
    if payload.has_colours(year):
        if not labels:  # every value (or gap) is the same
            labels = [_("aucun écart") if payload.reference is not None else _("une seule valeur pour tous")]
        entries = [LegendEntry(color, label, "class")
                   for color, label in zip(payload.colors, labels, strict=False)]
        if payload.reference is not None:
            notes.append(_("Bleu : plus favorable que la référence ; rouge : moins favorable. ")
                         + (_("Un rapport de 1 signifie aucun écart.") if payload.operation == "ratio"
                            else _("0 signifie aucun écart.")))
        else:
            notes.append(_(POLARITY_NOTES.get(payload.polarity, POLARITY_NOTES["neutral"])))
    else:
        sentence = reference_sentence(payload, year) if payload.reference is not None else None
        notes.append(sentence if sentence and payload.reference_years.get(year) is None else
                     _("Aucune valeur publiée pour {year} pour cet indicateur à cette échelle : les {noun} sont "
                       "dessinés en blanc.").format(year=year, noun=territory_noun(payload.level)))
    fallback = reference_sentence(payload, year)
    if fallback and payload.has_colours(year):
        notes.append(fallback)
    coverage = payload.reference.coverage_note(payload.reference_years.get(year)) if payload.reference else None
    if coverage:  # an aggregate over quarters, some of which are not published
        notes.append(coverage)
    entries.append(LegendEntry(SECRET_COLOR, _(SECRET_LABEL), "secret"))
    entries.append(LegendEntry(MISSING_COLOR, _(MISSING_LABEL), "missing"))
    return MapLegend(legend_title(payload, year), tuple(entries), tuple(notes))
