"""What the choropleth draws, as plain data: classes of every year, palette, breaks and exact values.

The geometry is static (atlas/geo.py); a ``MapPayload`` colours it. Its classes travel as one short
string per year (one character per territory), so the browser re-colours any year without a server
trip, and a new indicator only re-colours the polygons already drawn.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd

from atlas import aggregates, categories
from atlas.formatting import format_value
from atlas.i18n import _, indicator_label
from atlas.mapdata import AGGREGATE_REFERENCES, MapRequest, Reference, parent_codes, reference_of
from atlas.service import AtlasService

# ColorBrewer palettes (colour-blind safe). Sequential: light = favourable, dark = unfavourable.
SEQUENTIAL_BAD = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
SEQUENTIAL_NEUTRAL = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
# Diverging, from "much better than the reference" (blue) to "much worse" (red).
DIVERGING = ("#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#fddbc7", "#f4a582", "#d6604d", "#b2182b")
DIVERGING_NEUTRAL = ("#762a83", "#9970ab", "#c2a5cf", "#e7d4e8", "#d9f0d3", "#a6dba0", "#5aae61", "#1b7837")
MISSING_COLOR = "#ffffff"
SECRET_COLOR = "#bdbdbd"


@dataclass(frozen=True)
class MapPayload:
    """The year-independent colouring of one map (cached per request, whatever the year shown)."""
    key: str
    level: str
    indicator: str
    label: str
    unit: str  # of the figure shown: the indicator's, « pts » for a difference of rates, none for a ratio
    decimals: int
    polarity: str
    vintage: str
    mode: str
    operation: str | None
    reference: Reference | None
    reference_years: dict[int, int | None]  # gap mode: year shown -> reference year used (None: none published)
    years: tuple[int, ...]
    classes: tuple[str, ...]  # per year, per territory: '0'…'7', 's' secret, '-' nothing to show
    breaks: tuple[float, ...] | None  # fixed breaks, or None when they vary by year
    breaks_by_year: dict[int, tuple[float, ...]] | None
    colors: tuple[str, ...]
    count: int
    categories: tuple[str, ...] = ()  # a typology: one label per class (and colour), no breaks

    @property
    def categorical(self) -> bool:
        return bool(self.categories)

    def breaks_for(self, year: int) -> tuple[float, ...]:
        if self.breaks is not None:
            return self.breaks
        return (self.breaks_by_year or {}).get(year, ())

    def has_colours(self, year: int) -> bool:
        """Whether at least one territory has a class in ``year``."""
        if year not in self.years:
            return False
        row = self.classes[self.years.index(year)]
        return any(ch not in "s-" for ch in row)

    def browser_view(self, geometry_url: str) -> dict:
        """What assets/atlas_map.js needs besides the classes and values, which it fetches as files."""
        typology = {"categories": list(self.categories)} if self.categories else {}
        return {**typology, "key": self.key, "url": geometry_url, "level": self.level, "label": self.label,
                "unit": self.unit, "decimals": self.decimals, "mode": self.mode, "operation": self.operation,
                "vintage": self.vintage,
                "years": list(self.years), "colors": list(self.colors), "missing": MISSING_COLOR,
                "secret": SECRET_COLOR, "count": self.count}

    def classes_document(self) -> dict:
        """The classes of every year, one string per year (``/geo/map/…/classes.json``)."""
        return {"key": self.key, "years": list(self.years), "classes": list(self.classes)}


def classify(sample: np.ndarray, scheme: str, classes: int) -> list[float]:
    """Upper bounds of the first ``classes - 1`` classes (the last class is open)."""
    sample = sample[np.isfinite(sample)]
    if len(sample) == 0:
        return []
    unique = np.unique(sample)
    if len(unique) <= classes:  # one class per distinct value
        return [float(v) for v in unique[1:]]
    if scheme == "equal":
        bins = mapclassify.EqualInterval(sample, k=classes).bins
    elif scheme == "jenks":
        # Fisher-Jenks is exact but quadratic: classify 100 evenly spread quantiles (deterministic, ~40 ms).
        subsample = np.quantile(sample, np.linspace(0, 1, min(len(sample), 100)))
        with warnings.catch_warnings():  # mapclassify suggests numba; 100 points need no JIT
            warnings.simplefilter("ignore", UserWarning)
            bins = mapclassify.FisherJenks(subsample, k=classes).bins
    else:
        with warnings.catch_warnings():  # few distinct values: mapclassify merges classes, which is right
            warnings.simplefilter("ignore", UserWarning)
            bins = mapclassify.Quantiles(sample, k=classes).bins
    # A bound at the minimum would open an empty first class (« moins de 0 » for counts).
    return [float(b) for b in bins[:-1] if b > unique[0]]


def diverging_breaks(sample: np.ndarray, operation: str) -> list[float]:
    """Symmetric class bounds around "no gap" (0 for a difference, 1 for a ratio); none without gaps."""
    sample = sample[np.isfinite(sample)]
    if operation == "ratio":
        sample = np.log(sample[sample > 0])
    spread = np.abs(sample)
    if len(spread) == 0 or spread.max() == 0:
        return []
    steps = np.quantile(spread, [0.33, 0.66, 0.9])
    steps = np.maximum.accumulate(np.maximum(steps, 1e-9))
    bounds = [-steps[2], -steps[1], -steps[0], 0.0, steps[0], steps[1], steps[2]]
    if operation == "ratio":
        return [float(math.exp(b)) for b in bounds]
    return [float(b) for b in bounds]


def _rounded_breaks(breaks: list[float], decimals: int) -> tuple[float, ...]:
    """Breaks as the legend prints them: rounded, and never two equal bounds."""
    out: list[float] = []
    for b in breaks:
        value = round(b, decimals)
        if not out or value > out[-1]:
            out.append(value)
    return tuple(out)


def aligned_tables(service: AtlasService, request: MapRequest, codes: tuple[str, ...]):
    """Values, statuses and (gap mode) reference values: one row per map feature, one column per year."""
    values, status = service.annual_table(request.indicator, request.level)
    years = [int(y) for y in service.years if not values.empty and y in values.columns]
    values = values.reindex(index=list(codes), columns=years)
    status = status.reindex(index=list(codes), columns=years).fillna("missing")
    reference = reference_of(service, request)
    if reference is None:
        return values, status, None, years, {}
    used = {year: reference.year_for(year) for year in years}
    if reference.level in AGGREGATE_REFERENCES:
        scope = AGGREGATE_REFERENCES[reference.level][0]
        matrix = aggregates.map_reference_matrix(service, request.indicator, scope, list(codes), used)
        return values, status, matrix, years, used
    ref_values, _status = service.annual_table(request.indicator, reference.level)
    parents = parent_codes(service, request, codes)
    columns = {}
    for year, ref_year in used.items():
        column = ref_values[ref_year] if ref_year is not None else pd.Series(dtype=float)
        columns[year] = column.reindex(parents.to_numpy()).to_numpy(dtype=float)
    matrix = pd.DataFrame(columns, index=list(codes), columns=years)
    return values, status, matrix, years, used


def gap_values(values: pd.DataFrame, reference: pd.DataFrame, operation: str) -> pd.DataFrame:
    if operation == "ratio":
        return values / reference.where(reference > 0)
    return values - reference


def gap_unit(unit: str, operation: str | None) -> str:
    """A ratio has no unit; a difference of percentages is in percentage points."""
    if operation == "ratio":
        return ""
    return "pts" if unit.startswith("%") else unit


def shown_matrix(service: AtlasService, request: MapRequest, codes: tuple[str, ...]):
    """What the map colours (values, or gaps in gap mode), statuses, decimals, years, reference years used."""
    meta = service.indicator(request.indicator)
    values, status, reference, years, used = aligned_tables(service, request, codes)
    decimals = int(meta["decimals"])
    if reference is not None:
        decimals = 2 if request.operation == "ratio" else decimals
        return gap_values(values, reference, request.operation), status, decimals, years, used
    return values, status, decimals, years, used


def class_codes(matrix: pd.DataFrame, status: pd.DataFrame, breaks_for_year) -> list[str]:
    """One string per year, one character per feature: its class ('0'…'7'), 's' secret, '-' missing."""
    out = []
    for year in matrix.columns:
        column = matrix[year].to_numpy(dtype=float)
        classes = np.searchsorted(np.asarray(breaks_for_year(year), dtype=float), column, side="right")
        chars = np.where(np.isfinite(column), classes.astype(str), "-")
        chars = np.where(status[year].to_numpy() == "secret", "s", chars)
        out.append("".join(chars))
    return out


def encode_values(column: pd.Series, decimals: int) -> list:
    """Exact values of one year for tooltips and ranks; None where there is nothing to show."""
    rounded = np.round(column.to_numpy(dtype=float), decimals)
    return [None if not np.isfinite(v) else (int(v) if decimals == 0 or float(v).is_integer() else float(v))
            for v in rounded]


def year_values(service: AtlasService, request: MapRequest, codes: tuple[str, ...]) -> list:
    """Exact figures of ``request.year`` (values, or gaps), aligned with ``codes``."""
    shown, status, decimals, years, _used = shown_matrix(service, request, codes)
    if request.year not in years:
        return [None] * len(codes)
    return encode_values(shown[request.year].where(status[request.year] != "secret"), decimals)


def category_classes(matrix: pd.DataFrame, status: pd.DataFrame, count: int) -> list[str]:
    """Per year, one character per feature: its class (CLASS_CHARS, in the catalogue's order), 's', '-'."""
    chars = np.array([*categories.CLASS_CHARS[:count], "-"])
    out = []
    for year in matrix.columns:
        column = matrix[year].to_numpy(dtype=float)
        known = np.isfinite(column) & (column >= 1) & (column <= count) & (column % 1 == 0)
        index = np.where(known, np.nan_to_num(column, nan=0).astype(int) - 1, count)
        out.append("".join(np.where(status[year].to_numpy() == "secret", "s", chars[index])))
    return out


def category_payload(service: AtlasService, request: MapRequest, codes: tuple[str, ...],
                     classes: tuple[categories.Category, ...]) -> MapPayload:
    """A typology: one colour per class, whatever the year; no breaks, no gap mode."""
    meta = service.indicator(request.indicator)
    shown, status, _decimals, years, _used = shown_matrix(service, request, codes)
    return MapPayload(
        key=request.classes_key(), level=request.level, indicator=request.indicator, label=indicator_label(meta),
        unit="", decimals=0, polarity="neutral", vintage=str(meta["vintage"]), mode="value", operation=None,
        reference=None, reference_years={}, years=tuple(years),
        classes=tuple(category_classes(shown, status, len(classes))), breaks=(), breaks_by_year=None,
        colors=tuple(c.colour for c in classes), count=len(codes), categories=tuple(c.label for c in classes))


def map_payload(service: AtlasService, request: MapRequest, codes: tuple[str, ...]) -> MapPayload:
    """The colouring of every year of the request (its year is ignored: the payload serves them all)."""
    meta = service.indicator(request.indicator)
    classes = categories.of(meta)
    if classes:
        return category_payload(service, request, codes, classes)
    polarity = str(meta["polarity"])
    shown, status, decimals, years, used = shown_matrix(service, request, codes)
    gap = request.mode == "gap" and bool(used)
    breaks: tuple[float, ...] | None = None
    breaks_by_year = None
    if gap:
        breaks = _rounded_breaks(diverging_breaks(shown.to_numpy(dtype=float).ravel(), request.operation), decimals)
        palette = DIVERGING_NEUTRAL if polarity == "neutral" else DIVERGING
        if len(breaks) < 7:  # too few distinct gaps for eight classes: the central colours only
            palette = palette[4 - (len(breaks) + 1) // 2: 4 + (len(breaks) + 2) // 2]
    else:
        palette = SEQUENTIAL_NEUTRAL if polarity == "neutral" else SEQUENTIAL_BAD
        if request.fixed:
            breaks = _rounded_breaks(classify(shown.to_numpy(dtype=float).ravel(), request.scheme, len(palette)),
                                     decimals)
        else:
            breaks_by_year = {y: _rounded_breaks(classify(shown[y].to_numpy(dtype=float), request.scheme,
                                                          len(palette)), decimals) for y in years}
    # Dark means unfavourable: flip the palette when higher values are better (blue = better in gap mode).
    colors = tuple(palette[::-1]) if polarity == "higher_is_better" else tuple(palette)
    reference = reference_of(service, request) if gap else None
    return MapPayload(
        key=request.classes_key(), level=request.level, indicator=request.indicator, label=indicator_label(meta),
        unit=gap_unit(str(meta["unit"]), request.operation) if gap else str(meta["unit"]), decimals=decimals,
        polarity=polarity, vintage=str(meta["vintage"]), mode="gap" if gap else "value",
        operation=request.operation if gap else None, reference=reference,
        reference_years=dict(used) if gap else {}, years=tuple(years),
        classes=tuple(class_codes(shown, status, lambda y: breaks if breaks is not None else breaks_by_year[y])),
        breaks=breaks, breaks_by_year=breaks_by_year, colors=colors, count=len(codes))


def shown_year(payload: MapPayload, year: int) -> int:
    """The year to show: the one asked for when the indicator has it, else its latest."""
    return year if year in payload.years or not payload.years else payload.years[-1]


def class_labels(breaks: tuple[float, ...] | list[float], unit: str, decimals: int, signed: bool = False) -> list[str]:
    """Legend lines: « moins de 12,3 % », « de 12,3 à 18,0 % », « 18,0 % ou plus » (signed for gaps)."""
    if not breaks:
        return []

    def fmt(value, with_unit=True):
        return format_value(value, unit if with_unit else "", decimals, signed=signed)

    labels = [_("moins de {value}").format(value=fmt(breaks[0]))]
    for low, high in itertools.pairwise(breaks):
        labels.append(_("de {low} à {high}").format(low=fmt(low, False), high=fmt(high)))
    labels.append(_("{value} ou plus").format(value=fmt(breaks[-1])))
    return labels


def widest_gaps(service: AtlasService, request: MapRequest, codes: tuple[str, ...], limit: int = 10) -> pd.DataFrame:
    """The mapped territories furthest from their reference in ``request.year``, unfavourable first."""
    empty = pd.DataFrame(columns=["code", "name", "value", "reference", "gap", "reference_year"])
    values, _status, reference, years, used = aligned_tables(service, request, codes)
    if reference is None or request.year not in years or used.get(request.year) is None:
        return empty
    gap = gap_values(values, reference, request.operation)[request.year]
    frame = pd.DataFrame({"code": list(codes), "value": values[request.year].to_numpy(),
                          "reference": reference[request.year].to_numpy(), "gap": gap.to_numpy()}).dropna()
    polarity = service.indicator(request.indicator)["polarity"]
    distance = np.log(frame["gap"].clip(lower=1e-9)) if request.operation == "ratio" else frame["gap"]
    if polarity == "higher_is_better":
        distance = -distance
    elif polarity == "neutral":
        distance = distance.abs()
    frame = frame.assign(severity=distance).sort_values(["severity", "code"], ascending=[False, True]).head(limit)
    names = service.territories.loc[request.level].set_index("code")["name"]
    frame["name"] = frame["code"].map(names).fillna(frame["code"])
    frame["reference_year"] = used[request.year]
    return frame.drop(columns="severity").reset_index(drop=True)
