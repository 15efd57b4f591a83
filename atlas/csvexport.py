"""Every CSV the atlas offers, in two forms: one for French spreadsheets, one for programs.

- **French spreadsheet form** (``FRENCH``): ``;`` separator, ``,`` decimal, UTF-8 with BOM, French headers with
  their unit (« Montant (€) »), values rounded as the atlas shows them, codes replaced by their French labels
  (« En retard », not ``late``; shares as percentages). Excel and LibreOffice set to French open it in columns.
- **Machine form** (``MACHINE``): ``,`` separator, ``.`` decimal, UTF-8 without BOM, stable snake_case headers
  (documented in docs/csv-exports.md), full precision, codes as they are in the data package.

Both forms come from the same frame (its columns are the machine headers) and both neutralise formula cells
(atlas/csvsafe.py). ``COLUMNS`` says, for each machine header, how the French form shows it; a frame column
missing from it keeps its machine name (``unknown_columns`` lets tests catch that).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from atlas import levels, themes
from atlas.barometer import FREQUENCY_LABELS_FR, STATUS_LABELS_FR
from atlas.csvsafe import safe_frame
from atlas.i18n import N_, _
from atlas.leverage import quadrant_labels
from atlas.profile_credits import SCOPE_LABELS
from atlas.schema import FUNDERS, OBSERVATION_STATUS_LABELS_FR

FRENCH = "tableur"
MACHINE = "machine"
FORMS = (FRENCH, MACHINE)
DEFAULT_VALUE_DECIMALS = 2  # when the indicator (hence its display precision) is not known


@dataclass(frozen=True)
class Column:
    """How the French form shows one machine column."""

    header: str  # French header (N_-marked; translated when written)
    kind: str = "text"  # text | int | number | share (0–1 → %) | value (indicator's precision and unit) | date
    decimals: int = 0  # number and share
    labels: Mapping[str, str] | None = None  # codes → French labels (text)
    lookup: Callable[[str], str] | None = None  # codes → labels a package may extend (declared levels, themes)
    french: bool = True  # False: a label column the French form already shows in place of its code


STATUS_LABELS = {**OBSERVATION_STATUS_LABELS_FR, "ok": N_("publiée"), **STATUS_LABELS_FR}
POLARITY_LABELS = {"higher_is_better": N_("plus haut = mieux"), "higher_is_worse": N_("plus haut = moins bien"),
                   "neutral": N_("ni mieux ni moins bien")}
KIND_LABELS = {"means": N_("moyens"), "result": N_("résultat"), "context": N_("contexte"),
               "category": N_("typologie")}
MARK_LABELS = {"best": N_("meilleur"), "worst": N_("moins bon")}
QUADRANT_LABELS = quadrant_labels("higher_is_better")


def _value(header: str) -> Column:
    return Column(header, "value")


COLUMNS: dict[str, Column] = {
    # territories
    "level": Column(N_("Échelon"), lookup=levels.label),
    "code": Column(N_("Code")),
    "name": Column(N_("Territoire")),
    "population": Column(N_("Population (habitants)"), "int"),
    "population_year": Column(N_("Année de la population"), "int"),
    "commune_code": Column(N_("Code commune")),
    "commune_name": Column(N_("Commune")),
    "epci_code": Column(N_("Code EPCI")),
    "contrat_de_ville_code": Column(N_("Code du contrat de ville")),
    "departement_code": Column(N_("Département")),
    "region_code": Column(N_("Code région")),
    "lon": Column(N_("Longitude (degrés)"), "number", 5),
    "lat": Column(N_("Latitude (degrés)"), "number", 5),
    "area_km2": Column(N_("Superficie (km²)"), "number", 2),
    "density_level": Column(N_("Niveau de densité (grille INSEE)"), "int"),
    "commune_codes": Column(N_("Codes des communes")),
    # indicators and observations
    "indicator": Column(N_("Indicateur (identifiant)")),
    "id": Column(N_("Identifiant")),
    "label": Column(N_("Libellé")),
    "label_fr": Column(N_("Libellé")),
    "label_en": Column(N_("Libellé en anglais")),
    "definition": Column(N_("Définition")),
    "comparability": Column(N_("Comparabilité")),
    "decimals": Column(N_("Décimales affichées"), "int"),
    "kind": Column(N_("Nature"), labels=KIND_LABELS),
    "polarity": Column(N_("Sens de lecture"), labels=POLARITY_LABELS),
    "unit": Column(N_("Unité")),
    "section": Column(N_("Rubrique")),
    "role": Column(N_("Rôle")),
    "year": Column(N_("Année"), "int"),
    "value_year": Column(N_("Année de la valeur"), "int"),
    "period": Column(N_("Période")),
    "frequency": Column(N_("Fréquence"), labels=FREQUENCY_LABELS_FR),
    "value": _value(N_("Valeur")),
    "gap": _value(N_("Écart à la référence")),
    "rank": Column(N_("Rang"), "int"),
    "mark": Column(N_("Repère"), labels=MARK_LABELS),
    "status": Column(N_("Statut"), labels=STATUS_LABELS),
    "status_label": Column(N_("Statut"), french=False),
    "beneficiaries": Column(N_("Bénéficiaires (personnes)"), "int"),
    "eligible": Column(N_("Public éligible (personnes)"), "int"),
    "coverage": Column(N_("Taux de couverture (%)"), "share", 1),
    "source": Column(N_("Source")),
    "vintage": Column(N_("Millésime")),
    "licence": Column(N_("Licence")),
    # commitments (barometer)
    "ministry": Column(N_("Ministère ou financeur"), labels=FUNDERS),
    "ministry_label": Column(N_("Ministère ou financeur"), french=False),
    "measure": Column(N_("Mesure")),
    "theme": Column(N_("Thème"), lookup=themes.label),
    "theme_label": Column(N_("Thème"), french=False),
    "scope_level": Column(N_("Échelon du périmètre"), lookup=levels.label),
    "scope_code": Column(N_("Code du périmètre")),
    "scope_name": Column(N_("Périmètre")),
    "baseline_date": Column(N_("Date de référence"), "date"),
    "baseline_value": _value(N_("Valeur de référence")),
    "target_date": Column(N_("Date cible"), "date"),
    "target_value": _value(N_("Valeur cible")),
    "current_period": Column(N_("Dernière période")),
    "current_value": _value(N_("Dernière valeur")),
    "current_status": Column(N_("Statut de la dernière valeur"), labels=STATUS_LABELS),
    "progress": Column(N_("Avancement vers la cible (%)"), "share", 0),
    "elapsed": Column(N_("Temps écoulé (%)"), "share", 0),
    "achieved": Column(N_("Engagements : cible atteinte"), "int"),
    "on_track": Column(N_("Engagements : en bonne voie"), "int"),
    "late": Column(N_("Engagements : en retard"), "int"),
    "no_target": Column(N_("Engagements : sans cible"), "int"),
    "no_data": Column(N_("Engagements : sans donnée"), "int"),
    # credits
    "programme": Column(N_("Programme")),
    "programme_label": Column(N_("Intitulé du programme")),
    "carrier": Column(N_("Porteur")),
    "amount_eur": Column(N_("Montant (€)"), "number", 2),
    "lines": Column(N_("Lignes de crédits"), "int"),
    "scope": Column(N_("Rattachement"), labels=SCOPE_LABELS),
    "scope_label": Column(N_("Rattachement"), french=False),
    "qpv_population": Column(N_("Population des quartiers (habitants)"), "int"),
    "per_inhabitant": Column(N_("Montant par habitant des quartiers (€)"), "number", 0),
    "start_year": Column(N_("Année de départ"), "int"),
    "start_value": _value(N_("Valeur de départ")),
    "end_year": Column(N_("Année d'arrivée"), "int"),
    "end_value": _value(N_("Valeur d'arrivée")),
    "change": _value(N_("Évolution")),
    "improvement": _value(N_("Amélioration (dans le sens favorable)")),
    "quadrant": Column(N_("Situation"), labels=QUADRANT_LABELS),
}


@dataclass(frozen=True)
class CsvTable:
    """One download: its rows (columns named as in the machine form), file stem and value precision.

    ``decimals`` is the display precision of indicator values: one number, or indicator id → decimals for
    frames that mix indicators (read from their ``indicator`` column). ``unit`` is added to the headers of
    indicator values when the whole table has one unit.
    """

    frame: pd.DataFrame
    stem: str
    decimals: int | Mapping[str, int] = DEFAULT_VALUE_DECIMALS
    unit: str | None = None
    columns: Mapping[str, Column] = field(default_factory=lambda: COLUMNS)

    def filename(self, form: str) -> str:
        return f"{self.stem}.csv" if form == MACHINE else f"{self.stem}_{FRENCH}.csv"

    def to_bytes(self, form: str) -> bytes:
        return b"".join(csv_chunks(self, form))


def unknown_columns(table: CsvTable) -> list[str]:
    return [c for c in table.frame.columns if c not in table.columns]


def _table_unit(table: CsvTable, frame: pd.DataFrame) -> str | None:
    if table.unit:
        return table.unit
    if "unit" in frame.columns:
        units = frame["unit"].dropna().unique()
        if len(units) == 1 and str(units[0]).strip():
            return str(units[0])
    return None


def _value_decimals(table: CsvTable, frame: pd.DataFrame) -> int | np.ndarray:
    if isinstance(table.decimals, int):
        return table.decimals
    if "indicator" not in frame.columns:
        return DEFAULT_VALUE_DECIMALS
    mapped = frame["indicator"].astype(object).map(dict(table.decimals))
    return pd.to_numeric(mapped, errors="coerce").fillna(DEFAULT_VALUE_DECIMALS).to_numpy(dtype=float)


def _rounded(series: pd.Series, decimals: int | np.ndarray) -> pd.Series:
    """Values rounded as the atlas shows them: numbers for one precision, French text when rows differ."""
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    if isinstance(decimals, np.ndarray):  # indicators of several precisions: « 74396 » beside « 12,5 »
        out = pd.Series(None, index=series.index, dtype=object)
        for places in np.unique(decimals):
            rows = (decimals == places) & ~np.isnan(values)
            digits = int(places)
            out[rows] = [f"{round(v, digits) + 0.0:.{digits}f}".replace(".", ",") for v in values[rows]]  # no « -0,0 »
        return out
    factor = 10.0 ** decimals
    out = pd.Series(np.round(values * factor) / factor, index=series.index)
    return out.round().astype("Int64") if decimals == 0 else out


def _french_dates(series: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(series, format="%Y-%m-%d", errors="coerce")
    return parsed.dt.strftime("%d/%m/%Y").where(parsed.notna(), series.astype(object))


def french_frame(table: CsvTable, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows as the French spreadsheet form shows them (French headers, rounded values, French labels)."""
    frame = table.frame if frame is None else frame
    unit = _table_unit(table, table.frame)
    out: dict[str, pd.Series] = {}
    for name in frame.columns:
        spec = table.columns.get(name, Column(name))
        if not spec.french:
            continue
        series = frame[name]
        header = _(spec.header)
        if spec.kind == "value":
            series = _rounded(series, _value_decimals(table, frame))
            header = f"{header} ({unit})" if unit else header
        elif spec.kind == "share":
            series = _rounded(series * 100, spec.decimals)
        elif spec.kind == "number":
            series = _rounded(series, spec.decimals)
        elif spec.kind == "int":
            series = _rounded(series, 0)
        elif spec.kind == "date":
            series = _french_dates(series)
        elif spec.labels is not None:
            labels = {code: _(label) for code, label in spec.labels.items()}
            series = series.astype(object).map(lambda code, labels=labels: labels.get(code, code))
        elif spec.lookup is not None:
            series = series.astype(object).map(lambda code, lookup=spec.lookup: lookup(code)
                                               if isinstance(code, str) else code)
        while header in out:  # two columns with one French header: keep both, tell them apart
            header += " (2)"
        out[header] = series
    return pd.DataFrame(out, index=frame.index)


