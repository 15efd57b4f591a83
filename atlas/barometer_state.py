"""What /barometre offers for a package, and the page state checked against it (no Dash).

:class:`BarometerChoices` lists every value a visitor may pick, computed once per package;
:func:`clean_filters` turns anything a browser sends (callback values, URL parameters) into a
:class:`BarometerFilters` holding only those values — unknown ones fall back to the defaults — so that
computations and cache keys only ever see valid, canonical values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from atlas import inputs, schema
from atlas.barometer import FREQUENCY_ORDER, package_years

FREQUENCY_URL = {"annual": "annuelle", "quarterly": "trimestrielle", "monthly": "mensuelle"}
FREQUENCY_FROM_URL = {v: k for k, v in FREQUENCY_URL.items()}
BAROMETER_LEVELS = ("france", "region", "departement", "contrat_de_ville", "epci", "commune", "qpv")
ALL_SCOPES = "toutes"


@dataclass(frozen=True)
class BarometerChoices:
    """Every value /barometre offers for one package."""

    years: tuple[int, ...]
    ministries: tuple[str, ...]  # ministries with at least one indicator, in schema order
    themes: tuple[str, ...]
    levels: tuple[str, ...]  # territory levels of the territory filter
    france: tuple[str, str]  # the default territory
    indicators: tuple[str, ...]  # ministry indicators (result and means)
    map_level: str | None  # the drawable level holding most commitments
    measures: tuple[str, ...]  # "ministry:indicator" keys with commitments at map_level


@dataclass(frozen=True)
class BarometerFilters:
    """The validated state of /barometre."""

    ministry: str | None
    theme: str | None
    territory: tuple[str, str]
    start: int
    end: int
    scope: str | None = None  # a level, ALL_SCOPES, or None for the default
    indicator: str | None = None
    frequency: str | None = None
    measure: str | None = None

    @property
    def territory_value(self) -> str:
        return f"{self.territory[0]}:{self.territory[1]}"

    @property
    def years(self) -> tuple[int, int]:
        return self.start, self.end


def barometer_choices(service) -> BarometerChoices:
    """Computed from the package once (the callbacks memoise it per package fingerprint)."""
    catalogue = service.indicators
    used = catalogue[catalogue["ministry"].notna()]
    france = service.codes("france")
    level = map_level(service)
    commitments = service.package.commitments
    at_level = commitments[commitments["scope_level"] == level] if level else commitments.iloc[0:0]
    keys = (at_level["ministry"].astype(str) + ":" + at_level["indicator"].astype(str)).drop_duplicates()
    return BarometerChoices(
        years=tuple(package_years(service)) or (date.today().year,),
        ministries=tuple(m for m in schema.MINISTRIES if m in set(used["ministry"])),
        themes=tuple(t for t in service.theme_labels if t in set(used["theme"])),
        levels=tuple(barometer_levels(service)) or ("france",),
        france=("france", france[0]) if france else ("france", "FR"),
        indicators=tuple(indicator_choices(service)["id"]),
        map_level=level,
        measures=tuple(keys),
    )


def clean_filters(service, choices: BarometerChoices, *, ministry=None, theme=None, territory=None, start=None,
                  end=None, scope=None, indicator=None, frequency=None, measure=None) -> BarometerFilters:
    """The page state from hostile values: exact, case-sensitive known values, defaults otherwise."""
    start, end = inputs.year_span(start, end, choices.years)
    return BarometerFilters(
        ministry=inputs.one_of(ministry, choices.ministries),
        theme=inputs.one_of(theme, choices.themes),
        territory=inputs.territory_of(territory, choices.levels, service.is_known) or choices.france,
        start=start,
        end=end,
        scope=inputs.one_of(scope, (ALL_SCOPES, *schema.LEVELS)),
        indicator=inputs.one_of(indicator, choices.indicators),
        frequency=inputs.one_of(frequency, FREQUENCY_ORDER),
        measure=inputs.one_of(measure, choices.measures),
    )


def state_from_query(service, choices: BarometerChoices, search) -> BarometerFilters:
    """The state of ``/barometre?…`` (URL names are French; every value checked like a callback's)."""
    query = inputs.parse_query(search)
    return clean_filters(
        service, choices, ministry=query.get("ministere"), theme=query.get("theme"),
        territory=query.get("territoire"), start=query.get("debut"), end=query.get("fin"),
        scope=query.get("echelle"), indicator=query.get("indicateur"),
        frequency=FREQUENCY_FROM_URL.get(query.get("frequence", "")), measure=query.get("engagement"))


def to_query(filters: BarometerFilters, choices: BarometerChoices) -> str:
    """The query string of a state; defaults are left out so that URLs stay short."""
    years = choices.years
    return inputs.to_query({
        "ministere": filters.ministry,
        "theme": filters.theme,
        "territoire": filters.territory_value if filters.territory[0] != "france" else None,
        "debut": filters.start if filters.start != years[0] else None,
        "fin": filters.end if filters.end != years[-1] else None,
        "indicateur": filters.indicator,
        "frequence": FREQUENCY_URL.get(filters.frequency or "") if filters.frequency != "annual" else None,
        "echelle": filters.scope,
        "engagement": filters.measure,
    })


# ------------------------------------------------------------ what exists


def indicator_choices(service, ministry: str | None = None, theme: str | None = None) -> pd.DataFrame:
    """Ministry indicators (result first, then means) matching the filters."""
    frame = service.indicators
    frame = frame[frame["ministry"].notna() & frame["kind"].isin(["result", "means"])]
    if ministry:
        frame = frame[frame["ministry"] == ministry]
    if theme:
        frame = frame[frame["theme"] == theme]
    order = frame["kind"].map({"result": 0, "means": 1})
    return frame.assign(_order=order).sort_values(["_order", "ministry", "label_fr"]).drop(columns="_order")


def barometer_levels(service) -> list[str]:
    """Levels where at least one ministry indicator has observations (the territory choices)."""
    ids = list(service.indicators[service.indicators["ministry"].notna()]["id"])
    return [level for level in BAROMETER_LEVELS if any(len(service.observations_for(i, level)) for i in ids)]


def map_level(service) -> str | None:
    """The drawable level with the most commitments (départements in practice)."""
    drawable = [lvl for lvl in ("departement", "region", "epci", "commune", "qpv") if lvl in service.package.geometry]
    counts = service.package.commitments["scope_level"].value_counts()
    ranked = sorted((lvl for lvl in drawable if counts.get(lvl, 0)), key=lambda lvl: -counts.get(lvl, 0))
    return ranked[0] if ranked else None
