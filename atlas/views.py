"""What the profile and comparison pages show, as typed, immutable views (no Dash).

Callbacks compute a view from the service; layouts turn it into components. A layout therefore takes
one argument, and every field says what it holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from atlas.places import Place
from atlas.profile import Profile
from atlas.wellbeing import Variant, WellbeingResult

Key = tuple[str, str]  # (level, code)


@dataclass(frozen=True)
class WellbeingPanel:
    variant: Variant
    results: dict[Key, WellbeingResult]  # the territories shown, on one common year
    names: dict[Key, str]
    marks: dict[Key, str | None]
    history: tuple[WellbeingResult, ...] = ()  # the quarter, every year (profile only)
    input_meta: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # role -> (label, unit, decimals)


@dataclass(frozen=True)
class PeersPanel:
    me: dict  # code, name, commune, population, density, housing, region
    peers: tuple[dict, ...]  # the same, plus distance
    rows: pd.DataFrame  # comparison_rows of the quarter and its peers on the headline indicators
    names: dict[Key, str]
    wellbeing: WellbeingPanel
    compare_href: str
    reason: str = ""  # why no peers are shown, when none are


@dataclass(frozen=True)
class CreditsPanel:
    lines: pd.DataFrame  # with a ``scope`` column
    by_year: pd.DataFrame
    by_measure: pd.DataFrame
    measures: pd.DataFrame  # beneficiaries counted in the quarter
    source: str
    absence: str = ""  # why there is no credit line ('' when there are some)
    measures_absence: str = ""  # why no beneficiaries are counted ('' when some are)


@dataclass(frozen=True)
class EvolutionPanel:
    frame: pd.DataFrame  # trend_frame of the chosen indicator
    meta: dict  # the chosen indicator's catalogue row
    names: dict[Key, str]
    keys: tuple[Key, ...]
    options: tuple[dict, ...]
    chosen: str


@dataclass(frozen=True)
class PageMeta:
    today: dt.date
    dataset_title: str
    illustrative: bool
    sources: tuple[tuple[str, str], ...] = ()
    region_name: str = ""


@dataclass(frozen=True)
class ProfileView:
    profile: Profile
    geometry: dict
    wellbeing: WellbeingPanel
    peers: PeersPanel
    credits: CreditsPanel
    evolution: EvolutionPanel | None  # None when the package has no value for the quarter
    compare_href: str
    meta: PageMeta
    overview: tuple[str, ...] = ()  # the presentation's headline indicators
    embeds: tuple[dict, ...] = ()  # what « Intégrer » offers: {label, path, title, height}, see atlas.embeds
    feedback_url: str = ""  # ATLAS_FEEDBACK_URL; empty hides « Signaler une erreur »
    page_address: str = ""  # the profile's address (path), written into error reports


@dataclass(frozen=True)
class CompareView:
    territories: tuple[Key, ...]
    names: dict[Key, str]
    problems: tuple[str, ...]
    rows: pd.DataFrame
    wellbeing: WellbeingPanel
    trend_frames: dict[str, pd.DataFrame]
    metas: dict[str, dict]
    options: tuple[dict, ...]
    chosen: tuple[str, ...]
    examples: tuple[tuple[str, str], ...] = ()
    france: Key | None = None  # the national territory offered as « Ajouter la France », if any
    embeds: tuple[dict, ...] = ()  # what « Intégrer » offers (atlas.embeds.compare_choices)
    # Exact aggregates over the quarters compared (all QPV of their départements, of France): atlas/aggregates.py.
    aggregates: tuple[Place, ...] = ()
    aggregate_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
