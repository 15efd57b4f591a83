"""Read API figures, printed as JSON: for a set of realistic calls, status, bytes, cold and warm times.

Runs the app in-process (Flask test client, no network) on the package of ATLAS_DATA_DIR (the embedded one
otherwise). "cold" is the first call in the process (it builds the per-package indexes it needs: sorted
observations, commitments' evaluation, prepared credit lines…), "warm" the median of the next calls
(no If-None-Match is sent, so every answer is computed and serialised). Also reports a 304 revalidation
and the process's resident memory before and after.

Usage: ATLAS_DATA_DIR=/work/pkg/national python benchmarks/api.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def calls(service) -> list[str]:
    """Addresses built from the package itself, so the benchmark runs on any package."""
    indicators = service.package.indicators["id"]
    at_qpv = service.indicators_at("qpv") or tuple(indicators)
    indicator = at_qpv[0] if at_qpv else indicators.iloc[0]
    qpv = service.codes("qpv")[0] if service.codes("qpv") else None
    departement = service.codes("departement")[0] if service.codes("departement") else None
    commune = service.codes("commune")[0] if service.codes("commune") else None
    out = ["/api/v1/territories?q=saint", "/api/v1/territories?level=commune&format=csv&limit=50000",
           f"/api/v1/indicators/{indicator}", f"/api/v1/observations?indicator={indicator}&level=qpv&limit=1000",
           f"/api/v1/observations?indicator={indicator}&format=csv&limit=50000",
           "/api/v1/commitments?limit=100", "/api/v1/credits?by=year", "/api/v1/credits?by=territory",
           "/api/v1/catalog.jsonld", "/api/v1/openapi.json"]
    if commune:
        out.append(f"/api/v1/observations?indicator={indicator}&level=commune&code={commune}")
    if qpv:
        out += [f"/api/v1/qpv/{qpv}", f"/api/v1/territories/qpv/{qpv}"]
    if departement:
        out += [f"/api/v1/territories?level=commune&parent=departement:{departement}&limit=1000",
                f"/api/v1/commitments?territory=departement:{departement}&limit=100"]
    return out


def timed(client, url: str):
    started = time.perf_counter()
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    return response, (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    before_app = rss_mb()
    import app as app_module
    from callbacks.state import service

    client = app_module.app.server.test_client()
    svc = service()
    before = rss_mb()
    results = []
    for url in calls(svc):
        response, cold = timed(client, url)
        warm = [timed(client, url)[1] for _ in range(args.repeat)]  # no If-None-Match sent: full answers
        results.append({"url": url, "status": response.status_code, "bytes": len(response.data),
                        "cold_ms": round(cold, 1), "warm_ms": round(statistics.median(warm), 1)})
    probe = results[0]["url"]
    etag = client.get(probe).headers.get("ETag")
    revalidation, ms = timed_conditional(client, probe, etag)
    print(json.dumps({
        "package": svc.manifest.get("title"), "observations": len(svc.package.observations),
        "territories": len(svc.package.territories), "rss_mb": {"python": before_app, "app_loaded": before,
                                                                 "after_api_calls": rss_mb()},
        "revalidation": {"url": probe, "status": revalidation, "ms": round(ms, 1)},
        "calls": results,
    }, ensure_ascii=False, indent=1))


def timed_conditional(client, url: str, etag: str | None):
    started = time.perf_counter()
    response = client.get(url, headers={"If-None-Match": etag or ""})
    return response.status_code, (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
