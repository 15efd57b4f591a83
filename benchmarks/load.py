"""Load benchmark: gunicorn (2 workers) + a local redis-server, driven on loopback by asyncio/httpx.

    python benchmarks/load.py [--data-dir DIR] [--users 50] [--duration 30] [--warmup 5]

A realistic mix, as browsers produce it: page views (``GET`` of the page, then the router callback that builds
it) of the map, quarter profiles (Zipf-distributed over the quarters), the barometer and credits; map changes
(indicator, level or year callbacks); geometry downloads (``/geo``, with and without a cached ETag);
search-as-you-type. What a browser fetches around those requests follows them, as recorded from Chromium: a
page view also fetches ``/_dash-layout`` and ``/_dash-dependencies``; a map colouring (a change, or the map page's
first build) fetches its ``classes.json`` and ``values.json`` unless this user already holds them (they are
immutable, the browser keeps them); a year change fetches that year's ``values.json``. Each virtual user waits
for its answer before sending the next request (closed loop).
Bounded by ``--duration`` and ``--max-requests``; loopback only. Prints JSON: requests/s, p50/p95/p99 overall
and per kind, errors, status counts, CPU per request of the server and of the load generator, machine load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# kind -> weight (per cent of requests, roughly as a browsing session produces them)
MIX = {"page /": 8, "router /": 8, "page /qpv": 8, "router /qpv": 8, "page /barometre": 4, "router /barometre": 4,
       "page /credits": 4, "router /credits": 4, "map indicator": 14, "map year": 12, "geo": 6, "geo 304": 6,
       "search": 10, "healthz": 4}
# Requests that follow another one as the browser sends them (see ``user``), reported with the mix.
FOLLOWERS = ("dash layout", "dash dependencies", "map files")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def body(output: str, outputs: list, inputs: list, state: list, changed: str) -> dict:
    def entries(items):
        return [{"id": i, "property": p, "value": v} for i, p, v in items]

    spec = [{"id": i, "property": p} for i, p in outputs]
    return {"output": output, "outputs": spec if output.startswith("..") else spec[0], "inputs": entries(inputs),
            "state": entries(state), "changedPropIds": [changed]}


class Scenario:
    """Request builders with values taken from the package and the server's own callback list."""

    def __init__(self, service, dependencies: list[dict], geo_paths: list[str], quarters: int | None = None):
        self.indicators = {level: list(service.indicators_at(level)) for level in service.map_levels()}
        self.levels = [lvl for lvl in ("qpv", "commune", "departement") if self.indicators.get(lvl)]
        self.years = service.years
        self.qpv = service.codes("qpv")[:quarters]
        # Visits concentrate on a few quarters (Zipf: the k-th most visited gets 1/k of the first one's visits).
        self.qpv_weights = [1 / rank for rank in range(1, len(self.qpv) + 1)]
        self.names = [service.territory("commune", c)["name"] for c in service.codes("commune")[:200]]
        self.geo_paths = geo_paths
        self.etags: dict[str, str] = {}
        server = [d for d in dependencies if not d.get("clientside_function")]
        # The map's server callbacks, found by what triggers them (their outputs change with the map's code).
        self.map_dep = next(d for d in server if d["inputs"][0]["id"] == "map-indicator"
                            and any("hideout" in part for part in d["output"].split("...")))
        self.year_dep = next(d for d in server if d["inputs"][0]["id"] == "map-year")

    def router(self, path: str, search: str = "") -> dict:
        return body("..page-content.children...site-header.children..",
                    [("page-content", "children"), ("site-header", "children")],
                    [("url", "pathname", path), ("history-nav", "data", None)], [("url", "search", search)],
                    "url.pathname")

    def map_values(self, level: str, indicator: str) -> dict:
        return {"map-indicator.value": indicator, "map-level.value": level, "map-mode.value": "value",
                "map-reference.value": "france", "map-operation.value": "difference",
                "map-scheme.value": "quantiles", "map-fixed.value": ["fixe"], "map-basemap.value": "aucun",
                "map-year.value": random.choice(self.years), "map-query.data": ""}

    @staticmethod
    def from_dependency(dep: dict, values: dict) -> dict:
        """A request for ``dep`` with each input and state taken from ``values`` (None when absent)."""
        output = dep["output"]
        parts = output[2:-2].split("...") if output.startswith("..") else [output]
        outputs = [tuple(part.split("@")[0].rsplit(".", 1)) for part in parts]

        def entries(items):
            return [(i["id"], i["property"], values.get(f"{i['id']}.{i['property']}")) for i in items]

        first = dep["inputs"][0]
        return body(output, outputs, entries(dep["inputs"]), entries(dep["state"]),
                    f"{first['id']}.{first['property']}")

    def map_change(self) -> dict:
        level = random.choice(self.levels)
        return self.from_dependency(self.map_dep, self.map_values(level, random.choice(self.indicators[level][:12])))

    def year_change(self) -> dict:
        level = random.choice(self.levels)
        return self.from_dependency(self.year_dep, self.map_values(level, self.indicators[level][0]))

    def request(self, kind: str) -> tuple[str, str, dict | None, dict]:
        """(method, path, json body, headers) of one request of ``kind``."""
        code = random.choices(self.qpv, self.qpv_weights)[0]
        if kind.startswith("page "):
            path = kind.split(" ", 1)[1]
            return "GET", f"/qpv/{code}" if path == "/qpv" else path, None, {}
        if kind.startswith("router "):
            path = kind.split(" ", 1)[1]
            return "POST", "/_dash-update-component", self.router(f"/qpv/{code}" if path == "/qpv" else path), {}
        if kind == "map indicator":
            return "POST", "/_dash-update-component", self.map_change(), {}
        if kind == "map year":
            return "POST", "/_dash-update-component", self.year_change(), {}
        if kind in ("geo", "geo 304"):
            path = random.choice(self.geo_paths)
            etag = self.etags.get(path) if kind == "geo 304" else None
            return "GET", path, None, {"If-None-Match": etag} if etag else {}
        if kind == "search":
            name = random.choice(self.names)
            query = name[: random.randint(2, max(2, len(name)))]
            return "POST", "/_dash-update-component", body(
                "map-search-results.children", [("map-search-results", "children")],
                [("map-search", "value", query)], [], "map-search.value"), {}
        return "GET", "/healthz", None, {}


