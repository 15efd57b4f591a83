"""Reading and checking a sources configuration (TOML).

The configuration is declarative: it names input files and maps their columns
onto the package tables. Everything is checked before any data is read, so a
typo in a key fails fast with the place it occurs instead of being ignored.
"""

from __future__ import annotations

import glob
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from atlas import levels as territory_levels
from atlas import schema, settings, themes
from atlas.package import Problem

DATA_ROOT_ENV = "ATLAS_SOURCES_DIR"

# Options that say how to read one input file (see atlas.ingest.readers).
READ_KEYS = {"file", "format", "separator", "encoding", "decimal", "thousands", "sheet", "skip_rows", "layer",
             "crs", "records", "flatten", "member", "na_values", "query", "join", "rows", "derive", "explode",
             "pivot"}
JOIN_KEYS = READ_KEYS - {"join", "rows", "derive", "explode", "pivot"} | {"on", "right_on", "columns", "zero_pad"}
STEP_KEYS = {
    "territories": READ_KEYS | {"name", "level", "vintage", "fields", "mode", "duplicates", "patches", "blank",
                                "geometry", "simplify", "keep", "lookup", "combine", "inside_parent",
                                "drop_exact"},
    "indicators": READ_KEYS | {"name", "fields", "defaults", "catalogue"},
    "observations": READ_KEYS | {"name", "level", "fields", "wide", "missing_status", "duplicates", "drop_exact"},
    "commitments": READ_KEYS | {"name", "fields", "duplicates", "drop_exact"},
    "credits": READ_KEYS | {"name", "fields", "fallback", "duplicates", "drop_exact"},
}
TARGET_TABLES = {
    "territories": schema.TERRITORIES,
    "indicators": schema.INDICATORS,
    "observations": schema.OBSERVATIONS,
    "commitments": schema.COMMITMENTS,
    "credits": schema.CREDITS,
}
# Pipeline-only indicator keys: how to read the values, not written to the package.
INDICATOR_EXTRA_KEYS = {"frequency", "range"}
TOP_KEYS = {"title", "description", "illustrative", "data_root", "geography", "sources", "simplify", "manifest",
            "downloads", "include", "levels", "themes"} | set(STEP_KEYS)
LIST_KEYS = ("sources", "downloads", "levels", "themes", *STEP_KEYS)  # arrays of tables that an included file adds to
TABLE_KEYS = ("geography", "manifest", "simplify")
SOURCE_KEYS = {"id", "title", "publisher", "licence", "url", "vintage", "note"}
DOWNLOAD_KEYS = {"id", "url", "file", "sha256", "source", "note"}
FIELD_KEYS = {"column", "value", "template", "expression", "zero_pad", "strip", "upper", "lower", "replace", "map",
              "extract", "default", "frequency", "same_as"}
PIVOT_KEYS = {"key", "column", "value", "columns"}
LOOKUP_KEYS = {"column", "split", "level", "parent", "within", "into", "aliases", "replace", "by"}
DUPLICATE_POLICIES = ("reject", "collapse", "suffix")
FREQUENCIES = ("monthly", "quarterly", "annual", "indicator")
DEFAULT_SIMPLIFY = {"tolerance": 0.0005, "grid": 1e-5}


