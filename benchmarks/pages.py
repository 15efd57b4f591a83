"""Server time of a first visit to /barometre and /credits, printed as JSON.

A first visit asks the router callback for the page (``POST /_dash-update-component``, as the browser
does after loading the shell). For each page, a fresh process creates the app (the package is loaded
and the static geometry encoded at start-up, as in production) and then measures:
- ``cold_s``: the first request for the page (empty caches);
- ``warm_s``: the median of the next ``--repeat`` requests (filled caches);
- ``bytes``: the size of the JSON answer.
Targets (issue 15, national package): cold ≤ 1.5 s, warm ≤ 0.3 s.

Usage: python benchmarks/pages.py [--data DIR] [--repeat 5] [--page /barometre --page /credits]
(``ATLAS_DATA_DIR`` is used when --data is not given; the embedded package otherwise.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def router_body(path: str, search: str = "") -> dict:
    return {
        "output": "..page-content.children...site-header.children..",
        "outputs": [{"id": "page-content", "property": "children"}, {"id": "site-header", "property": "children"}],
        "inputs": [{"id": "url", "property": "pathname", "value": path},
                   {"id": "history-nav", "property": "data", "value": None}],
        "state": [{"id": "url", "property": "search", "value": search}],
        "changedPropIds": ["url.pathname"],
    }


def measure_in_this_process(path: str, repeat: int) -> dict:
    """Create the app, then time the router callback for ``path`` (first, then ``repeat`` more times)."""
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    import app as app_module

    startup = time.perf_counter() - started
    client = app_module.app.server.test_client()
    timings, size = [], 0
    for _ in range(repeat + 1):
        begin = time.perf_counter()
        response = client.post("/_dash-update-component", json=router_body(path))
        timings.append(time.perf_counter() - begin)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        size = len(response.data)
    return {"page": path, "startup_s": round(startup, 3), "cold_s": round(timings[0], 3),
            "warm_s": round(statistics.median(timings[1:]), 3), "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="data package folder (default: ATLAS_DATA_DIR or the embedded one)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--page", action="append", help="page path (default: /barometre and /credits)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one page, measured in a fresh process so that its first visit is really cold
        print(json.dumps(measure_in_this_process(args.child, args.repeat)))
        return
    env = dict(os.environ)
    if args.data:
        env["ATLAS_DATA_DIR"] = str(Path(args.data).resolve())
    results = []
    for path in args.page or ["/barometre", "/credits"]:
        out = subprocess.run([sys.executable, __file__, "--child", path, "--repeat", str(args.repeat)], cwd=ROOT,
                             env=env, capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    print(json.dumps({
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average {load:.1f}" if load is not None
        else platform.machine(),
        "package": env.get("ATLAS_DATA_DIR", "data (embedded)"),
        "targets": {"cold_s": 1.5, "warm_s": 0.3},
        "pages": results,
    }, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