def found(document, key: str) -> list:
    """Every value of ``key`` anywhere in a decoded JSON document."""
    if isinstance(document, dict):
        return [v for k, v in document.items() if k == key] + [x for v in document.values() for x in found(v, key)]
    if isinstance(document, list):
        return [x for v in document for x in found(v, key)]
    return []


def with_year(template: str, year: int) -> str:
    """The values file of ``year`` from a colouring's values URL (as assets/atlas_map.js builds it)."""
    path, _, query = template.partition("?")
    params = dict(parse_qsl(query))
    params["annee"] = str(year)
    return f"{path}?{urlencode(params)}"


async def fetch(client: httpx.AsyncClient, kind: str, method: str, path: str, payload: dict | None,
                headers: dict, results: list) -> tuple[object, bytes, str]:
    """(status, body of a callback's answer, ETag) of one request, recorded in ``results``."""
    start = time.perf_counter()
    content, etag = b"", ""
    try:
        if method == "POST":  # a callback: the browser reads its answer
            response = await client.request(method, path, json=payload, headers=headers)
            content = response.content
        else:
            # Read the body as it travels (gzipped): decompressing 20 MB of geometry is the browser's work, not
            # the server's, and it would take the load generator's share of the two cores.
            async with client.stream(method, path, headers={"Accept-Encoding": "gzip", **headers}) as response:
                async for _ in response.aiter_raw():
                    pass
        status, etag = response.status_code, response.headers.get("ETag", "")
    except httpx.HTTPError as exc:
        status = type(exc).__name__
    results.append((kind, status, time.perf_counter() - start))
    return status, content, etag