class IngestError(Exception):
    """Input the pipeline cannot build from; names file, row and column of each problem."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = problems if isinstance(problems, list) else [problems]
        shown = "\n".join(f"  - {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        super().__init__(f"cannot build ({len(self.problems)} problem(s)):\n{shown}"
                         + (f"\n  … and {more} more" if more > 0 else ""))


@dataclass
class Config:
    path: Path
    data: dict
    data_root: Path

    @property
    def name(self) -> str:
        return self.path.name

    def steps(self, section: str) -> list[dict]:
        return self.data.get(section, [])

    @property
    def declared_levels(self) -> tuple[territory_levels.DeclaredLevel, ...]:
        """The ``[[levels]]`` the configuration adds to the built-in ones (zones d'emploi…)."""
        return territory_levels.declared_levels({territory_levels.MANIFEST_KEY: self.data.get("levels", [])})

    def table(self, section: str) -> schema.Table:
        """The package table a section's steps fill, its level columns accepting the declared levels."""
        return schema.with_declared(TARGET_TABLES[section], territory_levels.ordered_levels(self.declared_levels),
                                  tuple(self.themes))

    @property
    def themes(self) -> dict[str, str]:
        """Every theme indicators and credits may use: the built-in ones and the ``[[themes]]`` declared."""
        return themes.themes_of({themes.MANIFEST_KEY: self.data.get("themes", [])})

    def resolve(self, pattern: str) -> list[Path]:
        """Files matching ``pattern`` (a path or glob relative to the data root), sorted."""
        target = Path(os.path.expanduser(pattern))
        if not target.is_absolute():
            target = self.data_root / target
        if glob.has_magic(str(target)):
            matches = sorted(Path(p) for p in glob.glob(str(target)))
            if not matches:
                raise IngestError(Problem(self.name, f"no file matches '{pattern}' under {self.data_root}"))
            return matches
        if not target.exists():
            hint = "" if settings.value(DATA_ROOT_ENV) else f" (set --data-root or {DATA_ROOT_ENV})"
            raise IngestError(Problem(self.name, f"input file not found: {target}{hint}"))
        return [target]

    def display_path(self, path: Path) -> str:
        """A file's name as shown in reports: relative to the data root, never an absolute path."""
        try:
            return path.resolve().relative_to(self.data_root.resolve()).as_posix()
        except ValueError:
            return path.name


def load_config(path: Path | str, data_root: Path | str | None = None) -> Config:
    path = Path(path)
    data = _read_with_includes(path, seen=())
    problems = check_config(data, path.name)
    if problems:
        raise IngestError(problems)
    root = data_root or settings.value(DATA_ROOT_ENV) or None
    if root is None:
        root = path.parent / data.get("data_root", ".")
    return Config(path=path.resolve(), data=data, data_root=Path(root).expanduser().resolve())


def _read_with_includes(path: Path, seen: tuple[Path, ...]) -> dict:
    """A config with the files it ``include``s merged in: their sources and steps come first."""
    if not path.is_file():
        raise IngestError(Problem(str(path), "configuration file not found"))
    if path.resolve() in seen:
        raise IngestError(Problem(path.name, "includes itself (directly or through another file)"))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise IngestError(Problem(path.name, f"invalid TOML: {exc}")) from exc
    merged: dict = {}
    for name in data.get("include", []):
        included = _read_with_includes(path.parent / name, (*seen, path.resolve()))
        for key in TOP_KEYS - set(LIST_KEYS) - set(TABLE_KEYS) - {"include"}:
            if key in included:
                raise IngestError(Problem(name, f"'{key}' belongs in the including file, not in an included one"))
        for key in LIST_KEYS:
            merged.setdefault(key, []).extend(included.get(key, []))
        for key in TABLE_KEYS:
            merged.setdefault(key, {}).update(included.get(key, {}))
    for key, value in data.items():
        if key in LIST_KEYS:
            merged[key] = merged.get(key, []) + value
        elif key in TABLE_KEYS:
            merged[key] = {**merged.get(key, {}), **value}
        elif key != "include":
            merged[key] = value
    return merged


def check_config(data: dict, name: str) -> list[Problem]:
    problems: list[Problem] = []

    def unknown(where: str, entry: dict, allowed: set[str]) -> None:
        expected = ", ".join(sorted(allowed))
        for key in sorted(set(entry) - allowed):
            problems.append(Problem(name, f"{where}: unknown key '{key}' (expected one of {expected})"))

    unknown("top level", data, TOP_KEYS)
    if not data.get("title"):
        problems.append(Problem(name, "top level: 'title' is required"))
    for i, source in enumerate(data.get("sources", [])):
        unknown(f"sources[{i}]", source, SOURCE_KEYS)
        for key in ("id", "title", "publisher", "licence"):
            if not source.get(key):
                problems.append(Problem(name, f"sources[{i}]: '{key}' is required"))
    for i, download in enumerate(data.get("downloads", [])):
        unknown(f"downloads[{i}]", download, DOWNLOAD_KEYS)
        for key in ("url", "file"):
            if not download.get(key):
                problems.append(Problem(name, f"downloads[{i}]: '{key}' is required"))
    declaration = territory_levels.declaration_problems(data.get("levels"), "levels")
    problems += [Problem(name, message) for message in declaration]
    problems += [Problem(name, message) for message in themes.declaration_problems(data.get("themes"), "themes")]
    known_levels = schema.LEVELS if declaration else \
        territory_levels.level_ids({territory_levels.MANIFEST_KEY: data.get("levels", [])})
    if not isinstance(data.get("simplify", {}), dict):
        problems.append(Problem(name, "simplify: must be a table with 'tolerance' and 'grid'"))

    for section, allowed in STEP_KEYS.items():
        table = schema.with_declared(TARGET_TABLES[section], known_levels)  # + links to declared levels
        columns = {c.name for c in table.columns + table.optional_columns}
        if section == "indicators":
            columns |= INDICATOR_EXTRA_KEYS
        for i, step in enumerate(data.get(section, [])):
            where = f"{section}[{i}]" + (f" ({step['name']})" if "name" in step else "")
            unknown(where, step, allowed)
            if "file" not in step and "rows" not in step:
                problems.append(Problem(name, f"{where}: needs 'file' (input file) or 'rows' (inline rows)"))
            if "pivot" in step:
                problems += check_pivot(step["pivot"], where, name)
            for j, join in enumerate(step.get("join", [])):
                unknown(f"{where}.join[{j}]", join, JOIN_KEYS)
                if "file" not in join or "on" not in join:
                    problems.append(Problem(name, f"{where}.join[{j}]: 'file' and 'on' are required"))
            for field_name, spec in step.get("fields", {}).items():
                if field_name not in columns:
                    problems.append(Problem(name, f"{where}.fields: '{field_name}' is not a column of "
                                                  f"{table.filename} (columns: {', '.join(sorted(columns))})"))
                if isinstance(spec, dict):
                    unknown(f"{where}.fields.{field_name}", spec, FIELD_KEYS)
                    melted = section == "observations" and "wide" in step and field_name == "value"
                    if not melted and not {"column", "value", "template", "expression"} & set(spec):
                        problems.append(Problem(name, f"{where}.fields.{field_name}: needs 'column', 'value', "
                                                      f"'template' or 'expression'"))
                    if spec.get("frequency", "monthly") not in FREQUENCIES:
                        problems.append(Problem(name, f"{where}.fields.{field_name}: frequency must be one of "
                                                      f"{', '.join(FREQUENCIES)}"))
            if step.get("duplicates", "reject") not in DUPLICATE_POLICIES:
                problems.append(Problem(name, f"{where}: duplicates must be one of {', '.join(DUPLICATE_POLICIES)}"))
            elif step.get("duplicates") == "suffix" and section not in ("commitments", "credits"):
                problems.append(Problem(name, f"{where}: duplicates = 'suffix' renames repeated ids, which only "
                                              "commitments and credits have (use 'reject' or 'collapse')"))
            level = step.get("level")
            if level is not None and level not in known_levels:
                problems.append(Problem(name, f"{where}: level '{level}' is not one of {', '.join(known_levels)} "
                                              "(declare other levels in [[levels]])"))
            for j, rule in enumerate(step.get("lookup", [])):
                problems += check_lookup(rule, f"{where}.lookup[{j}]", name)
            if section == "territories" and step.get("mode", "add") == "add" and "vintage" not in step \
                    and "vintage" not in step.get("fields", {}):
                problems.append(Problem(name, f"{where}: 'vintage' is required (the geography vintage, e.g. "
                                              "'COG 2018'), as a step key or in fields"))
            if section == "territories" and "level" not in step:
                problems.append(Problem(name, f"{where}: 'level' is required"))
            if section == "territories" and step.get("mode", "add") not in ("add", "update"):
                problems.append(Problem(name, f"{where}: mode must be 'add' or 'update'"))
            if section == "territories" and step.get("keep") == "referenced" and level in ("qpv", "france"):
                problems.append(Problem(name, f"{where}: keep = 'referenced' needs a level other territories name "
                                              "as parent"))
            if section == "territories" and step.get("keep", "all") not in ("all", "referenced"):
                problems.append(Problem(name, f"{where}: keep must be 'all' or 'referenced'"))
            if section == "observations" and step.get("missing_status", "missing") not in ("missing", "secret",
                                                                                           "drop"):
                problems.append(Problem(name, f"{where}: missing_status must be 'missing', 'secret' or 'drop'"))
    return problems


def check_pivot(rule, where: str, config_name: str) -> list[Problem]:
    if not isinstance(rule, dict):
        return [Problem(config_name, f"{where}.pivot: must be a table with {', '.join(sorted(PIVOT_KEYS))}")]
    problems = [Problem(config_name, f"{where}.pivot: unknown key '{k}' (expected one of "
                                     f"{', '.join(sorted(PIVOT_KEYS))})") for k in sorted(set(rule) - PIVOT_KEYS)]
    return problems + [Problem(config_name, f"{where}.pivot: '{k}' is required (the key columns, the column of "
                                            "the classes, the value column(s) and the classes to make columns of)")
                       for k in sorted(PIVOT_KEYS - set(rule))]


def check_lookup(rule: dict, where: str, config_name: str) -> list[Problem]:
    problems = [Problem(config_name, f"{where}: unknown key '{key}' (expected one of {', '.join(sorted(LOOKUP_KEYS))})")
                for key in sorted(set(rule) - LOOKUP_KEYS)]
    for key in ("column", "level", "into"):
        if key not in rule:
            problems.append(Problem(config_name, f"{where}: '{key}' is required"))
    if ("within" in rule) != ("parent" in rule):
        problems.append(Problem(config_name, f"{where}: 'within' (the row's parent code) and 'parent' (the parent "
                                             "column of the territories searched) go together"))
    return problems
