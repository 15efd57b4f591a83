"""Open data exports: every table of the package as CSV (streamed) or Parquet, with its metadata."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from atlas import schema
from atlas.service import AtlasService

CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class Export:
    name: str  # file stem, e.g. "observations"
    title: str
    description: str
    rows: int
    columns: tuple[str, ...]


TITLES = {
    "territories": ("Territoires", "Tous les territoires (QPV, communes, EPCI, contrats de ville, départements, "
                                   "régions, France) avec leurs codes officiels, leurs parents et leur population."),
    "indicators": ("Catalogue des indicateurs", "Définition, unité, thème, ministère, source, licence et "
                                                "millésime de chaque indicateur."),
    "observations": ("Valeurs des indicateurs", "Toutes les valeurs, par territoire, indicateur et période, avec "
                                                "leur statut (secret statistique, estimation) et les bénéficiaires."),
    "commitments": ("Engagements des ministères", "Mesure, indicateur, périmètre, valeur de référence et cible."),
    "credits": ("Crédits publics", "Lignes de crédits par année, programme, financeur, thème et porteur, "
                                   "rattachées à un territoire."),
}


def exports(service: AtlasService) -> list[Export]:
    out = []
    for table in schema.TABLES:
        frame = service.package.table(table.name)
        title, description = TITLES[table.name]
        out.append(Export(table.name, title, description, len(frame), tuple(frame.columns)))
    return out


def csv_chunks(frame: pd.DataFrame) -> Iterator[bytes]:
    """CSV in chunks (UTF-8 with BOM for spreadsheets), so that a large table never sits whole in memory."""
    yield "\ufeff".encode()
    for start in range(0, max(len(frame), 1), CHUNK_ROWS):
        chunk = frame.iloc[start:start + CHUNK_ROWS]
        yield chunk.to_csv(index=False, header=start == 0).encode()


def indicator_csv(service: AtlasService, indicator: str) -> pd.DataFrame:
    """One indicator at every level and period, with territory names, unit, source and vintage."""
    meta = service.indicator(indicator)
    frames = []
    for level in service.levels():
        obs = service.observations_for(indicator, level)
        if obs.empty:
            continue
        frame = obs[["level", "code", "period", "value", "status", "beneficiaries", "eligible"]].copy()
        for col in ("level", "code", "period", "status"):
            frame[col] = frame[col].astype(str)
        names = service.territories.loc[level].set_index("code")["name"]
        frame.insert(2, "name", frame["code"].map(names))
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    out["indicator"] = indicator
    out["label"] = meta["label_fr"]
    out["unit"] = meta["unit"]
    out["source"] = meta["source"]
    out["vintage"] = meta["vintage"]
    out["licence"] = meta["licence"]
    return out