async def user(client: httpx.AsyncClient, scenario: Scenario, deadline: float, results: list, budget: list,
               mix: dict[str, int]) -> None:
    kinds, weights = list(mix), list(mix.values())
    held: set[str] = set()  # immutable colour files this user's browser already keeps
    template = ""  # the values URL of the colouring on screen
    while time.perf_counter() < deadline and budget[0] > 0:
        budget[0] -= 1
        kind = random.choices(kinds, weights)[0]
        method, path, payload, headers = scenario.request(kind)
        status, content, etag = await fetch(client, kind, method, path, payload, headers, results)
        if kind == "geo" and status == 200:
            scenario.etags[path] = etag
        follow: list[tuple[str, str]] = []
        if len(mix) == 1:  # --only: that one request, nothing the browser would fetch around it
            continue
        if kind.startswith("page "):
            follow += [("dash layout", "/_dash-layout"), ("dash dependencies", "/_dash-dependencies")]
        if status == 200 and content and kind in ("router /", "map indicator", "map year"):
            document = json.loads(content)
            classes, values = found(document, "classes_url"), found(document, "values_url")
            if classes and values:
                template = values[0]
                follow += [("map files", classes[0]), ("map files", values[0])]
            elif kind == "map year" and template:
                follow.append(("map files", with_year(template, payload_year(payload))))
        for follow_kind, url in follow:
            if follow_kind == "map files" and url in held:
                continue
            if follow_kind == "map files":
                held.add(url)
            await fetch(client, follow_kind, "GET", url, None, {}, results)


def payload_year(payload: dict) -> int:
    return next(i["value"] for i in payload["inputs"] + payload["state"] if i["id"] == "map-year")


async def drive(base: str, scenario: Scenario, users: int, seconds: float, max_requests: int,
                mix: dict[str, int] = MIX) -> tuple[list, float]:
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        results: list = []
        budget = [max_requests]
        start = time.perf_counter()
        await asyncio.gather(*(user(client, scenario, start + seconds, results, budget, mix) for _ in range(users)))
        return results, time.perf_counter() - start


def summarise(results: list, elapsed: float) -> dict:
    def ok(status) -> bool:
        return isinstance(status, int) and status < 400

    times = [t for _, _, t in results]
    by_kind = {}
    for kind in (*MIX, *FOLLOWERS):
        mine = [t for k, _, t in results if k == kind]
        if mine:
            by_kind[kind] = {"requests": len(mine), "p50_ms": round(percentile(mine, 50) * 1000, 1),
                             "p95_ms": round(percentile(mine, 95) * 1000, 1),
                             "errors": sum(1 for k, status, _ in results if k == kind and not ok(status))}
    statuses: dict[str, int] = {}
    for _, status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "requests": len(results), "seconds": round(elapsed, 1), "requests_per_s": round(len(results) / elapsed, 1),
        "p50_ms": round(percentile(times, 50) * 1000, 1), "p95_ms": round(percentile(times, 95) * 1000, 1),
        "p99_ms": round(percentile(times, 99) * 1000, 1),
        "mean_ms": round(statistics.fmean(times) * 1000, 1) if times else 0,
        "errors": sum(1 for _, status, _ in results if not ok(status)), "statuses": statuses, "by_kind": by_kind,
    }


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its children (the gunicorn workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1] is the parent pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def worker_memory_mb(pid: int) -> list[dict]:
    """RSS and PSS (shared pages divided among the processes sharing them) of each gunicorn worker, in MB."""
    workers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) != pid:
                continue
            status = (entry / "status").read_text()
            rollup = (entry / "smaps_rollup").read_text()
        except OSError:
            continue

        def field(text: str, name: str) -> float:
            line = next((x for x in text.splitlines() if x.startswith(name + ":")), "0 kB")
            return round(int(line.split()[1]) / 1024, 1)

        workers.append({"pid": int(entry.name), "rss_mb": field(status, "VmRSS"), "pss_mb": field(rollup, "Pss")})
    return sorted(workers, key=lambda w: w["pid"])


def wait_for_log(path: Path, text: str, process: subprocess.Popen, seconds: float) -> float | None:
    """Seconds until ``text`` appears in the server's log (None after ``seconds``)."""
    start = time.time()
    while time.time() - start < seconds and process.poll() is None:
        if text in path.read_text(errors="replace"):
            return round(time.time() - start, 1)
        time.sleep(0.5)
    return None