CHUNK_ROWS = 100_000


def _whole_numbers(table: CsvTable, frame: pd.DataFrame) -> pd.DataFrame:
    """Counts stay whole in the machine form (``13``, not ``13.0`` because a missing value made them floats)."""
    counts = [c for c in frame.columns if table.columns.get(c, Column(c)).kind == "int"
              and pd.api.types.is_float_dtype(frame[c])]
    whole = [c for c in counts if ((frame[c] % 1 == 0) | frame[c].isna()).all()]
    return frame.astype({c: "Int64" for c in whole}) if whole else frame


def csv_chunks(table: CsvTable, form: str) -> Iterator[bytes]:
    """The CSV in chunks (never a large table whole in memory), formula cells neutralised in both forms."""
    if form not in FORMS:
        raise ValueError(f"unknown CSV form {form!r}")
    french = form == FRENCH
    if french:
        yield "\ufeff".encode()
    frame = table.frame
    for start in range(0, max(len(frame), 1), CHUNK_ROWS):
        chunk = frame.iloc[start:start + CHUNK_ROWS]
        if french:
            text = safe_frame(french_frame(table, chunk)).to_csv(index=False, header=start == 0, sep=";",
                                                                 decimal=",", lineterminator="\r\n")
        else:
            text = safe_frame(_whole_numbers(table, chunk)).to_csv(index=False, header=start == 0,
                                                                   lineterminator="\n")
        yield text.encode("utf-8")


def indicator_decimals(indicators: pd.DataFrame) -> dict[str, int]:
    """Indicator id → the number of decimals the atlas shows (the catalogue's ``decimals``)."""
    if "decimals" not in indicators.columns:
        return {}
    decimals = pd.to_numeric(indicators["decimals"], errors="coerce")
    return {str(i): int(d) for i, d in zip(indicators["id"], decimals, strict=True) if pd.notna(d)}
