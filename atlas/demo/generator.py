"""Deterministic generator of the illustrative national package.

Real communes (INSEE codes, names, centroids from the seed in ``seed/``) host
made-up priority quarters whose indicators, credits and commitments follow
published orders of magnitude. Every shape is rebuilt from the communes'
centroids (Voronoi cells), so no official polygon is copied.
The same seed always gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Polygon

from atlas.demo import catalogue
from atlas.demo.names import carrier_name, qpv_names
from atlas.package import DataPackage, write_package

SEED_DIR = Path(__file__).resolve().parent / "seed"
YEARS = tuple(range(2015, 2025))
N_QPV = 1600
MIN_QPV_KM2 = 0.1
# The generation time is part of the files; a fixed value keeps builds byte-identical.
GENERATED_AT = "2026-11-25T00:00:00+00:00"
OVERSEAS = ("971", "972", "973", "974", "976")
TARGET_POPULATION = 68_000_000

# Recent legal populations of the largest communes (INSEE, rounded), so that big
# cities get the number of quarters they have in reality.
KNOWN_POPULATIONS = {
    "75056": 2_133_000, "13055": 873_000, "69123": 522_000, "31555": 504_000, "06088": 348_000,
    "44109": 323_000, "34172": 302_000, "67482": 291_000, "33063": 262_000, "59350": 237_000,
    "35238": 225_000, "51454": 180_000, "83137": 181_000, "42218": 173_000, "76351": 166_000,
    "21231": 159_000, "38185": 156_000, "49007": 157_000, "69266": 155_000, "97411": 154_000,
    "30189": 148_000, "63113": 147_000, "13001": 147_000, "72181": 145_000, "29019": 140_000,
    "37261": 136_000, "80021": 134_000, "87085": 130_000, "66136": 121_000, "92012": 121_000,
    "57463": 118_000, "25056": 119_000, "45234": 117_000, "93066": 114_000, "95018": 110_000,
    "76540": 114_000, "68224": 106_000, "93048": 111_000, "14118": 106_000, "54395": 104_000,
    "59512": 99_000, "59599": 99_000, "92050": 96_000, "94081": 95_000, "94028": 92_000,
    "84007": 91_000, "86194": 89_000, "93001": 89_000, "97415": 84_000, "97209": 76_000,
    "97302": 63_000, "97611": 71_000, "97101": 58_000, "97120": 21_000,
}

# Yearly programme 147 totals (M€): the published order of magnitude.
P147_TOTALS_MEUR = dict(zip(YEARS, (412, 428, 415, 430, 482, 505, 541, 562, 591, 598), strict=True))

OTHER_PROGRAMMES = (
    # programme, label, ministry, theme, lines per year, median amount (€)
    ("P102", "Accès et retour à l'emploi", "travail", "emploi", 520, 38_000),
    ("P230", "Vie de l'élève", "education", "education", 420, 45_000),
    ("P361", "Transmission des savoirs et démocratisation de la culture", "culture", "culture", 260, 22_000),
    ("P176", "Police nationale", "interieur", "securite", 110, 60_000),
    ("P101", "Accès au droit et à la justice", "justice", "securite", 140, 18_000),
    ("P204", "Prévention, sécurité sanitaire et offre de soins", "sante", "sante", 180, 30_000),
    ("P135", "Urbanisme, territoires et amélioration de l'habitat", "transition_ecologique", "logement", 170,
     120_000),
    ("REG", "Conseil régional", "collectivites", None, 230, 35_000),
    ("DEP", "Conseil départemental", "collectivites", None, 260, 28_000),
    ("COM", "Commune ou intercommunalité", "collectivites", None, 420, 15_000),
)

P147_MEASURES = (
    # label, theme, share of the programme, first year
    ("Actions des contrats de ville", None, 0.36, 2015),
    ("Adultes-relais", "emploi", 0.20, 2015),
    ("Programme de réussite éducative", "education", 0.14, 2015),
    ("Cités éducatives", "education", 0.08, 2019),
    ("Postes FONJEP", "culture", 0.03, 2015),
    ("Quartiers d'été", "culture", 0.05, 2020),
    ("Bataillons de la prévention", "securite", 0.04, 2021),
    ("Emploi et développement économique", "emploi", 0.10, 2015),
)


def build_demo(out_dir: Path, *, seed: int = 2024) -> Path:
    """Generate the illustrative package into ``out_dir``."""
    rng = np.random.default_rng(seed)
    communes = _load_seed_communes()
    departements = pd.read_csv(SEED_DIR / "departements.csv", dtype=str)
    regions = pd.read_csv(SEED_DIR / "regions.csv", dtype=str)
    communes["population"] = _commune_populations(communes, rng)
    cells = _voronoi_cells(communes)
    communes["cell"] = cells

    qpv_counts = _allocate_quarters(communes, departements, rng)
    epci_of = _assign_epci(communes, qpv_counts)
    quarters = _make_quarters(communes, qpv_counts, rng)
    territories, geometry = _territories(communes, departements, regions, quarters, epci_of, qpv_counts)
    indicators = _indicator_table()
    observations = _observations(territories, rng)
    commitments = _commitments(observations, territories, rng)
    credits = _credits(territories, quarters, rng)
    package = DataPackage(
        manifest=_manifest(seed),
        territories=territories,
        indicators=indicators,
        observations=observations,
        commitments=commitments,
        credits=credits,
        geometry=geometry,
    )
    return write_package(package, out_dir)


# ----------------------------------------------------------------- communes


def _load_seed_communes() -> pd.DataFrame:
    frame = pd.read_csv(SEED_DIR / "communes.csv.gz", dtype={"code": str, "dep": str})
    return frame.sort_values("code").reset_index(drop=True)


def _commune_populations(communes: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    # Typical densities (inhabitants / km²) of the INSEE density levels 1..7.
    typical_density = np.array([0, 2600, 650, 260, 110, 45, 18, 7], dtype=float)
    density = typical_density[communes["density"].to_numpy()] * rng.lognormal(0, 0.35, len(communes))
    estimate = np.minimum(communes["area_km2"].to_numpy() * density, 120_000)
    known = communes["code"].map(KNOWN_POPULATIONS)
    unknown = known.isna().to_numpy()
    scale = (TARGET_POPULATION - known.sum()) / estimate[unknown].sum()
    estimate = np.where(unknown, estimate * scale, known.fillna(0).to_numpy())
    return np.maximum(estimate.round(), 10).astype(np.int64)


def _voronoi_cells(communes: pd.DataFrame) -> np.ndarray:
    """One illustrative cell per commune: Voronoi of centroids, clipped to the land they cover."""
    cells = np.empty(len(communes), dtype=object)
    # Islands get their own diagram, or a Voronoi cell would bridge them to the mainland.
    zone = np.where(communes["dep"].isin(OVERSEAS), communes["dep"],
                    np.where(communes["dep"].isin(("2A", "2B")), "corse", "metro"))
    for name in sorted(set(zone)):
        idx = np.flatnonzero(zone == name)
        points = shapely.points(communes["lon"].to_numpy()[idx], communes["lat"].to_numpy()[idx])
        hull = shapely.concave_hull(MultiPoint(list(points)), ratio=0.03 if name == "metro" else 0.3)
        land = hull.buffer(0.04 if name == "metro" else 0.05, quad_segs=4)
        diagram = shapely.voronoi_polygons(MultiPoint(list(points)), extend_to=land, ordered=True)
        zone_cells = shapely.intersection(np.asarray(diagram.geoms), land)
        cells[idx] = zone_cells
    return cells


def _allocate_quarters(communes: pd.DataFrame, departements: pd.DataFrame, rng) -> pd.Series:
    """Number of quarters per commune: at least one per département, more in big cities."""
    pop = communes["population"].to_numpy().astype(float)
    counts = np.zeros(len(communes), dtype=int)
    for dep in departements["code"]:
        idx = np.flatnonzero(communes["dep"].to_numpy() == dep)
        counts[idx[np.argmax(pop[idx])]] = 1
    candidates = np.flatnonzero((communes["density"].to_numpy() <= 2) | (pop >= 12_000))
    # Room for quarters grows with the city, but even Marseille has a few dozen at most.
    capacity = np.minimum(np.floor(pop[candidates] * 0.45 / 2_600), 3 + pop[candidates] / 28_000)
    capacity = np.minimum(capacity, 30).astype(int)
    weights = pop[candidates] ** 0.9
    while counts.sum() < N_QPV:
        free = counts[candidates] < capacity
        p = np.where(free, weights, 0)
        pick = candidates[rng.choice(len(candidates), p=p / p.sum())]
        counts[pick] += 1
    return pd.Series(counts, index=communes.index)


def _assign_epci(communes: pd.DataFrame, qpv_counts: pd.Series) -> pd.Series:
    """Illustrative intercommunalities: each commune joins the nearest large pole of its département."""
    epci = pd.Series(pd.NA, index=communes.index, dtype="object")
    lon, lat = communes["lon"].to_numpy(), communes["lat"].to_numpy()
    pop = communes["population"].to_numpy()
    for _dep, group in communes.groupby("dep", sort=True):
        order = group.sort_values("population", ascending=False).index.to_numpy()
        poles: list[int] = []
        for i in order:
            if pop[i] < 15_000 and (poles or qpv_counts[i] == 0) and not (qpv_counts[i] > 0):
                continue
            reach = 0.22 if pop[i] > 250_000 else 0.12
            if any(np.hypot((lon[i] - lon[j]) * 0.7, lat[i] - lat[j]) < reach for j in poles):
                continue
            poles.append(i)
        pole_lon, pole_lat = lon[poles], lat[poles]
        members = group.index.to_numpy()
        dist = np.hypot((lon[members, None] - pole_lon[None, :]) * 0.7, lat[members, None] - pole_lat[None, :])
        nearest = np.argmin(dist, axis=1)
        within = dist[np.arange(len(members)), nearest] < 0.3
        for m, n, ok in zip(members, nearest, within, strict=True):
            if ok:
                epci.iloc[m] = poles[n]
    return epci


def _make_quarters(communes: pd.DataFrame, qpv_counts: pd.Series, rng) -> pd.DataFrame:
    rows = []
    for i in np.flatnonzero(qpv_counts.to_numpy() > 0):
        commune = communes.iloc[i]
        n = int(qpv_counts.iloc[i])
        names = qpv_names(commune["name"], n, rng)
        placed: list[Polygon] = []
        for k in range(n):
            population = int(np.clip(rng.lognormal(np.log(2_700), 0.65), 650, 24_000))
            density = rng.lognormal(np.log(7_500), 0.45)
            area = float(np.clip(population / density, 0.12, 3.0))
            shape = _place_quarter(commune, area, placed, rng)
            placed.append(shape)
            rows.append({"commune_index": i, "name": names[k], "population": population, "geometry": shape})
    quarters = pd.DataFrame(rows)
    # Codes follow the 2024 geography's pattern: QN + département + serial number.
    dep = communes["dep"].to_numpy()[quarters["commune_index"]]
    serial = quarters.groupby(dep).cumcount().to_numpy() + 1
    quarters["code"] = [f"QN{d.zfill(3)}{s:03d}" for d, s in zip(dep, serial, strict=True)]
    return quarters


def _place_quarter(commune, area_km2: float, placed: list[Polygon], rng) -> Polygon:
    cell = commune["cell"]
    lat0 = commune["lat"]
    km_lon = 111.32 * np.cos(np.radians(lat0))
    commune_radius = np.sqrt(max(commune["area_km2"], area_km2 * 4) / np.pi)
    best = None
    for _attempt in range(25):
        r = commune_radius * 0.55 * np.sqrt(rng.random())
        theta = rng.random() * 2 * np.pi
        cx = commune["lon"] + r * np.cos(theta) / km_lon
        cy = lat0 + r * np.sin(theta) / 111.32
        shape = _blob(cx, cy, area_km2, km_lon, rng)
        if not cell.contains(shape):
            shape = _largest_polygon(shape.intersection(cell))
        if shape is None or shape.area < max(0.3 * area_km2, MIN_QPV_KM2) / (km_lon * 111.32):
            continue
        best = shape
        if not any(shape.intersects(p) for p in placed):
            break
    if best is None:
        best = _blob(commune["lon"], lat0, area_km2, km_lon, rng)
    for other in placed:
        if best.intersects(other):
            trimmed = _largest_polygon(best.difference(other))
            # Quarters of a crowded commune may touch; never let one vanish.
            if trimmed is not None and trimmed.area > max(0.4 * best.area, MIN_QPV_KM2 / (km_lon * 111.32)):
                best = trimmed
    return shapely.set_precision(best, 1e-5)


def _largest_polygon(shape) -> Polygon | None:
    polygons = [g for g in getattr(shape, "geoms", [shape]) if g.geom_type == "Polygon" and not g.is_empty]
    return max(polygons, key=lambda g: g.area) if polygons else None


def _blob(cx: float, cy: float, area_km2: float, km_lon: float, rng) -> Polygon:
    """An irregular, roughly elliptic polygon of the given area."""
    n = 16
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    aspect = rng.uniform(1.0, 2.2)
    radii = (1 + rng.normal(0, 0.12, n).cumsum() * 0.3 - 0) * 1.0
    radii = np.clip(radii / radii.mean(), 0.6, 1.4)
    rotation = rng.random() * np.pi
    x = radii * np.cos(angles) * np.sqrt(aspect)
    y = radii * np.sin(angles) / np.sqrt(aspect)
    x, y = x * np.cos(rotation) - y * np.sin(rotation), x * np.sin(rotation) + y * np.cos(rotation)
    unit = Polygon(np.column_stack([x, y]))
    scale = np.sqrt(area_km2 / unit.area)
    coords = np.column_stack([cx + x * scale / km_lon, cy + y * scale / 111.32])
    return shapely.make_valid(Polygon(coords)).buffer(0)


# -------------------------------------------------------------- territories


def _territories(communes, departements, regions, quarters, epci_of, qpv_counts):
    dep_region = dict(zip(departements["code"], departements["region"], strict=True))
    hosting = np.flatnonzero(qpv_counts.to_numpy() > 0)

    # Intercommunalities that contain at least one quarter, numbered in a stable order.
    poles = sorted({int(epci_of.iloc[i]) for i in hosting if pd.notna(epci_of.iloc[i])},
                   key=lambda i: communes["code"].iloc[i])
    epci_code = {}
    for n, pole in enumerate(poles, start=1):
        epci_code[pole] = f"2{n:08d}"
    member_of = epci_of.map(lambda p: epci_code.get(int(p)) if pd.notna(p) else None)
    cv_code = {code: f"CV{n:03d}" for n, code in enumerate(sorted(epci_code.values()), start=1)}

    rows = []
    geometry_rows: dict[str, list] = {"qpv": [], "commune": [], "epci": [], "departement": [], "region": []}
    area_km2 = lambda g, lat: g.area * 111.32**2 * np.cos(np.radians(lat))  # noqa: E731

    rows.append({"level": "france", "code": "FR", "name": "France", "population": int(communes["population"].sum()),
                 "vintage": "COG 2018"})
    for _, reg in regions.iterrows():
        deps = departements.loc[departements["region"] == reg["code"], "code"]
        pop = int(communes.loc[communes["dep"].isin(deps), "population"].sum())
        rows.append({"level": "region", "code": reg["code"], "name": reg["name"], "population": pop,
                     "vintage": "COG 2018"})
    dep_shapes = {}
    for dep, group in communes.groupby("dep", sort=True):
        shape = shapely.coverage_union_all(np.asarray(list(group["cell"])))
        dep_shapes[dep] = shape
        name = departements.set_index("code").loc[dep, "name"]
        centre = shape.representative_point()
        rows.append({"level": "departement", "code": dep, "name": name,
                     "population": int(group["population"].sum()), "vintage": "COG 2018",
                     "region_code": dep_region[dep], "lon": centre.x, "lat": centre.y})
        geometry_rows["departement"].append((dep, _simplify(shape, 0.012)))
    for reg in regions["code"]:
        shape = shapely.union_all([dep_shapes[d] for d in departements.loc[departements["region"] == reg, "code"]])
        geometry_rows["region"].append((reg, _simplify(shape, 0.02)))
    for row in rows:
        if row["level"] == "region":
            shape = dict(geometry_rows["region"])[row["code"]]
            row["lon"], row["lat"] = shape.representative_point().x, shape.representative_point().y

    for pole, code in epci_code.items():
        members = communes.index[member_of == code]
        shape = shapely.coverage_union_all(np.asarray(list(communes.loc[members, "cell"])))
        pop = int(communes.loc[members, "population"].sum())
        pole_name = communes["name"].iloc[pole]
        kind = ("Métropole" if pop >= 400_000 else "Communauté urbaine" if pop >= 250_000
                else "Communauté d'agglomération" if pop >= 50_000 else "Communauté de communes")
        dep = communes["dep"].iloc[pole]
        centre = shape.representative_point()
        rows.append({"level": "epci", "code": code, "name": f"{kind} de {pole_name}", "population": pop,
                     "vintage": "Illustratif", "departement_code": dep, "region_code": dep_region[dep],
                     "lon": centre.x, "lat": centre.y})
        geometry_rows["epci"].append((code, _simplify(shape, 0.004)))
        rows.append({"level": "contrat_de_ville", "code": cv_code[code], "name": f"Contrat de ville — {kind} de "
                     f"{pole_name}", "vintage": "Contrats de ville 2024-2030 (illustratif)", "epci_code": code,
                     "departement_code": dep, "region_code": dep_region[dep], "lon": centre.x, "lat": centre.y,
                     "population": int(quarters.loc[quarters["commune_index"].isin(members), "population"].sum())})

    for i in hosting:
        c = communes.iloc[i]
        cell = c["cell"]
        epci = member_of.iloc[i]
        rows.append({"level": "commune", "code": c["code"], "name": c["name"], "population": int(c["population"]),
                     "vintage": "COG 2018", "epci_code": epci, "departement_code": c["dep"],
                     "region_code": dep_region[c["dep"]], "lon": c["lon"], "lat": c["lat"],
                     "area_km2": round(float(c["area_km2"]), 2), "density_level": int(c["density"]),
                     "contrat_de_ville_code": cv_code.get(epci) if epci else None})
        geometry_rows["commune"].append((c["code"], _simplify(cell, 0.002)))

    for _, q in quarters.iterrows():
        c = communes.iloc[q["commune_index"]]
        epci = member_of.iloc[q["commune_index"]]
        centre = q["geometry"].representative_point()
        rows.append({"level": "qpv", "code": q["code"], "name": q["name"], "population": int(q["population"]),
                     "vintage": "QPV 2024", "commune_code": c["code"], "epci_code": epci,
                     "contrat_de_ville_code": cv_code.get(epci) if epci else None, "departement_code": c["dep"],
                     "region_code": dep_region[c["dep"]], "lon": round(centre.x, 5), "lat": round(centre.y, 5),
                     "area_km2": round(float(area_km2(q["geometry"], c["lat"])), 3),
                     "density_level": int(c["density"]), "commune_codes": c["code"]})
        geometry_rows["qpv"].append((q["code"], q["geometry"]))

    territories = pd.DataFrame(rows)
    territories["population_year"] = 2021
    for col in ("lon", "lat"):
        territories[col] = territories[col].astype(float).round(5)
    geometry = {
        level: gpd.GeoDataFrame({"code": [c for c, _ in items]}, geometry=[g for _, g in items], crs="EPSG:4326")
        for level, items in geometry_rows.items()
    }
    return territories, geometry


def _simplify(shape, tolerance: float):
    simplified = shapely.set_precision(shapely.simplify(shape, tolerance, preserve_topology=True), 1e-5)
    return shapely.make_valid(simplified) if not simplified.is_valid else simplified


# --------------------------------------------------------------- indicators


def _indicator_table() -> pd.DataFrame:
    rows = []
    for ind in catalogue.INDICATORS:
        rows.append({
            "id": ind.id, "label_fr": ind.label_fr, "label_en": ind.label_en, "theme": ind.theme,
            "ministry": ind.ministry, "unit": ind.unit, "polarity": ind.polarity, "kind": ind.kind,
            "source": ind.source, "licence": "Licence Ouverte 2.0 (données illustratives)",
            "vintage": f"{max(ind.start_year, YEARS[0])}–{YEARS[-1]} (illustratif)",
            "definition": ind.definition,
            "comparability": "Valeurs illustratives générées : ne pas utiliser pour décrire un territoire réel.",
            "decimals": ind.decimals,
        })
    return pd.DataFrame(rows)


def _observations(territories: pd.DataFrame, rng) -> pd.DataFrame:
    qpv = territories[territories["level"] == "qpv"].reset_index(drop=True)
    com = territories[territories["level"] == "commune"].reset_index(drop=True)
    dep = territories[territories["level"] == "departement"].reset_index(drop=True)
    epci = territories[territories["level"] == "epci"].reset_index(drop=True)
    reg = territories[territories["level"] == "region"].reset_index(drop=True)
    cv = territories[territories["level"] == "contrat_de_ville"].reset_index(drop=True)
    years = np.array(YEARS)
    frames = []
    dep_pos = {c: i for i, c in enumerate(dep["code"])}
    com_pos = {c: i for i, c in enumerate(com["code"])}
    qpv_dep = qpv["departement_code"].map(dep_pos).to_numpy()
    qpv_com = qpv["commune_code"].map(com_pos).to_numpy()
    com_dep = com["departement_code"].map(dep_pos).to_numpy()
    epci_dep = epci["departement_code"].map(dep_pos).to_numpy()
    qpv_pop = qpv["population"].to_numpy().astype(float)

    for ind in catalogue.INDICATORS:
        active = years >= ind.start_year
        t = years - YEARS[0]
        if ind.national_2015 == 0:
            mature = (ind.upper or 100) * 0.3 / ind.qpv_ratio
            national = mature * np.clip((years - ind.start_year + 1) / 3, 0, 1)
        else:
            national = ind.national_2015 * (1 + ind.trend) ** t
        upper = ind.upper if ind.upper is not None else np.inf
        national = np.minimum(national, upper)
        d_factor = rng.lognormal(0, ind.dispersion * 0.5, len(dep))
        c_factor = rng.lognormal(0, ind.dispersion * 0.6, len(com))
        q_factor = rng.lognormal(0, ind.dispersion * 0.7, len(qpv))
        yearly = lambda n: rng.lognormal(0, 0.025, (n, len(years)))  # noqa: E731
        gap = ind.qpv_ratio * (1 + ind.gap_trend) ** t

        dep_values = national * d_factor[:, None] * yearly(len(dep))
        com_values = national * ind.commune_ratio * (d_factor[com_dep] * c_factor)[:, None] * yearly(len(com))
        qpv_values = (national * gap * (d_factor[qpv_dep] ** 0.7 * c_factor[qpv_com] ** 0.5 * q_factor)[:, None]
                      * yearly(len(qpv)))
        epci_values = (national * (1 + (ind.commune_ratio - 1) * 0.6) * d_factor[epci_dep][:, None]
                       * yearly(len(epci)))
        beneficiaries = eligible = None
        if ind.eligible_share:
            # People reached are counted in the quarters and summed upwards, so every level adds up.
            qpv_values = np.minimum(qpv_values, upper)
            growth = 1 + 0.004 * t
            eligible = {"qpv": np.round(qpv_pop[:, None] * ind.eligible_share * growth).astype(np.int64)}
            benef_q = np.round(eligible["qpv"] * qpv_values / 100).astype(np.int64)
            beneficiaries = {"qpv": benef_q}
            for level, frame in (("commune", com), ("epci", epci), ("contrat_de_ville", cv),
                                 ("departement", dep), ("region", reg)):
                key = {"commune": "commune_code", "epci": "epci_code", "contrat_de_ville": "contrat_de_ville_code",
                       "departement": "departement_code", "region": "region_code"}[level]
                pos = {c: i for i, c in enumerate(frame["code"])}
                target = qpv[key].map(pos).to_numpy()
                valid = ~pd.isna(target)
                b = np.zeros((len(frame), len(years)), dtype=np.int64)
                e = np.zeros((len(frame), len(years)), dtype=np.int64)
                np.add.at(b, target[valid].astype(int), benef_q[valid])
                np.add.at(e, target[valid].astype(int), eligible["qpv"][valid])
                beneficiaries[level], eligible[level] = b, e
            beneficiaries["france"] = benef_q.sum(axis=0, keepdims=True)
            eligible["france"] = eligible["qpv"].sum(axis=0, keepdims=True)
            values = {lvl: np.where(eligible[lvl] > 0, 100 * beneficiaries[lvl] / np.maximum(eligible[lvl], 1),
                                    np.nan) for lvl in beneficiaries}
        else:
            values = {
                "qpv": qpv_values, "commune": com_values, "epci": epci_values, "departement": dep_values,
                "region": _weighted(dep_values, dep["region_code"], reg["code"], dep["population"]),
                "contrat_de_ville": _weighted(qpv_values, qpv["contrat_de_ville_code"], cv["code"], qpv["population"]),
                "france": national[None, :].astype(float),
            }
        codes = {"qpv": qpv["code"], "commune": com["code"], "epci": epci["code"], "departement": dep["code"],
                 "region": reg["code"], "contrat_de_ville": cv["code"], "france": pd.Series(["FR"])}
        for level, matrix in values.items():
            matrix = np.round(np.minimum(matrix, upper), ind.decimals).astype(float)
            n = matrix.shape[0]
            status = np.full(matrix.shape, "ok", dtype=object)
            if level == "qpv":
                if ind.secret_below:
                    status[qpv_pop < ind.secret_below, :] = "secret"
                status[(rng.random(matrix.shape) < 0.012) & (status == "ok")] = "missing"
            status[np.isnan(matrix) & (status == "ok")] = "missing"
            if ind.kind == "context":
                status[:, -1] = np.where(status[:, -1] == "ok", "estimate", status[:, -1])
            matrix = np.where(np.isin(status, ("secret", "missing")), np.nan, matrix)
            frame = pd.DataFrame({
                "level": level,
                "code": np.repeat(codes[level].to_numpy(), len(years)),
                "indicator": ind.id,
                "period": np.tile(years.astype(str), n),
                "value": matrix.ravel(),
                "status": status.ravel(),
            })
            if beneficiaries is not None:
                frame["beneficiaries"] = pd.array(beneficiaries[level].ravel(), dtype="Int64")
                frame["eligible"] = pd.array(eligible[level].ravel(), dtype="Int64")
                hidden = frame["status"].isin(("secret", "missing")).to_numpy()
                frame.loc[hidden, ["beneficiaries", "eligible"]] = pd.NA
            frame = frame[np.tile(active, n)]
            frames.append(frame)
        if ind.id in catalogue.MONTHLY_INDICATORS:
            frames.append(_monthly(ind, values["france"], values["departement"], dep["code"], years, rng))
    observations = pd.concat(frames, ignore_index=True)
    for col in ("beneficiaries", "eligible"):
        observations[col] = pd.array(observations[col], dtype="Int64")
    return observations


def _weighted(values: np.ndarray, group: pd.Series, codes: pd.Series, weights: pd.Series) -> np.ndarray:
    pos = {c: i for i, c in enumerate(codes)}
    target = group.map(pos).to_numpy()
    valid = ~pd.isna(target)
    target = target[valid].astype(int)
    w = weights.to_numpy().astype(float)[valid]
    total = np.zeros((len(codes), values.shape[1]))
    weight = np.zeros((len(codes), 1))
    np.add.at(total, target, values[valid] * w[:, None])
    np.add.at(weight, target, w[:, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / weight


def _monthly(ind, france: np.ndarray, deps: np.ndarray, dep_codes: pd.Series, years: np.ndarray, rng):
    """Monthly series 2022–2024 for France and the départements, as the government barometer publishes."""
    months = pd.period_range("2022-01", "2024-12", freq="M")
    months = months[months.year >= ind.start_year]
    position = (months.year - years[0]) + (months.month - 6.5) / 12
    rows = []
    for level, codes, matrix in (("france", ["FR"], france), ("departement", list(dep_codes), deps)):
        for code, series in zip(codes, matrix, strict=True):
            valid = ~np.isnan(series)
            interp = np.interp(position, np.flatnonzero(valid), series[valid])
            noisy = interp * rng.lognormal(0, 0.015, len(months))
            rows.append(pd.DataFrame({"level": level, "code": code, "indicator": ind.id,
                                      "period": months.strftime("%Y-%m"),
                                      "value": np.round(noisy, ind.decimals), "status": "ok"}))
    return pd.concat(rows, ignore_index=True)


# -------------------------------------------------------------- commitments


def _commitments(observations: pd.DataFrame, territories: pd.DataFrame, rng) -> pd.DataFrame:
    annual = observations[observations["period"] == "2021"].set_index(["level", "code", "indicator"])["value"]
    uppers = {i.id: (i.upper if i.upper is not None else np.inf) for i in catalogue.INDICATORS}
    scopes = [("france", "FR")] + [("departement", c) for c in
                                   territories.loc[territories["level"] == "departement", "code"]]
    rows = []
    for cid, ministry, measure, indicator, multiplier in catalogue.COMMITMENTS:
        for level, code in scopes:
            baseline = annual.get((level, code, indicator))
            if baseline is None or pd.isna(baseline):
                continue
            local = level != "france"
            has_target = not local or rng.random() > 0.1
            target = min(baseline * multiplier * (rng.lognormal(0, 0.03) if local else 1), uppers[indicator])
            rows.append({
                "id": cid if not local else f"{cid}-{code}", "ministry": ministry, "measure": measure,
                "indicator": indicator, "scope_level": level, "scope_code": code,
                "baseline_date": "2021-12-31", "baseline_value": float(baseline),
                "target_date": "2024-12-31" if has_target else None,
                "target_value": round(float(target), 2) if has_target else None,
            })
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ credits


def _credits(territories: pd.DataFrame, quarters: pd.DataFrame, rng) -> pd.DataFrame:
    qpv = territories[territories["level"] == "qpv"].reset_index(drop=True)
    names = territories.set_index(["level", "code"])["name"]
    places = [
        {"commune_name": names[("commune", c)], "departement_name": names[("departement", d)],
         "region_name": names[("region", r)]}
        for c, d, r in zip(qpv["commune_code"], qpv["departement_code"], qpv["region_code"], strict=True)
    ]
    by_level = {lvl: territories[territories["level"] == lvl].reset_index(drop=True)
                for lvl in ("commune", "contrat_de_ville", "departement", "epci", "region")}
    # Uneven spending intensity per contract, so that spending and results can diverge.
    intensity = dict(zip(by_level["contrat_de_ville"]["code"],
                         rng.lognormal(0, 0.45, len(by_level["contrat_de_ville"])), strict=True))
    qpv_weight = qpv["population"].to_numpy() * qpv["contrat_de_ville_code"].map(intensity).fillna(1).to_numpy()
    qpv_weight = qpv_weight / qpv_weight.sum()
    themes = ("education", "emploi", "culture", "sante", "securite", "logement", "services", "revenus")
    theme_p = np.array([0.26, 0.22, 0.16, 0.08, 0.08, 0.08, 0.07, 0.05])
    rows: list[dict] = []

    sites = [
        [(round(float(lon + dx), 5), round(float(lat + dy), 5))
         for dx, dy in zip(rng.normal(0, 0.0015, 4), rng.normal(0, 0.001, 4), strict=True)]
        for lon, lat in zip(qpv["lon"], qpv["lat"], strict=True)
    ]

    def place(level_choice: str, q: int):
        """Territory for a line reaching quarter index q, at the requested level."""
        quarter = qpv.iloc[q]
        if level_choice == "qpv":
            return "qpv", quarter["code"]
        if level_choice == "commune":
            return "commune", quarter["commune_code"]
        if level_choice == "contrat_de_ville" and pd.notna(quarter["contrat_de_ville_code"]):
            return "contrat_de_ville", quarter["contrat_de_ville_code"]
        if level_choice == "epci" and pd.notna(quarter["epci_code"]):
            return "epci", quarter["epci_code"]
        if level_choice == "region":
            return "region", quarter["region_code"]
        return "departement", quarter["departement_code"]

    def add_lines(year, programme, ministry, measure, theme_fixed, n, median, total, levels, level_p, cost):
        picks = rng.choice(len(qpv), size=n, p=qpv_weight)
        amounts = rng.lognormal(np.log(median), 0.8, n)
        if total is not None:
            amounts *= total / amounts.sum()
        amounts = np.round(amounts, 2)
        chosen_levels = rng.choice(levels, size=n, p=level_p)
        chosen_themes = [theme_fixed] * n if theme_fixed else list(rng.choice(themes, size=n, p=theme_p))
        for k in range(n):
            q = int(picks[k])
            level, code = place(chosen_levels[k], q)
            lon = lat = None
            if level == "qpv" and rng.random() < 0.75:
                # Funded actions happen at a few places of the quarter (social centre, school, hall…).
                lon, lat = sites[q][int(rng.integers(len(sites[q])))]
            benef = None
            if cost and rng.random() < 0.85:
                benef = max(1, round(amounts[k] / (cost * rng.lognormal(0, 0.5))))
            rows.append({
                "year": year, "programme": programme, "ministry": ministry, "theme": chosen_themes[k],
                "carrier": carrier_name(places[q], chosen_themes[k], programme, rng),
                "amount_eur": float(amounts[k]), "beneficiaries": benef, "level": level, "code": code,
                "lon": lon, "lat": lat, "label": measure,
            })

    for year in YEARS:
        total147 = P147_TOTALS_MEUR[year] * 1e6
        measures = [m for m in P147_MEASURES if m[3] <= year]
        share_sum = sum(m[2] for m in measures)
        for label, theme, share, _first in measures:
            amount = total147 * share / share_sum
            n = max(20, int(amount / 190_000))
            add_lines(year, "P147", "transition_ecologique", label, theme, n, 60_000, amount,
                      ["contrat_de_ville", "qpv", "commune"], [0.45, 0.4, 0.15], 900)
        for programme, label, ministry, theme, n, median in OTHER_PROGRAMMES:
            levels = (["commune", "epci", "qpv"] if ministry == "collectivites"
                      else ["qpv", "commune", "departement"])
            add_lines(year, programme, ministry, label, theme, n, median, None, levels, [0.4, 0.3, 0.3], 1500)
    credits = pd.DataFrame(rows)
    credits.insert(0, "id", [f"{y}-{i:06d}" for i, y in enumerate(credits["year"])])
    credits["beneficiaries"] = pd.array(credits["beneficiaries"], dtype="Int64")
    return credits


# ----------------------------------------------------------------- manifest

# Which indicators the pages feature (atlas.presentation): the demo declares every role.
DEMO_PRESENTATION = {
    "map": {"indicator": "taux_pauvrete", "level": "qpv"},
    "overview": ["taux_pauvrete", "revenu_median", "taux_chomage", "reussite_brevet", "esperance_vie"],
    "sections": [
        {"id": "population", "title": "Population",
         "indicators": ["part_moins_25", "familles_monoparentales", "indice_jeunesse"]},
        {"id": "revenus", "title": "Pauvreté et revenus",
         "indicators": ["taux_pauvrete", "revenu_median", "part_dependance_prestations"]},
        {"id": "emploi", "title": "Emploi", "indicators": ["taux_emploi", "taux_chomage", "neet"]},
        {"id": "education", "title": "Éducation",
         "indicators": ["reussite_brevet", "sans_diplome", "retard_entree_6e"]},
        {"id": "sante", "title": "Santé",
         "indicators": ["esperance_vie", "medecins_generalistes", "couverture_vaccinale_ror"]},
        {"id": "securite", "title": "Sécurité",
         "indicators": ["atteintes_personnes", "cambriolages", "sentiment_insecurite"]},
        {"id": "logement", "title": "Logement",
         "indicators": ["logements_sociaux", "suroccupation", "passoires_thermiques"]},
        {"id": "services", "title": "Services publics",
         "indicators": ["acces_france_services", "raccordement_fibre", "commerces_proximite"]},
    ],
    "trends": ["taux_pauvrete", "taux_chomage", "reussite_brevet", "esperance_vie"],
    "evolution": "taux_pauvrete",
    "peers": {"housing": "logements_sociaux"},
    "wellbeing": {"health": "esperance_vie", "education_success": "reussite_brevet",
                  "education_deprivation": "sans_diplome", "income": "revenu_median"},
}


def _manifest(seed: int) -> dict:
    return {
        "title": "Atlas QPV — jeu de données national illustratif",
        "description": (
            "Données illustratives générées de façon déterministe : les communes, départements et régions sont "
            "réels (codes, noms et centroïdes), mais les quartiers, leurs contours, les indicateurs, les crédits "
            "et les engagements sont inventés, avec des ordres de grandeur plausibles."
        ),
        "generated_at": GENERATED_AT,
        "generator": {"command": "python -m atlas build-demo", "seed": seed},
        "illustrative": True,
        "geography": {
            "qpv": "QPV 2024 (périmètres illustratifs)",
            "commune": "COG 2018",
            "epci": "Intercommunalités illustratives",
            "departement": "COG 2018",
            "region": "COG 2018",
        },
        "period": {"first_year": YEARS[0], "last_year": YEARS[-1]},
        "presentation": DEMO_PRESENTATION,
        "sources": [
            {"id": "atlas-demo",
             "title": "Valeurs illustratives générées par le générateur de démonstration de l'Atlas QPV",
             "publisher": "Atlas QPV", "licence": "Licence Ouverte 2.0", "vintage": "2026"},
            {"id": "ign-admin-express", "title": "Codes, noms et centroïdes des communes (ADMIN EXPRESS COG 2018)",
             "publisher": "IGN / INSEE", "licence": "Licence Ouverte 2.0", "vintage": "2018",
             "url": "https://geoservices.ign.fr/adminexpress"},
            {"id": "insee-grille-densite", "title": "Grille communale de densité à 7 niveaux",
             "publisher": "INSEE", "licence": "Licence Ouverte 2.0", "vintage": "2024",
             "url": "https://www.insee.fr/fr/information/6439600"},
        ],
    }