def wait_for(url: str, process: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--users", type=int, default=50, help="concurrent virtual users")
    parser.add_argument("--duration", type=float, default=30, help="seconds of measured load")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load before measuring")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quarters", type=int, default=None,
                        help="profiles visited among the first N quarters only (default: every quarter)")
    parser.add_argument("--only", choices=list(MIX), help="one kind of request instead of the mix (e.g. "
                        "'map indicator': the main map callback alone)")
    parser.add_argument("--wait-warm", type=float, default=0, help="wait up to this many seconds for the map "
                        "colourings to be warmed at start-up (gunicorn.conf.py) before the load starts")
    args = parser.parse_args()
    random.seed(args.seed)
    redis_binary = shutil.which("redis-server")
    if redis_binary is None:
        raise SystemExit("redis-server not found (make redis installs it)")
    gunicorn = Path(sys.executable).with_name("gunicorn")

    from atlas.package import load_package
    from atlas.service import AtlasService

    service = AtlasService(load_package(args.data_dir))
    redis_port, port = free_port(), free_port()
    redis = subprocess.Popen([redis_binary, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"],
                             stdout=subprocess.DEVNULL)
    env = {**os.environ, "ATLAS_DATA_DIR": str(args.data_dir), "ATLAS_BASEMAP": "aucun",
           "ATLAS_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
    # The server's log goes to a file: a pipe nobody reads fills up and blocks the workers when they log.
    log = tempfile.NamedTemporaryFile(prefix="atlas-load-", suffix=".log", delete=False)  # noqa: SIM115
    started = time.time()
    server = subprocess.Popen([str(gunicorn), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--timeout", "120",
                               "app:server"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", server)
        startup_s = round(time.time() - started, 1)
        warmed_s = wait_for_log(Path(log.name), "map colourings warmed", server, args.wait_warm) \
            if args.wait_warm else None
        dependencies = httpx.get(base + "/_dash-dependencies", timeout=30).json()
        geo = [f"/geo/{service.static_layer(level).filename}" for level in service.map_levels()]
        scenario = Scenario(service, dependencies, geo, args.quarters)
        mix = {args.only: 1} if args.only else MIX
        if args.warmup > 0:
            asyncio.run(drive(base, scenario, args.users, args.warmup, args.max_requests, mix))
        server_cpu, client_cpu = process_tree_cpu(server.pid), time.process_time()
        results, elapsed = asyncio.run(drive(base, scenario, args.users, args.duration, args.max_requests, mix))
        server_cpu, client_cpu = process_tree_cpu(server.pid) - server_cpu, time.process_time() - client_cpu
        report = summarise(results, elapsed)
        report.update(server_cpu_ms_per_request=round(server_cpu / max(len(results), 1) * 1000, 2),
                      load_generator_cpu_ms_per_request=round(client_cpu / max(len(results), 1) * 1000, 2),
                      machine_load_average=os.getloadavg()[0])
        report.update(worker_memory=worker_memory_mb(server.pid), startup_s=startup_s, warmed_after_s=warmed_s,
                      mix=args.only or "realistic")
        # What two free cores would serve at this CPU cost per request (server and load generator together): the
        # machine is shared, so requests/s above is what was left to this run, not what the server can do.
        cpu_ms = report["server_cpu_ms_per_request"] + report["load_generator_cpu_ms_per_request"]
        report["requests_per_s_two_free_cores"] = round(2000 / cpu_ms, 1) if cpu_ms else None
        report.update(users=args.users, workers=args.workers, package=str(args.data_dir), redis=True,
                      quarters=len(scenario.qpv),
                      health=httpx.get(base + "/healthz", timeout=10).json().get("cache"))
        print(json.dumps(report, indent=2, ensure_ascii=False))
    finally:
        server.terminate()
        server.wait(timeout=30)
        Path(log.name).unlink(missing_ok=True)
        redis.terminate()
        redis.wait(timeout=10)


if __name__ == "__main__":
    main()
