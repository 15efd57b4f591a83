"""The ``build`` and ``fetch`` commands, registered into ``python -m atlas``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from atlas import settings
from atlas.ingest.config import DATA_ROOT_ENV, IngestError, load_config
from atlas.package import DEFAULT_DATA_DIR, PackageError

REPO_CONFIGS = Path(__file__).resolve().parents[2] / "configs"
CACHE_ENV = "ATLAS_CACHE_DIR"


def register(sub: argparse._SubParsersAction) -> None:
    build = sub.add_parser("build", help="build a package from official files described by a sources config")
    build.add_argument("--config", type=Path, required=True, help="sources configuration (TOML)")
    build.add_argument("--out", type=Path, required=True, help="package folder to create or replace")
    build.add_argument("--data-root", type=Path, default=None,
                       help=f"folder the config's file paths are relative to (default: ${DATA_ROOT_ENV}, "
                            "else the config's data_root, else the config's folder)")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    build.set_defaults(func=_cmd_build)

    fetch = sub.add_parser("fetch", help="download the official national files, then build them")
    fetch.add_argument("--config", type=Path, default=REPO_CONFIGS / "national.toml")
    fetch.add_argument("--cache", type=Path, default=None,
                       help=f"download folder (default: ${CACHE_ENV}, else ~/.cache/atlas-qpv)")
    fetch.add_argument("--out", type=Path, default=DEFAULT_DATA_DIR, help="package folder to create or replace")
    fetch.add_argument("--no-build", action="store_true", help="only download and verify")
    fetch.add_argument("--refresh", action="store_true", help="download again even files already cached")
    fetch.add_argument("--quiet", action="store_true", help="no progress bars")
    fetch.set_defaults(func=_cmd_fetch)


def _cmd_build(args) -> int:
    from atlas.ingest.pipeline import build, failed_report_path

    try:
        config = load_config(args.config, args.data_root)
        _package, report = build(config, args.out, progress=not args.quiet)
    except (IngestError, PackageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        if failed_report_path(args.out).exists():
            print(f"build report: {failed_report_path(args.out)}", file=sys.stderr)
        print(f"the package in {args.out} was left unchanged", file=sys.stderr)
        return 1
    _print_summary(args.out, report)
    return 0


def _print_summary(out: Path, report) -> None:
    counts = report.counts
    levels = ", ".join(f"{n} {level}" for level, n in counts["territories"].items())
    tally = report.tally()
    print(f"built {out}: {levels}; {counts['indicators']} indicators, {counts['observations']} observations, "
          f"{counts['commitments']} commitments, {counts['credits']} credit lines")
    print(f"{tally['rejected']} row(s) rejected, {tally['repaired']} repaired: see {out / 'build-report.md'}")


def _cmd_fetch(args) -> int:
    from atlas.ingest.fetch import FetchError, fetch_all
    from atlas.ingest.pipeline import build

    cache = args.cache or Path(settings.value(CACHE_ENV) or Path.home() / ".cache" / "atlas-qpv")
    try:
        config = load_config(args.config, cache)
        fetch_all(config.data.get("downloads", []), cache, refresh=args.refresh, progress=not args.quiet)
        if args.no_build:
            print(f"downloaded into {cache}")
            return 0
        _package, report = build(config, args.out, progress=not args.quiet)
    except (FetchError, IngestError, PackageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _print_summary(args.out, report)
    return 0
