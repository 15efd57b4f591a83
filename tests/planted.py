"""A small package whose every name carries hostile text, and a commitment without a target.

Used by the hardening tests of /barometre and /credits: names must come out as text (never HTML), and
a commitment without a target date must render like any other."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from tests.tiny import tiny_package, write_tiny

PAYLOAD = "<img src=x onerror=window.__xss=1>"


def planted_package(dest) -> None:
    package = tiny_package()
    territories = package.territories.copy()
    territories["name"] = territories["name"] + " " + PAYLOAD
    territories.loc[territories["level"] == "departement", ["lon", "lat"]] = [2.45, 48.91]
    indicators = package.indicators.assign(ministry="travail", kind="result")
    observations = pd.DataFrame([
        {"level": level, "code": code, "indicator": "taux_pauvrete", "period": str(year), "value": value,
         "status": "ok"}
        for level, code in (("france", "FR"), ("departement", "93"), ("qpv", "QP093001"))
        for year, value in ((2019, 20.0), (2021, 19.0), (2023, 18.5))
    ])
    commitments = pd.DataFrame([
        {"id": "c1", "ministry": "travail", "measure": f"Réduire la pauvreté {PAYLOAD}", "indicator": "taux_pauvrete",
         "scope_level": "france", "scope_code": "FR", "baseline_date": "2019-12-31", "baseline_value": 20.0,
         "target_date": "2024-12-31", "target_value": 17.0},
        # No target: the barometer must still render this département's pages.
        {"id": "c2", "ministry": "travail", "measure": f"Réduire la pauvreté {PAYLOAD}", "indicator": "taux_pauvrete",
         "scope_level": "departement", "scope_code": "93", "baseline_date": "2019-12-31", "baseline_value": 20.0,
         "target_date": None, "target_value": None},
    ])
    base = package.credits.iloc[0].to_dict()
    credits = pd.DataFrame([
        {**base, "id": "1", "carrier": f"Association {PAYLOAD}", "label": f"Mesure {PAYLOAD}"},
        {**base, "id": "2", "carrier": f"=HYPERLINK(\"http://x\") {PAYLOAD}", "level": "departement", "code": "93",
         "lon": None, "lat": None, "year": 2022, "amount_eur": 1000.0, "label": "@SUM(A1)"},
    ])
    geometry = {"qpv": package.geometry["qpv"],
                "departement": gpd.GeoDataFrame({"code": ["93"]}, geometry=[box(2.2, 48.8, 2.6, 49.0)],
                                                crs="EPSG:4326")}
    write_tiny(dest, territories=territories, indicators=indicators, observations=observations,
               commitments=commitments, credits=credits, geometry=geometry)


# ---------------------------------------------------------------------------------- every string planted

# Each payload sets ``window.__xss`` (and opens a dialog) if it ever runs; ``{{7*7}}`` would read « 49 » if a
# template engine evaluated it; the markdown link would become a ``javascript:`` link if data reached markdown.
XSS_PAYLOADS = (
    "<img src=x onerror=window.__xss=1;alert(1)>",
    "</script><script>window.__xss=2;alert(2)</script>",
    "\"><svg onload=window.__xss=4;alert(4)>",
    "'><iframe src=javascript:window.parent.__xss=6>",
    "{{7*7}}",
    "[lien](javascript:window.__xss=5)",
    "<a href=\"javascript:window.__xss=10\">clic</a>",  # a link tag Plotly would draw from chart text
)
PLANTED = " " + " ".join(XSS_PAYLOADS)
SCRIPT_URL = "javascript:window.__xss=3;alert(3)"
# Addresses a package may hold for its sources: only the https one may become a link.
HOSTILE_URLS = (SCRIPT_URL, " JaVaScRiPt:window.__xss=7", "java\tscript:window.__xss=8",
                "data:text/html,<script>alert(9)</script>", "vbscript:msgbox(10)", "//evil.example/x")
SAFE_URL = "https://www.insee.fr/fr/information/6439600"
PLANTED_REGION = "94"  # Corse in the demo: 2 départements, 8 quarters (a quick package)

# Text columns that cannot hold a payload, and why: they are validated as codes, ids with a pattern,
# periods, dates or one of a fixed list (the app shows its own French label for those, never the value);
# links to parents (``*_code``, also for a package's declared levels) are codes too.
NOT_PLANTABLE = {
    "territories": {"level", "code", "commune_code", "epci_code", "contrat_de_ville_code", "departement_code",
                    "region_code", "commune_codes"},
    # aggregation is one of a list; numerator/denominator name indicators; classes is JSON the loader parses.
    "indicators": {"id", "theme", "ministry", "polarity", "kind", "aggregation", "numerator", "denominator",
                   "classes"},
    "observations": {"level", "code", "indicator", "period", "status"},
    "commitments": {"ministry", "indicator", "scope_level", "scope_code", "baseline_date", "target_date"},
    "credits": {"ministry", "theme", "level", "code"},
}


def plant(value, row: int = 0):
    """``value`` followed by every payload; every other row also starts with a ``javascript:`` address."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    text = f"{value}{PLANTED}"
    return f"{SCRIPT_URL} {text}" if row % 2 else text


