"""What /credits offers for a package, and the page state checked against it (no Dash).

As for the barometer (:mod:`atlas.barometer_state`): :class:`CreditsChoices` is computed once per
package, :func:`clean_filters` keeps only values it lists, and :meth:`CreditsFilters.key` is the only
form a selection takes in a cache key.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas import inputs

TERRITORY_LEVELS = ("france", "region", "departement", "contrat_de_ville")
SORTABLE = {"year": "year", "programme": "programme", "ministry_fr": "ministry", "theme_fr": "theme",
            "label": "label", "carrier": "carrier", "territory": "code", "amount_eur": "cents",
            "beneficiaries": "beneficiaries"}


@dataclass(frozen=True)
class CreditsChoices:
    """Every value /credits offers for one package."""

    years: tuple[int, ...]
    programmes: tuple[str, ...]  # largest first
    funders: tuple[str, ...]
    themes: tuple[str, ...]
    levels: tuple[str, ...]  # territory filter levels present
    leverage_levels: tuple[str, ...]
    leverage_indicators: tuple[str, ...]  # result indicators with two yearly values at a leverage level
    default_level: str | None
    default_indicator: str | None


@dataclass(frozen=True)
class CreditsFilters:
    """The validated selection of credit lines."""

    start: int
    end: int
    programmes: tuple[str, ...] = ()
    ministries: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    territory: tuple[str, str] | None = None  # None: France
    carrier: str | None = None  # cleaned text, matched case-insensitively

    @property
    def years(self) -> tuple[int, int]:
        return self.start, self.end

    def key(self) -> dict:
        """The JSON form used in cache keys (canonical: the carrier search is lower-cased)."""
        return {"years": [self.start, self.end], "programmes": list(self.programmes),
                "ministries": list(self.ministries), "themes": list(self.themes),
                "territory": list(self.territory) if self.territory else None,
                "carrier": self.carrier.lower() if self.carrier else None}


@dataclass(frozen=True)
class LeverageChoice:
    level: str | None
    indicator: str | None


def clean_filters(choices: CreditsChoices, is_known, *, start=None, end=None, programmes=None, ministries=None,
                  themes=None, territory=None, carrier=None) -> CreditsFilters:
    """The selection from hostile values: exact, case-sensitive known values, defaults otherwise."""
    start, end = inputs.year_span(start, end, choices.years)
    place = inputs.territory_of(territory, choices.levels, is_known)
    return CreditsFilters(
        start=start, end=end,
        programmes=inputs.many_of(programmes, choices.programmes),
        ministries=inputs.many_of(ministries, choices.funders),
        themes=inputs.many_of(themes, choices.themes),
        territory=None if place is None or place[0] == "france" else place,
        carrier=inputs.clean_text(carrier),
    )


def clean_leverage(choices: CreditsChoices, level, indicator) -> LeverageChoice:
    return LeverageChoice(inputs.one_of(level, choices.leverage_levels, choices.default_level),
                          inputs.one_of(indicator, choices.leverage_indicators, choices.default_indicator))


def state_from_query(choices: CreditsChoices, is_known, search) -> tuple[CreditsFilters, LeverageChoice]:
    """The state of ``/credits?…`` (URL names are French; every value checked like a callback's)."""
    query = inputs.parse_query(search)
    filters = clean_filters(
        choices, is_known, start=query.get("debut"), end=query.get("fin"),
        programmes=inputs.split_list(query.get("programme")), ministries=inputs.split_list(query.get("financeur")),
        themes=inputs.split_list(query.get("theme")), territory=query.get("territoire"),
        carrier=query.get("porteur"))
    return filters, clean_leverage(choices, query.get("niveau"), query.get("indicateur"))


def to_query(filters: CreditsFilters, leverage: LeverageChoice, choices: CreditsChoices) -> str:
    """The query string of a state; defaults are left out so that URLs stay short."""
    years = choices.years
    return inputs.to_query({
        "debut": filters.start if years and filters.start != years[0] else None,
        "fin": filters.end if years and filters.end != years[-1] else None,
        "programme": ",".join(filters.programmes),
        "financeur": ",".join(filters.ministries),
        "theme": ",".join(filters.themes),
        "territoire": f"{filters.territory[0]}:{filters.territory[1]}" if filters.territory else None,
        "porteur": filters.carrier,
        "niveau": leverage.level if leverage.level != choices.default_level else None,
        "indicateur": leverage.indicator if leverage.indicator != choices.default_indicator else None,
    })


def sort_and_page(sort_by, page) -> tuple[tuple[str, str] | None, int]:
    """A validated ``(column, direction)`` of the lines table (None: default order) and page index."""
    return inputs.sort_of(sort_by, SORTABLE), inputs.page_number(page)

