"""Downloading official files into a local cache, resumably, with checksums.

Each download goes to ``<name>.part`` first; an interrupted transfer is
resumed with an HTTP Range request from the bytes already there, and the file
takes its final name only once complete and verified. The SHA-256 of every
file is recorded in ``checksums.json`` in the cache; a configured ``sha256``
that does not match rejects the download.
"""

from __future__ import annotations

import http.client
import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

from tqdm import tqdm

from atlas.package import sha256_of

CHECKSUMS_FILE = "checksums.json"
USER_AGENT = "atlas-qpv/0.1 (open data ingestion)"
CHUNK = 1 << 16
# Failures worth resuming after: the connection dropped or timed out mid-transfer.
TRANSIENT = (http.client.IncompleteRead, ConnectionError, TimeoutError, urllib.error.URLError)


class FetchError(Exception):
    """A file could not be downloaded or verified."""


def fetch_all(downloads: list[dict], cache: Path, *, refresh: bool = False, progress: bool = True,
              retries: int = 3, timeout: float = 60) -> dict[str, Path]:
    """Download every entry (``url``, ``file``, optional ``sha256``) into ``cache``; return the paths by file."""
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    paths = {}
    for download in downloads:
        paths[download["file"]] = fetch_one(download, cache, refresh=refresh, progress=progress, retries=retries,
                                            timeout=timeout)
    return paths


def fetch_one(download: dict, cache: Path, *, refresh: bool = False, progress: bool = True, retries: int = 3,
              timeout: float = 60) -> Path:
    url, name = download["url"], download["file"]
    dest = cache / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    records = _load_records(cache)
    expected = download.get("sha256") or None
    if dest.exists() and not refresh:
        known = expected or records.get(name, {}).get("sha256")
        if known is None or sha256_of(dest) == known:
            return dest
        dest.unlink()  # changed since it was recorded, or stale against the configuration: fetch it again
    if refresh:
        part.unlink(missing_ok=True)

    last_error: Exception | None = None
    for attempt in range(1, retries + 1):
        try:
            _transfer(url, part, name, progress=progress, timeout=timeout)
            break
        except urllib.error.HTTPError as exc:
            raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
        except TRANSIENT as exc:
            last_error = exc
            time.sleep(min(0.5 * attempt, 2))  # the bytes already received stay in the .part file
    else:
        raise FetchError(f"{url}: transfer failed after {retries} attempts ({last_error}); "
                         f"{part.stat().st_size if part.exists() else 0} bytes kept in {part} to resume later")

    digest = sha256_of(part)
    if expected and digest != expected:
        part.unlink()
        raise FetchError(f"{url}: checksum mismatch for {name} (expected {expected}, got {digest}); "
                         "the download was discarded")
    os.replace(part, dest)
    records[name] = {"url": url, "sha256": digest, "bytes": dest.stat().st_size,
                     "downloaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    _save_records(cache, records)
    return dest


def _transfer(url: str, part: Path, name: str, *, progress: bool, timeout: float) -> None:
    """Append the rest of ``url`` to ``part``; raise a TRANSIENT error if the transfer stops short."""
    offset = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:
            return  # nothing left to send: the part is complete (its checksum is checked next)
        raise
    with response:
        if offset and response.status != 206:
            offset = 0  # the server ignored the Range header and sends the whole file again
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length is not None else None
        with open(part, "ab" if offset else "wb") as out, \
                tqdm(total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024, desc=name,
                     disable=not progress, leave=False) as bar:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                bar.update(len(chunk))
    if total is not None and part.stat().st_size < total:
        raise http.client.IncompleteRead(b"", total - part.stat().st_size)


def _load_records(cache: Path) -> dict:
    path = cache / CHECKSUMS_FILE
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}  # a damaged record only costs a fresh verification


def _save_records(cache: Path, records: dict) -> None:
    path = cache / CHECKSUMS_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(records, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
