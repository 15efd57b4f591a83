"""The map's request: every option validated against the package once, and the references it may use.

A ``MapRequest`` is built from URL parameters or from the page's controls by ``MapRequest.build``,
which checks each value against the package (exact, case-sensitive) and replaces anything unknown by
the package's default. Every later step (classes, values, table, cache keys) receives this validated
request and never sees a raw value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import pandas as pd

from atlas import aggregates, categories
from atlas.formatting import format_number
from atlas.i18n import N_, _
from atlas.service import AtlasService, per_package

# Labels are French source text (translate with _() where shown).
SCHEMES = {"quantiles": N_("Quantiles"), "jenks": N_("Seuils naturels (Jenks)"), "equal": N_("Intervalles égaux")}
MODES = {"value": N_("Valeur"), "gap": N_("Écart")}
OPERATIONS = {"difference": N_("différence"), "ratio": N_("rapport")}
# Coarser territories a mapped territory can be compared with, finest first, and how a sentence names them.
REFERENCE_LEVELS = ("commune", "epci", "departement", "region", "france")
REFERENCE_PHRASES = {"commune": N_("sa commune"), "epci": N_("son intercommunalité"),
                     "departement": N_("son département"), "region": N_("sa région"), "france": N_("la France")}
# Exact aggregates over the quarters (atlas/aggregates.py), offered for a map of quarters: role -> (scope, phrase).
AGGREGATE_REFERENCES = {"qpv_departement": ("departement", N_("l'ensemble des QPV de son département")),
                        "qpv_france": ("france", N_("l'ensemble des QPV de France"))}
# A reference published up to this many years away from the year shown stands in for it (and is labelled).
REFERENCE_YEAR_TOLERANCE = 2
MAX_SEARCH_LENGTH = 80


@dataclass(frozen=True)
class Reference:
    """A reference level that has values for the indicator, and the years it was published."""
    level: str  # a level of REFERENCE_LEVELS, or an aggregate's role (AGGREGATE_REFERENCES)
    phrase: str  # « sa commune », « la France métropolitaine », « l'ensemble des QPV de France (somme) »
    years: tuple[int, ...]
    coverage: tuple[tuple[int, int, int], ...] = ()  # aggregates: (year, quarters counted, quarters in all)

    def coverage_note(self, year: int | None) -> str | None:
        """« Somme des QPV dont la valeur est publiée : 1 364 sur 1 514 » when some are missing that year."""
        found = next(((covered, total) for y, covered, total in self.coverage if y == year), None)
        if found is None or found[0] == found[1]:
            return None
        text = _("Référence calculée sur les QPV dont la valeur est publiée : {covered} sur {total}.").format(
            covered=format_number(found[0], 0), total=format_number(found[1], 0))
        if self.level == "qpv_departement":
            text += " " + _("Un département sans calcul (moins de la moitié de ses QPV publiés, ou un seul QPV) "
                            "laisse ses quartiers en blanc.")
        return text

    def year_for(self, year: int) -> int | None:
        """The reference year that stands for ``year``: itself, else the nearest within the tolerance."""
        if year in self.years:
            return year
        near = sorted((abs(y - year), y) for y in self.years if abs(y - year) <= REFERENCE_YEAR_TOLERANCE)
        return near[0][1] if near else None


@dataclass(frozen=True)
class MapRequest:
    """One map, fully specified and valid for the package (build it with ``MapRequest.build``)."""
    indicator: str
    level: str
    year: int
    mode: str = "value"
    reference: str | None = None  # a level of REFERENCE_LEVELS, only in gap mode
    operation: str = "difference"
    scheme: str = "quantiles"
    fixed: bool = True

    @classmethod
    def build(cls, service: AtlasService, *, indicator=None, level=None, year=None, mode=None, reference=None,
              operation=None, scheme=None, fixed: bool = True) -> MapRequest:
        """Each raw value checked against the package; anything unknown becomes the default."""
        levels = service.map_levels()
        presentation = service.presentation
        default_level = presentation.map_level if presentation.map_level in levels else (levels or ["qpv"])[0]
        level = _choice(level, levels, default_level)
        available = service.indicators_at(level)
        default_indicator = presentation.map_indicator if presentation.map_indicator in available else (
            available[0] if available else next(iter(service.indicators["id"]), ""))
        indicator = _choice(indicator, available, default_indicator)
        # Any year of the package is kept (the slider shows it; the map says when it has nothing for it);
        # without a valid year, the indicator's latest.
        latest = (indicator_years(service, indicator, level) or service.years or [0])[-1]
        year = _year(year, service.years, latest)
        references = references_for(service, indicator, level)
        mode = _choice(mode, list(MODES), "value")
        if mode == "gap" and not references:
            mode = "value"
        if mode == "gap":
            reference = _choice(reference, [r.level for r in references], references[0].level)
            operation = _choice(operation, list(OPERATIONS), "difference")
        else:
            reference, operation = None, "difference"
        return cls(indicator=indicator, level=level, year=year, mode=mode, reference=reference,
                   operation=operation, scheme=_choice(scheme, list(SCHEMES), "quantiles"), fixed=fixed is True)

    @classmethod
    def from_query(cls, service: AtlasService, params: Mapping[str, str]) -> MapRequest:
        return cls.build(service, indicator=params.get("indicateur"), level=params.get("niveau"),
                         year=params.get("annee"), mode=params.get("mode"), reference=params.get("reference"),
                         operation=params.get("operation"), scheme=params.get("classes"),
                         fixed=params.get("fixes", "1") != "0")

    def query(self) -> dict[str, str]:
        """URL parameters that reproduce this map (``from_query`` reads them back)."""
        params = {"indicateur": self.indicator, "niveau": self.level, "annee": str(self.year), "mode": self.mode,
                  "classes": self.scheme, "fixes": "1" if self.fixed else "0"}
        if self.mode == "gap":
            params.update(reference=str(self.reference), operation=self.operation)
        return params

    def classes_key(self) -> str:
        """Identifies everything but the year (the year re-colours in the browser). Case-exact, hashed."""
        fields = {k: v for k, v in asdict(self).items() if k != "year"}
        return hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]

    def key(self) -> str:
        return f"{self.classes_key()}-{self.year}"


def operation_label(operation) -> str:
    """« différence » / « rapport » in the visitor's language ('' for anything else)."""
    return _(OPERATIONS[operation]) if operation in OPERATIONS else ""


