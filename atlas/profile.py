"""The quarter profile's content, computed without Dash.

Each key figure sets the quarter against its commune, EPCI, département and France, each named, and
states the gap in a plain French sentence, e.g.

    « Taux de pauvreté, 2021 : 42,1 % dans le quartier, contre 21,3 % dans la commune (Toulouse) et
    14,6 % en France métropolitaine (2019), soit 12,4 points de plus que dans la commune (Toulouse). »

A reference without a value for the quarter's year falls back to its nearest published year, labelled;
a reference level that publishes the indicator but not for this territory is said so (« pas de valeur
de référence publiée pour 2021 dans le département (…) »). Secret values read « secret statistique »,
estimates are flagged. Which indicators are featured comes from ``service.presentation``.

Where the package can compute them exactly, the sum (or ratio of sums) over all QPV of the quarter's département
and of France is added as a further reference, labelled with its coverage (atlas/aggregates.py):

    « Logements sociaux, 2022 : 1 794 logements dans le quartier, contre 144 277 logements dans l'ensemble des QPV
    du département (Seine-Saint-Denis) (somme de 62 QPV sur 63) et … »
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from atlas import categories
from atlas.aggregates import aggregate_places, aggregate_series
from atlas.formatting import format_number, format_value
from atlas.i18n import _, indicator_label, ngettext
from atlas.places import (
    AGGREGATE_ROLES,
    BENCHMARK_ORDER,
    REFERENCE_ROLES,
    ROLE_LABELS,
    OtherQuarter,
    Place,
    communes_of,
    contracts_of,
    has_values,
    places_of,
    quarters_sharing_communes,
    vintage_year,
    zonings_of,
)
from atlas.schema import UNAVAILABLE_STATUS_LABELS_FR
from atlas.values import comparable_across_territories, indicator_row, is_number, nearest_value

USABLE = ("ok", "estimate")
STATUS_TEXT = UNAVAILABLE_STATUS_LABELS_FR
YearSeries = tuple[tuple[int, float | None, str], ...]  # (year, value, status), oldest first


@dataclass(frozen=True)
class Value:
    place: Place
    value: float | None
    status: str
    year: int | None  # the year of this value (a reference may fall back to another year than the quarter's)
    note: str = ""  # how an aggregate over quarters was computed: « somme de 38 QPV sur 40 »

    @property
    def usable(self) -> bool:
        return self.value is not None and self.status in USABLE

    # The place's identity, read directly (the read API's summaries use these).
    @property
    def role(self) -> str:
        return self.place.role

    @property
    def level(self) -> str:
        return self.place.level

    @property
    def code(self) -> str:
        return self.place.code

    @property
    def name(self) -> str:
        return self.place.name


@dataclass(frozen=True)
class KeyFigure:
    indicator: str
    label: str
    unit: str
    decimals: int
    polarity: str
    source: str
    vintage: str
    year: int | None  # the quarter's latest year with a value
    values: dict[str, Value]  # role -> value (the quarter and the references with something to say)
    unpublished: tuple[Place, ...]  # references whose level publishes the indicator, but not for them
    series: YearSeries  # the quarter, every year
    reference: YearSeries  # the sparkline's reference line (``reference_place``), every year
    reference_place: Place | None
    benchmark: Place | None  # what the gap and the verdict compare to (same year only)
    sentence: str
    gap: str  # e.g. « 27,6 points de plus qu'en France métropolitaine »
    verdict: str | None  # "favourable", "unfavourable" or None (neutral or not computable)
    comparability: str = ""  # the catalogue's note on breaks and coverage, shown with the figure
    classes: tuple[categories.Category, ...] = ()  # a typology's classes: its values are class numbers

    @property
    def categorical(self) -> bool:
        return bool(self.classes)

    def text(self, role: str, *, flag_estimate: bool = True) -> str:
        value = self.values.get(role)
        if value is None:
            return _(STATUS_TEXT["missing"])
        if self.classes and value.usable:
            return categories.label_of(self.classes, value.value) or _(STATUS_TEXT["missing"])
        return value_text(value.value, value.status, self.unit, self.decimals, flag_estimate=flag_estimate)

    @property
    def usable_points(self) -> list[tuple[int, float, str]]:
        return [(y, v, s) for y, v, s in self.series if v is not None and s in USABLE]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    figures: tuple[KeyFigure, ...]
    empty_reason: str = ""  # one French sentence when the quarter has no value in this section


@dataclass(frozen=True)
class Profile:
    code: str
    name: str
    territory: dict
    places: dict[str, Place]  # role -> the quarter and its references
    communes: tuple[Place, ...]
    contracts: tuple[Place, ...]
    population: int | None
    population_year: int | None
    commune_population: int | None
    sections: tuple[Section, ...]
    other_geography: tuple[OtherQuarter, ...]  # quarters of the other QPV geography in the same communes
    has_indicators: bool  # the package holds values for this quarter
    year: int | None = None  # the latest year of the package
    aggregates: dict[str, Place] = field(default_factory=dict)  # role -> exact aggregates over quarters
    zonings: tuple[Place, ...] = ()  # the quarter's territories at the levels the package declares (unité urbaine…)

    @property
    def figures(self) -> list[KeyFigure]:
        return [f for s in self.sections for f in s.figures]

    @property
    def parents(self) -> dict[str, tuple[str, str, str]]:
        """role -> (level, code, name) of the quarter and its references (the read API's summaries use it)."""
        return {role: (p.level, p.code, p.name) for role, p in self.places.items()}

    @property
    def vintage(self) -> str:
        return str(self.territory.get("vintage") or "")

    @property
    def vintage_year(self) -> int | None:
        return vintage_year(self.vintage)


# ------------------------------------------------------------------ formatting


def value_text(value: float | None, status: str, unit: str, decimals: int, *, flag_estimate: bool = True) -> str:
    """« 42,1 % », « 42,1 % (estimation) », « secret statistique » or « non disponible »."""
    if status in STATUS_TEXT or not is_number(value):
        return _(STATUS_TEXT.get(status, STATUS_TEXT["missing"]))
    text = format_value(value, unit, decimals)
    return _("{value} (estimation)").format(value=text) if status == "estimate" and flag_estimate else text


def gap_phrase(quarter: float, reference: float, unit: str, decimals: int, than: str | None = None) -> str:
    """The gap between two displayed values, in words: « 27,6 points de plus qu'en France »."""
    than = than if than is not None else _("qu'en France")
    q, r = round(quarter, decimals), round(reference, decimals)
    diff = round(q - r, decimals)
    if diff == 0:
        return _("le même niveau {than}").format(than=than)
    if unit == "%":
        points = ngettext("{amount}\u00a0point", "{amount}\u00a0points", abs(diff))
        amount = points.format(amount=format_number(abs(diff), decimals))
        relative = ""
    else:
        amount = format_value(abs(diff), unit, decimals)
        relative = f" ({format_number(100 * diff / r, 0, signed=True)}\u00a0%)" if r else ""
    more = _("{amount} de plus {than}") if diff > 0 else _("{amount} de moins {than}")
    return more.format(amount=amount, than=than) + relative


def verdict(quarter: float, reference: float, polarity: str, decimals: int) -> str | None:
    diff = round(round(quarter, decimals) - round(reference, decimals), decimals)
    if polarity not in ("higher_is_better", "higher_is_worse") or diff == 0:
        return None
    better = (diff > 0) == (polarity == "higher_is_better")
    return "favourable" if better else "unfavourable"


def _join(parts: list[str]) -> str:
    return _(" et ").join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


def sentence(figure: KeyFigure) -> str:
    """The comparison in one French sentence (numbers exactly as displayed elsewhere)."""
    usable = [v for v in figure.values.values() if v.usable]
    all_estimates = bool(usable) and all(v.status == "estimate" for v in usable)
    flag = not all_estimates  # when all values are estimates, say it once
    head = figure.label if figure.year is None else f"{figure.label}, {figure.year}"
    if all_estimates:
        head += _(" (estimations)")
    text = _("{head} : {value} dans le quartier").format(head=head, value=figure.text("qpv", flag_estimate=flag))
    others = []
    for role in REFERENCE_ROLES + AGGREGATE_ROLES:
        value = figure.values.get(role)
        if value is None:
            continue
        part = f"{figure.text(role, flag_estimate=flag)} {value.place.phrase}"
        said = [str(value.year)] if value.year is not None and value.year != figure.year else []
        said += [value.note] if value.note else []
        if said:
            part += f" ({' ; '.join(said)})"
        others.append(part)
    if others:
        text += _(", contre {references}").format(references=_join(others))
    year = figure.year if figure.year is not None else _("cette année")
    if figure.unpublished:
        text += _(" ; pas de valeur de référence publiée pour {year} {places}").format(
            year=year, places=_join([p.phrase for p in figure.unpublished]))
    elif not others:
        text += _(" ; aucune valeur de référence publiée pour {year} dans ce jeu de données").format(year=year)
    if figure.gap:
        text += _(", soit {gap}").format(gap=figure.gap)
    return text + "."


# ---------------------------------------------------------------- computation


def _series(vals: pd.Series, stats: pd.Series) -> YearSeries:
    return tuple((int(y), None if pd.isna(vals[y]) else float(vals[y]),
                  "missing" if pd.isna(stats[y]) else str(stats[y])) for y in sorted(vals.index))


def reference_value(place: Place, series: YearSeries, year: int | None) -> Value | None:
    """The reference's value for ``year``; else its nearest published year (the earlier one on a tie); else
    that year's secret; else None (the reference has nothing to say)."""
    years = [y for y, _, _ in series]
    value, status, found = nearest_value(pd.Series([v for _, v, _ in series], index=years, dtype=float),
                                         pd.Series([s for _, _, s in series], index=years, dtype=object), year)
    return None if found is None else Value(place, value, status, found)


def key_figure(service, places: dict[str, Place], indicator: str, aggregates: dict[str, Place] | None = None,
               vintage: str = "") -> KeyFigure:
    meta = service.indicator(indicator)
    series_of = {role: _series(*indicator_row(service, p.level, p.code, indicator)) for role, p in places.items()}
    notes: dict[str, dict[int, str]] = {}
    for role, place in (aggregates or {}).items():
        by_year = aggregate_series(service, place, indicator, vintage)
        series_of[role] = tuple((year, a.value, a.status) for year, a in sorted(by_year.items()))
        notes[role] = {year: a.note for year, a in by_year.items()}
    everywhere = {**places, **(aggregates or {})}
    series = series_of["qpv"]
    usable_years = [y for y, v, s in series if v is not None and s in USABLE]
    stated_years = [y for y, _, s in series if s != "missing"]
    year = (usable_years or stated_years or [None])[-1]
    quarter = next((Value(places["qpv"], v, s, y) for y, v, s in series if y == year),
                   Value(places["qpv"], None, "missing", year))
    values = {"qpv": quarter}
    unpublished = []
    for role in REFERENCE_ROLES:
        place = places.get(role)
        if place is None:
            continue
        found = reference_value(place, series_of[role], year)
        if found is not None:
            values[role] = found
        elif indicator in service.indicators_at(place.level):
            unpublished.append(place)  # the level publishes it, this territory has no value
    for role, place in (aggregates or {}).items():
        found = reference_value(place, series_of[role], year)
        if found is not None and found.value is not None:
            values[role] = replace(found, note=notes[role].get(found.year, ""))
    classes = categories.of(meta)
    benchmark = next((values[r] for r in BENCHMARK_ORDER
                      if r in values and values[r].usable and values[r].year == year), None)
    gap, judged = "", None
    # A gap says something of oriented rates and averages only; of a count such as a population, nothing.
    if (benchmark is not None and quarter.usable and meta["polarity"] != "neutral" and not classes
            and comparable_across_territories(meta["unit"])):
        decimals = int(meta["decimals"])
        gap = gap_phrase(quarter.value, benchmark.value, meta["unit"], decimals, benchmark.place.than)
        judged = verdict(quarter.value, benchmark.value, meta["polarity"], decimals)
    # A sum over quarters dwarfs the quarter's own count: its line is drawn for rates only; a typology has none.
    drawable = [r for r in BENCHMARK_ORDER if r not in AGGREGATE_ROLES or comparable_across_territories(meta["unit"])]
    line_role = None if classes else next((r for r in drawable if r in series_of
                                           and sum(v is not None for _, v, _ in series_of[r]) >= 2), None)
    draft = KeyFigure(
        indicator=indicator, label=indicator_label(meta), unit=meta["unit"], decimals=int(meta["decimals"]),
        polarity=meta["polarity"], source=meta["source"], vintage=meta["vintage"], year=year, values=values,
        unpublished=tuple(unpublished), series=series, reference=series_of[line_role] if line_role else (),
        reference_place=everywhere[line_role] if line_role else None,
        benchmark=benchmark.place if benchmark else None, sentence="", gap=gap, verdict=judged,
        comparability=_text(meta.get("comparability")), classes=classes,
    )
    return _with_sentence(draft)


def _with_sentence(figure: KeyFigure) -> KeyFigure:
    return replace(figure, sentence=sentence(figure))


def build_profile(service, code: str) -> Profile | None:
    """The profile of a quarter known to the package (exact code), else None."""
    if not isinstance(code, str) or not service.is_known("qpv", code):
        return None
    territory = service.territory("qpv", code)
    places = places_of(service, territory)
    aggregates = aggregate_places(service, territory)
    vintage = str(territory.get("vintage") or "")
    at_qpv = set(service.indicators_at("qpv"))
    has_indicators = has_values(service, "qpv", code)
    sections = []
    for section in service.presentation.sections:
        ids = [i for i in section.indicators if i in at_qpv]
        # A figure whose every year is missing says nothing; a secret one does (it is withheld, not absent).
        figures = tuple(f for f in (key_figure(service, places, i, aggregates, vintage) for i in ids)
                        if any(s != "missing" for _, _, s in f.series))
        reason = "" if figures else _("Aucune valeur n'est publiée pour ce quartier dans cette rubrique.")
        if has_indicators:
            sections.append(Section(section.id, section.title, figures, reason))
    commune = places.get("commune")
    commune_row = service.territory("commune", commune.code) if commune else None
    return Profile(
        code=code, name=territory["name"], territory=territory, places=places,
        communes=tuple(communes_of(service, territory)), contracts=tuple(contracts_of(service, territory)),
        population=_int_or_none(territory.get("population")),
        population_year=_int_or_none(territory.get("population_year")),
        commune_population=_int_or_none(commune_row.get("population")) if commune_row else None,
        sections=tuple(sections), other_geography=tuple(quarters_sharing_communes(service, territory)),
        has_indicators=has_indicators, year=service.years[-1] if service.years else None, aggregates=aggregates,
        zonings=tuple(zonings_of(service, territory)),
    )


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int_or_none(value) -> int | None:
    if value is None or pd.isna(value):
        return None
    return int(value)


def population_sentence(profile: Profile) -> str:
    if profile.population is None:
        return _("Population : aucune donnée de population pour ce quartier dans ce jeu de données.")
    people = ngettext("{count} habitant", "{count} habitants", profile.population).format(
        count=format_number(profile.population, 0))
    text = _("{people} en {year}").format(people=people, year=profile.population_year) \
        if profile.population_year else people
    commune = profile.places.get("commune")
    if profile.commune_population and commune is not None:
        share = 100 * profile.population / profile.commune_population
        text += _(", soit {share}\u00a0% de la population de la commune ({commune})").format(
            share=format_number(share, 1), commune=commune.name)
    return text + "."


def profile_frame(service, profile: Profile) -> pd.DataFrame:
    """Every year of every key figure for the quarter and its references: the profile's CSV download."""
    rows = []
    for section in profile.sections:
        for figure in section.figures:
            for role, place in profile.places.items():
                vals, stats = indicator_row(service, place.level, place.code, figure.indicator)
                for year, value, status in _series(vals, stats):
                    if figure.classes:  # a typology's CSV says the class, not its number
                        value = categories.label_of(figure.classes, value)
                    rows.append({
                        "section": section.title, "indicator": figure.indicator, "label": figure.label,
                        "unit": figure.unit, "role": _(ROLE_LABELS[role]), "level": place.level, "code": place.code,
                        "name": place.name, "year": year, "value": value, "status": status,
                        "source": figure.source, "vintage": figure.vintage,
                    })
            for role, place in profile.aggregates.items():
                for year, aggregate in sorted(aggregate_series(service, place, figure.indicator,
                                                               profile.vintage).items()):
                    rows.append({
                        "section": section.title, "indicator": figure.indicator, "label": figure.label,
                        "unit": figure.unit, "role": f"{_(ROLE_LABELS[role])} ({aggregate.note})",
                        "level": place.level, "code": place.code, "name": place.name, "year": year,
                        "value": aggregate.value, "status": aggregate.status, "source": figure.source,
                        "vintage": figure.vintage,
                    })
    return pd.DataFrame(rows)


def sources_used(profile: Profile) -> list[tuple[str, str]]:
    """Distinct (source, vintage) pairs of the profile's figures, in first-use order."""
    seen: list[tuple[str, str]] = []
    for figure in profile.figures:
        pair = (figure.source, figure.vintage)
        if pair not in seen:
            seen.append(pair)
    return seen
