"""Derive the demo generator's seed of public facts from official open data.

The illustrative package (``python -m atlas build-demo``) places its made-up
quarters in real communes. It needs, for every commune of France, only public
facts: INSEE code, name, département, a centroid, an area and the INSEE density
level. This one-off developer script derives that small table from the
IGN Admin Express COG 2018 boundaries and the INSEE density grid
(both Licence Ouverte) and writes it to ``atlas/demo/seed/``. No polygon is
kept: the generator rebuilds illustrative shapes from the centroids.

Usage: python scripts/make_demo_seed.py PATH/TO/real
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

DENSITY_LEVELS = {
    "Grands centres urbains": 1,
    "Centres urbains intermédiaires": 2,
    "Ceintures urbaines": 3,
    "Petites villes": 4,
    "Bourgs ruraux": 5,
    "Rural à habitat dispersé": 6,
    "Rural à habitat très dispersé": 7,
}


def main(real: Path) -> None:
    out = Path(__file__).resolve().parent.parent / "atlas" / "demo" / "seed"
    out.mkdir(parents=True, exist_ok=True)
    communes = gpd.read_file(real / "admin" / "communes-france-simplifiees.geojson")
    metric = communes.to_crs(3857)
    # Area in a conformal projection is biased; correct with cos(lat)^2.
    import numpy as np

    centroids = communes.geometry.representative_point()
    lat = centroids.y.to_numpy()
    area = metric.geometry.area.to_numpy() * np.cos(np.radians(lat)) ** 2 / 1e6
    density = pd.read_csv(
        real / "communes" / "communes_grille_densite.csv", dtype=str, encoding="utf-8-sig"
    )
    level = density.set_index("insee_com")["niveau_densite"].map(DENSITY_LEVELS)
    seed = pd.DataFrame(
        {
            "code": communes["code"],
            "name": communes["nom"],
            "dep": communes["code_departement"],
            "lon": centroids.x.round(4),
            "lat": centroids.y.round(4),
            "area_km2": area.round(2),
            "density": communes["code"].map(level).fillna(6).astype(int),
        }
    ).sort_values("code")
    seed.to_csv(out / "communes.csv.gz", index=False, compression={"method": "gzip", "mtime": 0})

    deps = json.loads((real / "credits" / "departements_centroides.geojson").read_text())
    dep_region = {f["properties"]["insee_dep"]: f["properties"]["insee_reg"] for f in deps["features"]}
    dep_region.setdefault("48", "76")  # Lozère has no QPV, hence no centroid in that file
    dep_names = json.loads((real / "admin" / "departements-avec-outre-mer.geojson").read_text())
    rows = [
        {"code": f["properties"]["code"], "name": f["properties"]["nom"], "region": dep_region[f["properties"]["code"]]}
        for f in dep_names["features"]
    ]
    pd.DataFrame(rows).sort_values("code").to_csv(out / "departements.csv", index=False)
    regions = json.loads((real / "admin" / "regions-avec-outre-mer.geojson").read_text())
    pd.DataFrame([f["properties"] for f in regions["features"]]).rename(columns={"nom": "name"}).sort_values(
        "code"
    ).to_csv(out / "regions.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
