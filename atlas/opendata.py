"""Open data exports: every table of the package as CSV or Parquet, with its metadata.

CSV files, in both forms of atlas/csvexport.py (French spreadsheet and machine), are built once per package
(``ExportStore``), written atomically to a folder the workers share, and then served from disk (streamed, with
ranges and ETags): ``/download/observations.csv`` no longer rebuilds 70 MB per request. Every text cell goes
through ``atlas.csvsafe`` (no formula runs in a spreadsheet).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from atlas import schema
from atlas.csvexport import MACHINE, CsvTable, csv_chunks
from atlas.i18n import N_
from atlas.service import AtlasService

EXPORT_FORMAT = "3"  # bump when the CSV layout changes, so that files built by an older version are not served


@dataclass(frozen=True)
class Export:
    name: str  # file stem, e.g. "observations"
    title: str
    description: str
    rows: int
    columns: tuple[str, ...]


# French source (translated with _() where shown).
TITLES = {
    "territories": (N_("Territoires"),
                    N_("Tous les territoires (QPV, communes, EPCI, contrats de ville, départements, régions, France) "
                       "avec leurs codes officiels, leurs parents et leur population.")),
    "indicators": (N_("Catalogue des indicateurs"),
                   N_("Définition, unité, thème, ministère, source, licence et millésime de chaque indicateur.")),
    "observations": (N_("Valeurs des indicateurs"),
                     N_("Toutes les valeurs, par territoire, indicateur et période, avec leur statut "
                        "(secret statistique, estimation) et les bénéficiaires.")),
    "commitments": (N_("Engagements des ministères"),
                    N_("Mesure, indicateur, périmètre, valeur de référence et cible.")),
    "credits": (N_("Crédits publics"),
                N_("Lignes de crédits par année, programme, financeur, thème et porteur, rattachées à un territoire.")),
}


def exports(service: AtlasService) -> list[Export]:
    out = []
    for table in schema.TABLES:
        frame = service.package.table(table.name)
        title, description = TITLES[table.name]
        out.append(Export(table.name, title, description, len(frame), tuple(frame.columns)))
    return out


class ExportStore:
    """CSV exports of one package, built at most once and shared by the workers through a folder."""

    def __init__(self, fingerprint: str, directory: Path | None = None):
        base = Path(directory) if directory else Path(tempfile.gettempdir()) / "atlas-qpv-exports"
        self.directory = base / f"{fingerprint}-v{EXPORT_FORMAT}"
        self._lock = threading.Lock()

    def csv(self, name: str, table: Callable[[], CsvTable], form: str = MACHINE) -> Path:
        """The path of ``name``.csv in ``form``, written from ``table()`` the first time it is asked for."""
        path = self.directory / f"{name}.{form}.csv"
        if path.is_file():
            return path
        with self._lock:  # one build per process; another worker may build too, the rename keeps it whole
            if not path.is_file():
                self.directory.mkdir(parents=True, exist_ok=True)
                handle, staging = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".tmp")
                try:
                    with os.fdopen(handle, "wb") as out:
                        for chunk in csv_chunks(table(), form):
                            out.write(chunk)
                    os.replace(staging, path)
                finally:
                    if os.path.exists(staging):
                        os.unlink(staging)
        return path


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