def plant_frame(frame: pd.DataFrame, skip: set[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if column in skip or column.endswith("_code") or \
                not (out[column].dtype == object or pd.api.types.is_string_dtype(out[column])):
            continue
        out[column] = [plant(v, i) for i, v in enumerate(out[column])]
    return out


def plant_manifest(manifest: dict) -> dict:
    out = {k: v for k, v in manifest.items() if k != "files"}
    for key in ("title", "description"):
        out[key] = plant(out.get(key) or key)
    out["geography"] = {level: plant(vintage) for level, vintage in (out.get("geography") or {}).items()}
    sources = [{**s, **{k: plant(s[k]) for k in ("title", "publisher", "licence", "vintage") if s.get(k)}}
               for s in out.get("sources") or []]
    base = sources[0] if sources else {"id": "s", "title": plant("Source"), "publisher": plant("x"), "licence": "LO"}
    sources += [{**base, "id": f"hostile-{i}", "url": url} for i, url in enumerate(HOSTILE_URLS)]
    sources.append({**base, "id": "safe", "url": SAFE_URL})
    out["sources"] = sources
    presentation = dict(out.get("presentation") or {})
    presentation["sections"] = [{**s, "title": plant(s["title"])} for s in presentation.get("sections", [])]
    out["presentation"] = presentation
    return out


def planted_demo_package(demo_dir, dest) -> None:
    """One région of the illustrative demo with every free-text cell of every table and the manifest planted.

    Codes stay valid (pages are addressed by them); the programme of one credit line in two is planted (it is
    free text shown in dropdowns), ids too. Which columns cannot hold a payload: ``NOT_PLANTABLE``."""
    from atlas.package import DataPackage, load_package, write_package

    demo = load_package(demo_dir)
    terr = demo.territories
    kept = terr[(terr["level"] == "france") | (terr["code"].eq(PLANTED_REGION) & terr["level"].eq("region"))
                | terr["region_code"].eq(PLANTED_REGION)]
    keys = set(zip(kept["level"], kept["code"], strict=True))

    def inside(frame, level="level", code="code"):
        return frame[[k in keys for k in zip(frame[level], frame[code], strict=True)]]

    credits = plant_frame(inside(demo.credits), NOT_PLANTABLE["credits"] | {"programme"})
    credits["programme"] = [plant(p) if i % 2 else p for i, p in enumerate(credits["programme"])]
    package = DataPackage(
        manifest=plant_manifest(demo.manifest),
        territories=plant_frame(kept, NOT_PLANTABLE["territories"]),
        indicators=plant_frame(demo.indicators, NOT_PLANTABLE["indicators"]),
        observations=inside(demo.observations),
        commitments=plant_frame(inside(demo.commitments, "scope_level", "scope_code"), NOT_PLANTABLE["commitments"]),
        credits=credits,
        geometry={level: frame[frame["code"].isin(kept.loc[kept["level"] == level, "code"])]
                  for level, frame in demo.geometry.items()},
    )
    write_package(package, dest)
    load_package(dest)  # still a valid package
