"""Command line: ``python -m atlas <command>``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from atlas.package import DEFAULT_DATA_DIR, PackageError, load_package
from atlas.service import summary


def _cmd_build_demo(args) -> int:
    from atlas.demo.generator import build_demo
    from atlas.package import publish_atomically

    package = publish_atomically(lambda staging: build_demo(staging, seed=args.seed), args.out)
    counts = summary(package)
    print(f"built {args.out}: {counts['territories'].get('qpv', 0)} QPV, {counts['indicators']} indicators, "
          f"{counts['observations']} observations, {counts['credit_lines']} credit lines")
    return 0


def _cmd_summary(args) -> int:
    package = load_package(args.data_dir)
    counts = summary(package)
    if args.json:
        print(json.dumps(counts, ensure_ascii=False, indent=2))
    else:
        for key, value in counts.items():
            print(f"{key}: {value}")
    return 0


def _cmd_validate(args) -> int:
    package = load_package(args.data_dir)
    counts = summary(package)
    print(f"valid package: {args.data_dir} ({counts['observations']} observations, "
          f"{sum(counts['territories'].values())} territories)")
    return 0


def _cmd_settings(args) -> int:
    from atlas.settings import markdown_table

    print(markdown_table())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m atlas", description="Atlas QPV data tools")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("build-demo", help="generate the illustrative national package")
    # No default: the embedded data/ is the real national package and must not be overwritten by accident.
    demo.add_argument("--out", type=Path, required=True, help="folder to write (e.g. demo-data)")
    demo.add_argument("--seed", type=int, default=2024)
    demo.set_defaults(func=_cmd_build_demo)

    summ = sub.add_parser("summary", help="print a package's counts")
    summ.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    summ.add_argument("--json", action="store_true")
    summ.set_defaults(func=_cmd_summary)

    val = sub.add_parser("validate", help="check a package; exit non-zero when invalid")
    val.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    val.set_defaults(func=_cmd_validate)

    sett = sub.add_parser("settings", help="print the table of environment settings (Markdown, as in the README)")
    sett.set_defaults(func=_cmd_settings)

    try:  # the ingestion pipeline registers `build` and `fetch`
        from atlas.ingest.cli import register as register_ingest
    except ImportError:
        pass
    else:
        register_ingest(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
