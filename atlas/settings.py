"""Every setting of the atlas, declared once as data (name, default, help) and read from the environment.

The README's settings table is generated from ``SETTINGS`` (``python -m atlas settings``); a test fails when
the two drift. The app reads the environment once, at start-up (``load()``), and passes values down.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from atlas.feedback import parse_feedback_url

ROOT = Path(__file__).resolve().parent.parent


def _flag(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "oui", "on"}


@dataclass(frozen=True)
class Setting:
    name: str
    default: str  # as written in the environment; "" means unset
    help: str
    parse: Callable[[str], object] = str


SETTINGS: tuple[Setting, ...] = (
    Setting("ATLAS_DATA_DIR", "data/", "Folder of the data package served.", lambda v: Path(v) if v else None),
    Setting("ATLAS_DEBUG", "0", "`1` turns on Dash's developer tools (never in production).", _flag),
    Setting("ATLAS_HOST", "127.0.0.1", "Address `python app.py` listens on."),
    Setting("ATLAS_PORT", "8050", "Port `python app.py` listens on.", int),
    Setting("ATLAS_REDIS_URL", "", "Redis shared by the workers (e.g. `redis://127.0.0.1:6379/0`); an in-process "
            "cache otherwise. Give Redis a `maxmemory` and an eviction policy (see below).", lambda v: v or None),
    Setting("ATLAS_CACHE_TIMEOUT", "3600", "Seconds a derived value stays in the cache.", int),
    Setting("ATLAS_CACHE_VARIANTS", "2000", "Most variants (distinct arguments) one cached function may store "
            "per package and timeout; beyond it values are computed without being stored.", int),
    Setting("ATLAS_MAX_REQUEST_BYTES", "2000000", "Largest request body accepted (HTTP 413 beyond); the largest "
            "legitimate one is a map callback carrying every commune's value (≈ 0.6 MB nationally).", int),
    Setting("ATLAS_LOG_LINE_CHARS", "2000", "Longest log line written; longer ones are truncated.", int),
    Setting("ATLAS_EXPORT_DIR", "", "Where big CSV exports are built once and shared by the workers (a "
            "temporary folder by default).", lambda v: Path(v) if v else None),
    Setting("ATLAS_BASEMAP", "osm", "Map background: `osm` (OpenStreetMap tiles) or `aucun` (no tiles, no "
            "third-party request)."),
    Setting("ATLAS_FRAME_ANCESTORS", "*", "Origins allowed to frame the embed routes (`/embed/…`), space "
            "separated (`*`: any site; empty: none); every other page refuses framing.", lambda v: v.split()),
    Setting("ATLAS_FEEDBACK_URL", "", "Where « Signaler une erreur » leads: a `mailto:` address or an `https://` "
            "form; the page address, territory, indicator and year are added to it (mail subject and body, or "
            "query parameters). Empty: the links are hidden.", parse_feedback_url),
    Setting("ATLAS_SOURCES_DIR", "", "Folder of downloaded official files used by `python -m atlas build` "
            "(`--data-root` wins).", lambda v: Path(v) if v else None),
    Setting("ATLAS_CACHE_DIR", "", "Download cache of `python -m atlas fetch` (`~/.cache/atlas-qpv` when empty).",
            lambda v: Path(v) if v else None),
    Setting("ATLAS_REAL_DATA", "", "Real open data used by the integration tests and benchmarks (never by the "
            "app); relative to the repository. Empty: the tests look beside the repository.",
            lambda v: (ROOT / v).resolve() if v else None),
)
BY_NAME = {s.name: s for s in SETTINGS}


class Settings(Mapping):
    """Parsed values, by setting name (``settings["ATLAS_PORT"] -> 8050``)."""

    def __init__(self, values: dict[str, object]):
        self._values = values

    def __getitem__(self, name: str):
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from ``environ`` (the process environment by default); bad values name the setting."""
    environ = os.environ if environ is None else environ
    values = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name, setting.default)
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise ValueError(f"{setting.name}={raw!r} is not valid ({exc})") from exc
    if environ.get("ATLAS_DATA_DIR") is None:
        values["ATLAS_DATA_DIR"] = ROOT / "data"
    return Settings(values)


def value(name: str):
    """One setting, read now (for modules that run outside the app, e.g. the command line)."""
    setting = BY_NAME[name]
    return setting.parse(os.environ.get(name, setting.default))


def markdown_table() -> str:
    """The README's settings table."""
    lines = ["| variable | default | what |", "| --- | --- | --- |"]
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default else "—"
        lines.append(f"| `{setting.name}` | {default} | {setting.help} |")
    return "\n".join(lines)
