"""What the choropleth needs, as plain data: values for every year, classes, colours, gaps.

The map's geometry is static; everything here travels through dash-leaflet's
``hideout`` and is drawn by the JavaScript style function in assets/.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, replace

import mapclassify
import numpy as np
import pandas as pd

from atlas.formatting import format_value
from atlas.service import AtlasService

SCHEMES = {"quantiles": "Quantiles", "jenks": "Seuils naturels (Jenks)", "equal": "Intervalles égaux"}
MODES = {"value": "Valeur", "gap": "Écart"}
REFERENCES = {"commune": "sa commune", "departement": "son département", "france": "la France"}
OPERATIONS = {"difference": "différence", "ratio": "rapport"}
# ColorBrewer palettes (colour-blind safe). Sequential: light = favourable, dark = unfavourable.
SEQUENTIAL_BAD = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
SEQUENTIAL_NEUTRAL = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
# Diverging, from "much better than the reference" (blue) to "much worse" (red).
DIVERGING = ("#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#fddbc7", "#f4a582", "#d6604d", "#b2182b")
DIVERGING_NEUTRAL = ("#762a83", "#9970ab", "#c2a5cf", "#e7d4e8", "#d9f0d3", "#a6dba0", "#5aae61", "#1b7837")
MISSING_COLOR = "#ffffff"
SECRET_COLOR = "#bdbdbd"


@dataclass(frozen=True)
class MapRequest:
    indicator: str
    level: str = "qpv"
    mode: str = "value"
    reference: str = "commune"
    operation: str = "difference"
    scheme: str = "quantiles"
    fixed: bool = True
    classes: int = 5

    def normalised(self, service: AtlasService) -> MapRequest:
        """Unknown options fall back to defaults, so that any URL gives a valid map."""
        level = self.level if self.level in service.map_levels() else service.map_levels()[0]
        available = service.indicators_at(level) or tuple(service.indicator_ids())
        indicator = self.indicator if self.indicator in available else available[0]
        mode = self.mode if self.mode in MODES and level == "qpv" else "value"
        return replace(
            self,
            indicator=indicator,
            level=level,
            mode=mode,
            reference=self.reference if self.reference in REFERENCES else "commune",
            operation=self.operation if self.operation in OPERATIONS else "difference",
            scheme=self.scheme if self.scheme in SCHEMES else "quantiles",
            fixed=bool(self.fixed),
            classes=int(min(max(self.classes, 3), 7)),
        )


def aligned_tables(service: AtlasService, request: MapRequest, codes: tuple[str, ...]):
    """Values, statuses and (gap mode) reference values, one row per map feature, one column per year."""
    values, status = service.annual_table(request.indicator, request.level)
    years = [y for y in service.years if not values.empty and y in values.columns]
    values = values.reindex(index=list(codes), columns=years)
    status = status.reindex(index=list(codes), columns=years).fillna("missing")
    reference = None
    if request.mode == "gap":
        ref_values, _ = service.annual_table(request.indicator, request.reference)
        if request.reference == "france":
            parents = pd.Series("FR", index=list(codes))
        else:
            parents = service.territories.loc["qpv"].set_index("code")[f"{request.reference}_code"].reindex(
                list(codes))
        reference = ref_values.reindex(index=parents.to_numpy(), columns=years)
        reference.index = list(codes)
    return values, status, reference, years


def gap_values(values: pd.DataFrame, reference: pd.DataFrame, operation: str) -> pd.DataFrame:
    if operation == "ratio":
        return values / reference.where(reference != 0)
    return values - reference


def gap_unit(unit: str, request: MapRequest) -> str:
    """A ratio has no unit; a difference of percentages is in percentage points."""
    if request.operation == "ratio":
        return ""
    return "pts" if unit == "%" else unit


def classify(sample: np.ndarray, scheme: str, classes: int) -> list[float]:
    """Upper bounds of the first ``classes - 1`` classes (the last class is open)."""
    sample = sample[np.isfinite(sample)]
    if len(sample) == 0:
        return []
    unique = np.unique(sample)
    if len(unique) <= classes:
        return [float(v) for v in unique[:-1]]
    if scheme == "equal":
        bins = mapclassify.EqualInterval(sample, k=classes).bins
    elif scheme == "jenks":
        # Fisher-Jenks is exact but quadratic: classify 100 evenly spread quantiles (deterministic, ~40 ms).
        subsample = np.quantile(sample, np.linspace(0, 1, min(len(sample), 100)))
        with warnings.catch_warnings():  # mapclassify suggests numba; 100 points need no JIT
            warnings.simplefilter("ignore", UserWarning)
            bins = mapclassify.FisherJenks(subsample, k=classes).bins
    else:
        bins = mapclassify.Quantiles(sample, k=classes).bins
    return [float(b) for b in bins[:-1]]


def diverging_breaks(sample: np.ndarray, operation: str) -> list[float]:
    """Symmetric class bounds around "no gap" (0 for a difference, 1 for a ratio)."""
    sample = sample[np.isfinite(sample)]
    if operation == "ratio":
        sample = np.log(sample[sample > 0])
    spread = np.abs(sample)
    if len(spread) == 0 or spread.max() == 0:
        return [0.0] if operation == "difference" else [1.0]
    steps = np.quantile(spread, [0.33, 0.66, 0.9])
    steps = np.maximum.accumulate(np.maximum(steps, 1e-9))
    bounds = [-steps[2], -steps[1], -steps[0], 0.0, steps[0], steps[1], steps[2]]
    if operation == "ratio":
        return [float(math.exp(b)) for b in bounds]
    return [float(b) for b in bounds]


def _nice(value: float, decimals: int) -> float:
    return round(value, decimals + 1)


def class_codes(matrix: pd.DataFrame, status: pd.DataFrame, breaks_for_year) -> list[str]:
    """One string per year, one character per feature: its class ('0'…'7'), 's' secret, '-' missing.

    Colours for every year travel in a few kilobytes, so the year slider re-colours with no server trip.
    """
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
    values = column.to_numpy(dtype=float)
    rounded = np.round(values, decimals)
    return [None if not np.isfinite(v) else (int(v) if decimals == 0 or float(v).is_integer() else float(v))
            for v in rounded]


def shown_values(service: AtlasService, request: MapRequest, codes: tuple[str, ...]):
    """The matrix the map colours (values, or gaps in gap mode), its statuses and decimals."""
    meta = service.indicator(request.indicator)
    values, status, reference, years = aligned_tables(service, request, codes)
    decimals = int(meta["decimals"])
    if request.mode == "gap":
        shown = gap_values(values, reference, request.operation)
        decimals = 2 if request.operation == "ratio" else decimals
        return shown, status, decimals, years
    return values, status, decimals, years


def year_values(service: AtlasService, request: MapRequest, codes: tuple[str, ...], year: int) -> list:
    request = request.normalised(service)
    shown, status, decimals, years = shown_values(service, request, codes)
    if year not in years:
        return [None] * len(codes)
    return encode_values(shown[year].where(status[year] != "secret"), decimals)


def map_classes(service: AtlasService, request: MapRequest, codes: tuple[str, ...]) -> dict:
    """What does not depend on the year shown: classes of every year, breaks, palette and labels."""
    request = request.normalised(service)
    meta = service.indicator(request.indicator)
    polarity = meta["polarity"]
    shown, status, decimals, years = shown_values(service, request, codes)
    breaks_by_year = None
    if request.mode == "gap":
        breaks = diverging_breaks(shown.to_numpy(dtype=float).ravel(), request.operation)
        palette = DIVERGING_NEUTRAL if polarity == "neutral" else DIVERGING
        # Blue means "better than the reference": flip when higher values are better.
        colors = list(palette[::-1]) if polarity == "higher_is_better" else list(palette)
    else:
        palette = SEQUENTIAL_NEUTRAL if polarity == "neutral" else SEQUENTIAL_BAD
        colors = list(palette[::-1]) if polarity == "higher_is_better" else list(palette)
        if request.fixed:
            breaks = classify(shown.to_numpy(dtype=float).ravel(), request.scheme, len(colors))
        else:
            breaks = None
            breaks_by_year = {str(y): [_nice(b, decimals) for b in
                                       classify(shown[y].to_numpy(dtype=float), request.scheme, len(colors))]
                              for y in years}
    if breaks is not None:
        breaks = [_nice(b, decimals) for b in breaks]

    def breaks_for(y):
        return breaks if breaks is not None else breaks_by_year[str(y)]

    return {
        "level": request.level,
        "indicator": request.indicator,
        "label": meta["label_fr"],
        "unit": gap_unit(meta["unit"], request) if request.mode == "gap" else meta["unit"],
        "decimals": decimals,
        "polarity": polarity,
        "vintage": meta["vintage"],
        "mode": request.mode,
        "reference": request.reference if request.mode == "gap" else None,
        "operation": request.operation if request.mode == "gap" else None,
        "years": years,
        "classes": class_codes(shown, status, breaks_for),
        "breaks": breaks,
        "breaks_by_year": breaks_by_year,
        "colors": colors,
        "missing_color": MISSING_COLOR,
        "secret_color": SECRET_COLOR,
    }


def shown_year(classes: dict, year: int) -> int:
    """The year to show: the one asked for when the indicator has it, else its latest."""
    years = classes["years"]
    return year if year in years or not years else years[-1]


def map_payload(service: AtlasService, request: MapRequest, codes: tuple[str, ...], year: int) -> dict:
    """The hideout of the choropleth: the year-independent classes plus exact values of the year shown."""
    classes = map_classes(service, request, codes)
    year = shown_year(classes, year)
    return {**classes, "year": year, "values": year_values(service, request, codes, year), "values_year": year}


def class_labels(breaks: list[float], unit: str, decimals: int) -> list[str]:
    """Legend lines: « moins de 12,3 % », « de 12,3 à 18,0 % », « 18,0 % ou plus »."""
    if not breaks:
        return ["toutes valeurs"]
    labels = [f"moins de {format_value(breaks[0], unit, decimals)}"]
    for low, high in itertools.pairwise(breaks):
        labels.append(f"de {format_value(low, '', decimals)} à {format_value(high, unit, decimals)}")
    labels.append(f"{format_value(breaks[-1], unit, decimals)} ou plus")
    return labels


def widest_gaps(service: AtlasService, request: MapRequest, year: int, limit: int = 10) -> pd.DataFrame:
    """The quarters furthest from their reference, in the unfavourable direction first."""
    request = replace(request, mode="gap", level="qpv").normalised(service)
    codes = tuple(service.codes("qpv"))
    values, _status, reference, years = aligned_tables(service, request, codes)
    if year not in years:
        return pd.DataFrame(columns=["code", "name", "value", "reference", "gap"])
    gap = gap_values(values, reference, request.operation)[year]
    frame = pd.DataFrame({"code": list(codes), "value": values[year].to_numpy(),
                          "reference": reference[year].to_numpy(), "gap": gap.to_numpy()}).dropna()
    polarity = service.indicator(request.indicator)["polarity"]
    centre = 1.0 if request.operation == "ratio" else 0.0
    distance = frame["gap"] - centre
    if request.operation == "ratio":
        distance = np.log(frame["gap"].clip(lower=1e-9))
    if polarity == "higher_is_better":
        distance = -distance
    elif polarity == "neutral":
        distance = distance.abs()
    frame = frame.assign(severity=distance).sort_values(["severity", "code"], ascending=[False, True]).head(limit)
    names = service.territories.loc["qpv"].set_index("code")["name"]
    frame["name"] = frame["code"].map(names)
    return frame.drop(columns="severity").reset_index(drop=True)


def request_from_query(params: dict, service: AtlasService) -> tuple[MapRequest, int]:
    """A map request and year from URL parameters, with defaults for anything absent or wrong."""
    default_indicator = "taux_pauvrete"  # falls back to the first indicator mapped at the level
    request = MapRequest(
        indicator=params.get("indicateur", default_indicator),
        level=params.get("niveau", "qpv"),
        mode=params.get("mode", "value"),
        reference=params.get("reference", "commune"),
        operation=params.get("operation", "difference"),
        scheme=params.get("classes", "quantiles"),
        fixed=params.get("fixes", "1") != "0",
    ).normalised(service)
    values, _ = service.annual_table(request.indicator, request.level)
    years = [y for y in service.years if not values.empty and y in values.columns] or service.years
    try:
        year = int(params.get("annee", years[-1]))
    except ValueError:
        year = years[-1]
    if year not in years:
        year = years[-1]
    return request, year


def query_from_request(request: MapRequest, year: int) -> dict:
    params = {"indicateur": request.indicator, "niveau": request.level, "annee": str(year),
              "mode": request.mode, "classes": request.scheme, "fixes": "1" if request.fixed else "0"}
    if request.mode == "gap":
        params.update(reference=request.reference, operation=request.operation)
    return params