def _choice(value, allowed, default):
    """``value`` if it is exactly one of ``allowed`` (strings compared as they are, case included)."""
    return value if isinstance(value, str) and value in allowed else default


def _year(value, years: list[int], default: int) -> int:
    try:
        year = int(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    except ValueError:
        year = None
    return year if year in years else default


# Derived from the package alone and asked on every map request: computed once per indicator and level
# (the arguments are validated ids, so the number of variants is bounded by the catalogue).
CATALOGUE_VARIANTS = 2048


@per_package(maxsize=CATALOGUE_VARIANTS)
def indicator_years(service: AtlasService, indicator: str, level: str) -> tuple[int, ...]:
    """Years with at least one value of the indicator at the level."""
    values, _status = service.annual_table(indicator, level)
    if values.empty:
        return ()
    present = values.notna().to_numpy().any(axis=0)
    return tuple(int(y) for y, seen in zip(values.columns, present, strict=True) if seen)


@per_package(maxsize=CATALOGUE_VARIANTS)
def france_code(service: AtlasService, indicator: str) -> str | None:
    """The France-level territory the package gives values for (e.g. France métropolitaine)."""
    values, _status = service.annual_table(indicator, "france")
    if values.empty:
        return None
    counts = values.notna().sum(axis=1)
    counts = counts[counts > 0]
    return str(counts.sort_values(ascending=False).index[0]) if len(counts) else None


@per_package(maxsize=CATALOGUE_VARIANTS)
def references_for(service: AtlasService, indicator: str, level: str) -> tuple[Reference, ...]:
    """The coarser levels a territory at ``level`` can be compared with: only those with values (none for a
    typology: a class is not a quantity to subtract)."""
    if service.has_indicator(indicator) and categories.of(service.indicator(indicator)):
        return ()
    declared = {d.id: d for d in service.declared_levels}
    if level in declared:  # a zone d'emploi is compared with the parents it names, and France
        parents_known = set(declared[level].parents) | {"france"}
    elif level not in REFERENCE_LEVELS and level != "qpv":
        parents_known = set()
    else:
        parents_known = set(REFERENCE_LEVELS[REFERENCE_LEVELS.index(level) + 1:] if level in REFERENCE_LEVELS
                            else REFERENCE_LEVELS)
        # A declared zoning coarser than the level, when its territories name theirs (a quarter's zone d'emploi).
        order = service.level_order
        parents_known |= {d for d in declared if order.index(d) > order.index(level)}
    try:
        rows = service.territories.loc[level]
    except KeyError:
        return ()
    found = []
    for ref in (lvl for lvl in service.level_order if lvl in REFERENCE_LEVELS or lvl in declared):
        linked = ref == "france" or (f"{ref}_code" in rows.columns
                                     and (ref not in declared or rows[f"{ref}_code"].notna().any()))
        if ref not in parents_known or not linked:
            continue
        years = tuple(indicator_years(service, indicator, ref))
        if not years:
            continue
        phrase = declared[ref].reference_phrase if ref in declared else _(REFERENCE_PHRASES[ref])
        if ref == "france":
            code = france_code(service, indicator)
            name = service.territory_name("france", code) if code else None
            phrase = _("la {name}").format(name=name) if name and name.startswith("France") else phrase
        found.append(Reference(ref, phrase, years))
    if level == "qpv":
        found += aggregate_references(service, indicator)
    return tuple(found)


def aggregate_references(service: AtlasService, indicator: str) -> list[Reference]:
    """The exact aggregates over quarters a map of quarters can be compared with (only those with values).

    Rates only (a ratio of sums): a quarter's count set against the sum of its département's quarters is no gap
    but a share, which a diverging « more / less favourable » palette would misread (the profile shows sums)."""
    how = aggregates.recipe(service, indicator)
    if how is None or how.kind != "ratio":
        return []
    kind = _("rapport des sommes")
    found = []
    for role, (scope, phrase) in AGGREGATE_REFERENCES.items():
        years = aggregates.map_years(service, indicator, scope)
        if years:
            found.append(Reference(role, f"{_(phrase)} ({kind})", tuple(years),
                                   tuple((year, covered, total) for year, (covered, total) in years.items())))
    return found


def reference_of(service: AtlasService, request: MapRequest) -> Reference | None:
    if request.mode != "gap":
        return None
    return next((r for r in references_for(service, request.indicator, request.level)
                 if r.level == request.reference), None)


def parent_codes(service: AtlasService, request: MapRequest, codes: tuple[str, ...]) -> pd.Series:
    """For each mapped territory, the code of its reference territory."""
    if request.reference == "france":
        return pd.Series(france_code(service, request.indicator), index=list(codes))
    own = service.territories.loc[request.level].set_index("code")
    return own[f"{request.reference}_code"].reindex(list(codes))


def parse_search(search: str | None) -> dict[str, str]:
    """URL parameters of a query string, the last value of each, bounded in size."""
    from urllib.parse import parse_qs

    if not isinstance(search, str):
        return {}
    text = search[:2000].lstrip("?")
    return {k: v[-1] for k, v in parse_qs(text).items()}
