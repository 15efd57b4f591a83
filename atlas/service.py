"""Read-side of the atlas: fast lookups over a loaded package.

The app asks questions (an indicator's values at a level, a territory's
series, a search) through this class, which builds indexes once, so that
callbacks stay thin and never scan the full observation table.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from atlas import levels as territory_levels
from atlas import schema
from atlas import themes as theme_vocabulary
from atlas.package import DataPackage
from atlas.presentation import Presentation, build_presentation

# A search is a few words typed by a person: longer queries are cut, so that no request scans the index
# more than MAX_SEARCH_WORDS times (a 1 MB query used to hold a worker for 24 s).
MAX_SEARCH_CHARS = 100
MAX_SEARCH_WORDS = 6
DEFAULT_DERIVED_VARIANTS = 64


def fold(text: str) -> str:
    """Lower-case, accent-free form used for searching (``'Évry' -> 'evry'``)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("-", " ").replace("'", " ")


@dataclass(frozen=True)
class SearchHit:
    level: str
    code: str
    name: str
    context: str  # e.g. the commune and département of a quarter

    @property
    def label(self) -> str:
        return f"{self.name} — {self.context}" if self.context else self.name


def texts(*values) -> bool:
    """Whether every value is a string: lookups answer "unknown" to anything else (lists, dicts, numbers…)."""
    return all(isinstance(v, str) for v in values)


def package_fingerprint(manifest: dict) -> str:
    """Identity of a package's content, from the checksums its manifest lists (same files, same print)."""
    files = manifest.get("files") or {}
    listed = {name: (entry.get("sha256") if isinstance(entry, dict) else entry) for name, entry in files.items()}
    if not any(listed.values()):  # a package without checksums: fall back to the whole manifest
        listed = {"manifest": manifest}
    return hashlib.sha256(json.dumps(listed, sort_keys=True, default=str).encode()).hexdigest()[:16]


class DerivedValues:
    """Values derived from one package, kept as long as the service that owns them, bounded per name.

    This replaces ``functools.lru_cache`` on methods and dicts keyed by ``id(package)``: the values die with
    the service, and a name never holds more than its ``maxsize`` most recently used variants.
    """

    def __init__(self):
        self._values: dict[str, OrderedDict] = {}
        self._lock = threading.Lock()

    def get(self, name: str, args: tuple, build: Callable[[], object], maxsize: int):
        with self._lock:
            table = self._values.setdefault(name, OrderedDict())
            if args in table:
                table.move_to_end(args)
                return table[args]
        value = build()  # outside the lock: two threads may build the same value once each, never block
        with self._lock:
            table[args] = value
            while len(table) > maxsize:
                table.popitem(last=False)
        return value

    def sizes(self) -> dict[str, int]:
        with self._lock:
            return {name: len(table) for name, table in self._values.items()}


def memoised(maxsize: int = DEFAULT_DERIVED_VARIANTS):
    """Method decorator: memoise on the service's own ``DerivedValues`` (arguments must be hashable)."""

    def decorate(method):
        name = method.__qualname__

        @functools.wraps(method)
        def wrapper(self, *args):
            if not all(isinstance(a, str | int | float | bool | tuple | None) for a in args):
                return method(self, *args)  # a hostile value (list, dict): the method answers "unknown"
            return self.derived_values.get(name, args, lambda: method(self, *args), maxsize)

        return wrapper

    return decorate


def per_package(maxsize: int = DEFAULT_DERIVED_VARIANTS):
    """Decorator for a module function ``fn(service, *args)``: computed once per package and arguments, and kept
    by that service (:meth:`AtlasService.derived`) instead of a module-level cache keyed by the service."""

    def decorate(fn):
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(service, *args):
            return service.derived(name, fn, *args, maxsize=maxsize)

        return wrapper

    return decorate


