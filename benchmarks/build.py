"""Benchmark of the real build: wall time and peak memory, printed as JSON.

Usage: python benchmarks/build.py [--config configs/real-national.toml] [--data-root DIR] [--repeat N]

The build runs in a child process (``python -m atlas build``) so that its peak
resident memory is measured alone (getrusage of the children) and each run
starts cold, as a deployment would.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = Path(os.environ.get("ATLAS_REAL_DATA") or REPO / ".." / "shared" / "data" / "real").resolve()


def run_once(config: Path, data_root: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "atlas", "build", "--config", str(config), "--data-root", str(data_root),
                    "--out", str(out), "--quiet"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "real-national.toml")
    parser.add_argument("--data-root", type=Path, default=REAL_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.data_root.is_dir():
        print(f"real data not found at {args.data_root} (set ATLAS_REAL_DATA or --data-root)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "package"
        times = [run_once(args.config, args.data_root, out) for _ in range(args.repeat)]
        report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
        size = sum(p.stat().st_size for p in out.rglob("*.parquet"))
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    print(json.dumps({
        "config": args.config.name,
        "runs": args.repeat,
        "wall_time_s": {"min": round(min(times), 2), "max": round(max(times), 2),
                        "mean": round(sum(times) / len(times), 2)},
        "peak_memory_mb": round(peak / 2**20, 1),
        "package_parquet_mb": round(size / 2**20, 2),
        "counts": report["counts"],
        "rejected": report["totals"]["rejected"],
        "repaired": report["totals"]["repaired"],
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