class AtlasService:
    def __init__(self, package: DataPackage):
        self.package = package
        self.manifest = package.manifest
        self.fingerprint = package_fingerprint(package.manifest)
        # Levels the package declares (zones d'emploi…) sit among the built-in ones, named by their own labels.
        self.declared_levels = territory_levels.declared_levels(package.manifest)
        self.level_order = territory_levels.ordered_levels(self.declared_levels)
        territory_levels.register(package.manifest)
        self.theme_labels = theme_vocabulary.themes_of(package.manifest)  # built-in and declared themes
        theme_vocabulary.register(package.manifest)
        self.derived_values = DerivedValues()
        self.indicators = package.indicators.set_index("id", drop=False)
        terr = package.territories.copy()
        self.territories = terr.set_index(["level", "code"], drop=False).sort_index()
        obs = package.observations
        self._obs = obs
        self._obs_groups = obs.groupby(["indicator", "level"], observed=True).indices
        self._annual = obs["period"].astype(str).str.len().to_numpy() == 4
        self._search_index = self._build_search_index(terr)

    # -------------------------------------------------------------- metadata

    @property
    def illustrative(self) -> bool:
        return self.package.illustrative

    @functools.cached_property
    def years(self) -> list[int]:
        periods = self._obs["period"].astype(str)
        return sorted({int(p) for p in periods.cat.categories if len(p) == 4} if hasattr(periods, "cat")
                      else {int(p) for p in periods.unique() if len(p) == 4})

    @functools.cached_property
    def presentation(self) -> Presentation:
        """Which indicators the pages feature: declared by the package, else derived from its catalogue."""
        return build_presentation(self.manifest, self.package.indicators, self._obs, self.map_levels())

    def levels(self) -> list[str]:
        present = set(self.territories["level"])
        return [lvl for lvl in self.level_order if lvl in present]

    def map_levels(self) -> list[str]:
        drawable = set(schema.MAP_LEVELS) | (set(self.level_order) - set(schema.LEVELS))
        return [lvl for lvl in self.level_order if lvl in drawable and lvl in self.package.geometry]

    def indicator(self, indicator_id: str) -> dict:
        """The catalogue row of a known indicator (KeyError otherwise: check ``has_indicator`` first)."""
        if not self.has_indicator(indicator_id):
            raise KeyError(f"unknown indicator {str(indicator_id)[:80]!r}")
        return dict(self._indicator_rows()[indicator_id])  # a copy: callers may add to it

    def _indicator_rows(self) -> dict[str, dict]:
        """Every catalogue row as a dict, built once (a ``.loc`` per map request cost a millisecond)."""
        return self.derived("indicator-rows", lambda svc: {str(k): row for k, row in
                                                           zip(svc.indicators.index, svc.indicators.to_dict("records"),
                                                               strict=True)}, maxsize=1)

    def has_indicator(self, indicator_id: str) -> bool:
        return texts(indicator_id) and indicator_id in self.indicators.index

    def indicator_ids(self, theme: str | None = None, ministry: str | None = None) -> list[str]:
        if not all(v is None or isinstance(v, str) for v in (theme, ministry)):
            return []
        frame = self.indicators
        if theme:
            frame = frame[frame["theme"] == theme]
        if ministry:
            frame = frame[frame["ministry"] == ministry]
        return list(frame["id"])

    def derived(self, name: str, build: Callable[[AtlasService], object], *args: Hashable,
                maxsize: int = DEFAULT_DERIVED_VARIANTS):
        """A value derived from this package, built once by ``build(self, *args)`` and kept with the service.

        The one home for per-package state of other modules (e.g. prepared credit lines): use it instead of
        module-level caches keyed by the service or ``id(package)``.
        """
        return self.derived_values.get(name, args, lambda: build(self, *args), maxsize)

    def summary(self) -> dict:
        """Counts of the package (computed once)."""
        return self.derived("summary", lambda svc: summary(svc.package), maxsize=1)

    @memoised(maxsize=16)
    def indicators_at(self, level: str) -> tuple[str, ...]:
        """Indicators with yearly values at ``level``, in catalogue order (what a map can show)."""
        if not texts(level):
            return ()
        present = {ind for (ind, lvl), rows in self._obs_groups.items() if lvl == level and self._annual[rows].any()}
        return tuple(i for i in self.indicators["id"] if i in present)

    def territory(self, level: str, code: str) -> dict | None:
        if not texts(level, code):
            return None
        try:
            return self.territories.loc[(level, code)].to_dict()
        except KeyError:
            return None

    def territory_name(self, level: str, code: str | None) -> str | None:
        if not texts(level, code):
            return None
        return self.derived("territory-names", _territory_names, maxsize=1).get((level, code))

    def codes(self, level: str) -> list[str]:
        if not texts(level):
            return []
        try:
            return list(self.territories.loc[level, "code"])
        except KeyError:
            return []

    def is_known(self, level: str, code: str) -> bool:
        return texts(level, code) and (level, code) in self.territories.index

    @memoised(maxsize=16)
    def static_layer(self, level: str):
        """The level's geometry as compact, versioned, gzipped GeoJSON (see atlas.geo)."""
        from atlas.geo import encode_layer

        frame = self.package.geometry[level]
        names = dict(zip(self.territories.loc[level, "code"], self.territories.loc[level, "name"], strict=True))
        return encode_layer(level, frame, names)

    @memoised(maxsize=16)
    def static_geojson(self, level: str) -> dict:
        """The same compact geometry as a GeoJSON dict, for small maps that embed it in their page."""
        import gzip
        import json

        return json.loads(gzip.decompress(self.static_layer(level).gzipped))

    def bounds_of(self, level: str, code: str) -> list[list[float]] | None:
        from atlas.geo import territory_bounds

        if not texts(level, code):
            return None
        if level in self.package.geometry:
            return territory_bounds(self.package.geometry[level], code)
        row = self.territory(level, code)
        if row and row.get("lon") == row.get("lon") and row.get("lon") is not None:
            return [[row["lat"] - 0.05, row["lon"] - 0.05], [row["lat"] + 0.05, row["lon"] + 0.05]]
        return None

    # ------------------------------------------------------------ observations

    def observations_for(self, indicator: str, level: str) -> pd.DataFrame:
        rows = self._obs_groups.get((indicator, level)) if texts(indicator, level) else None
        if rows is None:
            return self._obs.iloc[0:0]
        return self._obs.iloc[rows]

    @memoised(maxsize=256)
    def annual_table(self, indicator: str, level: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Values and statuses of an indicator at a level: one row per code, one column per year."""
        rows = self._obs_groups.get((indicator, level)) if texts(indicator, level) else None
        if rows is None:
            empty = pd.DataFrame()
            return empty, empty
        rows = rows[self._annual[rows]]
        obs = self._obs.iloc[rows]
        codes = obs["code"].astype(str)
        years = obs["period"].astype(str).astype(int)
        values = pd.DataFrame({"code": codes, "year": years, "value": obs["value"].to_numpy()}).pivot(
            index="code", columns="year", values="value")
        status = pd.DataFrame({"code": codes, "year": years, "status": obs["status"].astype(str)}).pivot(
            index="code", columns="year", values="status")
        return values, status

    def series(self, level: str, code: str, indicator: str) -> pd.DataFrame:
        """All periods of one territory's indicator, in time order."""
        obs = self.observations_for(indicator, level) if texts(code) else self._obs.iloc[0:0]
        out = obs[obs["code"] == code][["period", "value", "status", "beneficiaries", "eligible"]].copy()
        out["period"] = out["period"].astype(str)
        out["status"] = out["status"].astype(str)
        return out.sort_values("period").reset_index(drop=True)

    def value(self, level: str, code: str, indicator: str, year: int) -> tuple[float | None, str]:
        values, status = self.annual_table(indicator, level)
        if not texts(code) or isinstance(year, bool) or not isinstance(year, int | np.integer) or values.empty \
                or code not in values.index or year not in values.columns:
            return None, "missing"
        value = values.at[code, year]
        return (None if pd.isna(value) else float(value)), str(status.at[code, year])

    # ------------------------------------------------------------------ search

    @staticmethod
    def _build_search_index(terr: pd.DataFrame) -> pd.DataFrame:
        names = terr.set_index(["level", "code"])["name"]

        def context(row) -> str:
            """Data only (names and codes): the words around them are added in the visitor's language."""
            if row["level"] == "qpv":
                commune = names.get(("commune", row["commune_code"]), "")
                return f"QPV {row['code']}, {commune} ({row['departement_code']})"
            if row["level"] == "commune":
                return f"{row['code']} ({row['departement_code']})"
            return str(row["code"])

        searched = {"qpv", "commune", "epci", "departement", "region"} | (set(terr["level"]) - set(schema.LEVELS))
        index = terr[terr["level"].isin(searched)].copy()
        index["context"] = index.apply(context, axis=1)
        commune_names = index["commune_code"].map(lambda c: names.get(("commune", c), "") if isinstance(c, str)
                                                  else "")
        index["haystack"] = (index["name"] + " " + index["code"] + " " + commune_names).map(fold)
        order = {"qpv": 0, "commune": 1, "epci": 2, "departement": 3, "region": 4}
        index["rank"] = index["level"].map(order).fillna(len(order))  # declared levels after the built-in ones
        return index[["level", "code", "name", "context", "haystack", "rank", "population"]].reset_index(drop=True)

    @functools.cached_property
    def _search_columns(self) -> tuple[pa.Array, pa.Array, np.ndarray]:
        """The index as Arrow arrays: one vectorised substring test per word, no Python loop over rows."""
        index = self._search_index
        return (pa.array(index["haystack"], type=pa.string()), pa.array(index["code"].str.lower(), type=pa.string()),
                index["level"].to_numpy())

    @staticmethod
    def search_words(query: str) -> list[str]:
        """The words searched for: the query folded, cut to MAX_SEARCH_CHARS, at most MAX_SEARCH_WORDS words."""
        words = fold(str(query or "")[:MAX_SEARCH_CHARS]).split()
        unique = list(dict.fromkeys(words))
        return unique[:MAX_SEARCH_WORDS]

    def search(self, query: str, limit: int = 10, levels: tuple[str, ...] | None = None) -> list[SearchHit]:
        words = self.search_words(query)
        if not words:
            return []
        haystack, codes, level_of = self._search_columns
        mask = np.isin(level_of, list(levels)) if levels else np.ones(len(level_of), dtype=bool)
        for word in words:
            mask &= pc.match_substring(haystack, word).to_numpy(zero_copy_only=False)
            if not mask.any():
                return []
        rows = np.flatnonzero(mask)
        hits = self._search_index.iloc[rows].copy()
        # Exact code or name-prefix matches first, then by level and size.
        first = words[0]
        prefix = pc.or_(pc.starts_with(haystack.take(pa.array(rows)), first),
                        pc.equal(codes.take(pa.array(rows)), first))
        hits["prefix"] = ~prefix.to_numpy(zero_copy_only=False)
        hits = hits.sort_values(["prefix", "rank", "population"], ascending=[True, True, False]).head(limit)
        return [SearchHit(r.level, r.code, r.name,
                          r.context if r.level == "qpv" else f"{territory_levels.name(r.level)} {r.context}")
                for r in hits.itertuples()]


def summary(package: DataPackage) -> dict:
    """Counts of a package (the about page and ``python -m atlas summary``)."""
    terr = package.territories
    periods = package.observations["period"].astype(str).unique()
    years = sorted({int(p[:4]) for p in periods})
    return {
        "title": package.manifest.get("title"),
        "territories": {level: int(n) for level, n in terr["level"].value_counts().sort_index().items()},
        "indicators": len(package.indicators),
        "themes": int(package.indicators["theme"].nunique()),
        "ministries": int(package.indicators["ministry"].dropna().nunique()),
        "years": years,
        "observations": len(package.observations),
        "credit_lines": len(package.credits),
        "commitments": len(package.commitments),
        "illustrative": package.illustrative,
    }


def _territory_names(svc: AtlasService) -> dict[tuple[str, str], str]:
    """``(level, code) -> name``: pages name hundreds of territories, a row lookup each costs ~1 ms."""
    frame = svc.package.territories
    return dict(zip(zip(frame["level"].astype(str), frame["code"].astype(str), strict=True),
                    frame["name"].astype(str), strict=True))
