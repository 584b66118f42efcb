"""NUTS boundaries without configuration: fetch the files the regions need from GISCO once,
keep them in a cache folder with where they came from, and say what state they are in.

Eurostat's GISCO publishes every NUTS edition as GeoJSON in EPSG:4326, one file per level
(``NUTS_RG_20M_2024_4326_LEVL_2.geojson``) and one with every level
(``NUTS_RG_20M_2024_4326.geojson``). :func:`needed` reads the regions table for the
(edition, level) pairs a map draws — level 0 for the country outlines, the regions' own
levels, each in the NUTS edition its codes are written in — and :func:`fetch` downloads
what the cache lacks: the per-level file at the lightest web scale that exists, else the
all-levels file. ``sources.json`` in the cache records each file's address, time and
sha256. :class:`Fetcher` does the same in a background thread, so a page never waits on
the network; a failure is remembered and retried later, never raised.

The download base is :data:`GISCO_BASE`, or ``MIPEXR_GISCO_URL`` (a mirror, or a local
server in the tests).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from geo.boundaries import discover_files

GISCO_BASE = "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/"
#: Scales tried, in order: 1:20M is right for a Europe-wide map (~300 NUTS-2 regions in a few
#: hundred KB once simplified); 1:10M if 1:20M is missing; 1:60M, coarse, as a last resort.
FETCH_SCALES = ("20M", "10M", "60M")
#: NUTS editions GISCO publishes that the schema accepts; a region without an edition is 2024.
DEFAULT_EDITION = 2024
RECORDS = "sources.json"
LICENCE = "© EuroGeographics for the administrative boundaries"
#: After a failed fetch (offline, blocked), wait this long before trying again.
RETRY_SECONDS = 600
_LEVELS = {"NUTS0": 0, "NUTS1": 1, "NUTS2": 2, "NUTS3": 3}


def base_url() -> str:
    """Where the files are fetched from: ``MIPEXR_GISCO_URL`` or GISCO's distribution."""
    base = os.environ.get("MIPEXR_GISCO_URL") or GISCO_BASE
    return base if base.endswith("/") else base + "/"


def file_name(year: int, scale: str, level: int | None = None) -> str:
    """GISCO's name of a region file: per level, or every level when ``level`` is None."""
    tail = "" if level is None else f"_LEVL_{int(level)}"
    return f"NUTS_RG_{str(scale).upper()}_{int(year)}_4326{tail}.geojson"


def needed(regions: pd.DataFrame) -> list[tuple[int, int]]:
    """(NUTS edition, level) pairs a map of ``regions`` draws, sorted.

    Each NUTS region's level in the edition of its ``nuts_version`` (2024 when missing);
    level 0 of every edition used, for the country outlines. Municipalities (LAU) need no
    file. An empty table needs nothing.
    """
    if regions is None or regions.empty or "level" not in regions.columns:
        return []
    level = regions["level"].astype(str).str.upper().map(_LEVELS)
    version = (pd.to_numeric(regions["nuts_version"], errors="coerce") if "nuts_version" in regions.columns
               else pd.Series(float("nan"), index=regions.index)).fillna(DEFAULT_EDITION)
    pairs = {(int(v), int(lv)) for v, lv in zip(version, level) if pd.notna(lv)}
    pairs |= {(year, 0) for year, _ in pairs}
    return sorted(pairs)


def covered(directory: str | Path) -> set[tuple[int, int | None]]:
    """(edition, level) pairs the region files in ``directory`` hold (level None: all levels)."""
    return {(f.year, f.level) for f in discover_files(directory)}


def missing(needs, directory: str | Path) -> list[tuple[int, int]]:
    """The pairs of ``needs`` that no file in ``directory`` holds."""
    have = covered(directory)
    return [(y, lv) for y, lv in needs if (y, lv) not in have and (y, None) not in have]


def read_records(directory: str | Path) -> dict:
    """``sources.json`` of a cache: file name → {url, fetched, sha256, bytes, licence}."""
    path = Path(directory) / RECORDS
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


class Offline(RuntimeError):
    """The download source cannot be reached at all (no point trying other files now)."""


def _get(url: str, timeout: float) -> bytes | None:
    """The body at ``url``; None when the server says the file does not exist (404/410)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.read()
    except urllib.error.HTTPError as exc:
        if exc.code in (403, 404, 410):
            return None
        raise Offline(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        raise Offline(f"{url}: {getattr(exc, 'reason', exc)}") from exc


def _is_nuts(body: bytes) -> bool:
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    feats = doc.get("features") if isinstance(doc, dict) else None
    return bool(feats) and isinstance(feats[0], dict) and "NUTS_ID" in (feats[0].get("properties") or {})


def _save(body: bytes, url: str, dest: Path) -> Path:
    """Write ``body`` as ``dest`` atomically and record it in ``sources.json``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.write_bytes(body)
    tmp.replace(dest)
    records = read_records(dest.parent)
    records[dest.name] = {"url": url, "fetched": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                          "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body), "licence": LICENCE}
    rec = dest.parent / (RECORDS + ".part")
    rec.write_text(json.dumps(records, indent=1, sort_keys=True), encoding="utf-8")
    rec.replace(dest.parent / RECORDS)
    return dest


@dataclass
class FetchResult:
    """What :func:`fetch` did: files written, pairs still missing, and why (plain words)."""

    files: list[Path] = field(default_factory=list)
    missing: list[tuple[int, int]] = field(default_factory=list)
    error: str | None = None


def fetch(needs, directory: str | Path, *, base: str | None = None, scales=FETCH_SCALES,
          timeout: float = 30.0) -> FetchResult:
    """Download into ``directory`` the GISCO files for the (edition, level) ``needs`` it lacks.

    Per pair: the per-level file at the first scale of ``scales`` that exists; if none does,
    the edition's all-levels file (which then covers its other levels too). An unreachable
    source stops at once with ``error`` set (offline); a file that does not exist at any
    scale leaves its pair in ``missing``. Never raises for network trouble.
    """
    directory, base = Path(directory), base or base_url()
    result = FetchResult()
    try:
        for year, level in missing(needs, directory):
            if (year, level) not in missing([(year, level)], directory):
                continue  # an all-levels file fetched for an earlier level holds it
            path = _first(base, directory, [(year, s, level) for s in scales], timeout) \
                or _first(base, directory, [(year, s, None) for s in scales], timeout)
            if path:
                result.files.append(path)
            else:
                result.missing.append((year, level))
    except Offline as exc:
        result.error = f"cannot reach {base} ({exc})"
    result.missing += [p for p in missing(needs, directory) if p not in result.missing]
    if result.missing and not result.error:
        names = ", ".join(f"NUTS {y} level {lv}" for y, lv in result.missing)
        result.error = f"{base} has no file for {names}"
    return result


def _first(base: str, directory: Path, candidates, timeout: float) -> Path | None:
    for year, scale, level in candidates:
        name = file_name(year, scale, level)
        body = _get(base + name, timeout)
        if body is not None and _is_nuts(body):
            return _save(body, base + name, directory / name)
    return None


@dataclass
class Status:
    """Where a map's boundaries stand: ``state`` is ``ready`` (every needed file is here),
    ``partial`` (some), ``fetching``, ``failed`` (``error``, retried after ``retry_at``) or
    ``idle``."""

    state: str
    error: str | None = None
    retry_at: float | None = None
    missing: list = field(default_factory=list)


class Fetcher:
    """Background fetching into one cache folder: at most one download at a time, a failure
    remembered for :data:`RETRY_SECONDS`. Thread-safe; one per folder (:func:`fetcher`)."""

    def __init__(self, directory: str | Path, retry_seconds: float = RETRY_SECONDS):
        self.directory = Path(directory)
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._error: str | None = None
        self._failed_at: float | None = None
        self._failed_needs: tuple = ()

    def status(self, needs) -> Status:
        """The state for ``needs`` (no network)."""
        lacking = missing(needs, self.directory)
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return Status("fetching", missing=lacking)
            if not lacking:
                return Status("ready")
            if self._error and self._failed_at is not None:
                return Status("failed", self._error, self._failed_at + self.retry_seconds, lacking)
        return Status("partial" if len(lacking) < len(needs) else "idle", missing=lacking)

    def ensure(self, needs, *, base: str | None = None, timeout: float = 30.0) -> Status:
        """Start a background fetch of what ``needs`` lacks, unless one runs or one failed less
        than :data:`RETRY_SECONDS` ago; returns the state right after."""
        needs = tuple(needs)
        lacking = missing(needs, self.directory)
        with self._lock:
            busy = self._thread is not None and self._thread.is_alive()
            waiting = (self._failed_at is not None and set(lacking) <= set(self._failed_needs)
                       and time.time() < self._failed_at + self.retry_seconds)
            if lacking and not busy and not waiting:
                self._thread = threading.Thread(target=self._run, args=(needs, base, timeout),
                                                name="gisco-fetch", daemon=True)
                self._thread.start()
        return self.status(needs)

    def wait(self, timeout: float | None = None) -> None:
        """Block until a running fetch ends (tests and the command line)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self, needs, base, timeout):
        try:
            result = fetch(needs, self.directory, base=base, timeout=timeout)
            error = result.error
        except OSError as exc:  # the cache folder cannot be written: report, retry later
            error = f"cannot write {self.directory}: {exc}"
        with self._lock:
            self._error = error
            self._failed_at = time.time() if error else None
            self._failed_needs = needs if error else ()


_FETCHERS: dict[str, Fetcher] = {}
_FETCHERS_LOCK = threading.Lock()


def fetcher(directory: str | Path) -> Fetcher:
    """The one :class:`Fetcher` of a cache folder in this process."""
    key = str(Path(directory).resolve())
    with _FETCHERS_LOCK:
        return _FETCHERS.setdefault(key, Fetcher(key))


OFF_WORDS = ("off", "none", "no", "0", "false")


def source(setting: str | None, cache_dir: str | Path) -> tuple[str, Path | None]:
    """What ``MIPEXR_BOUNDARIES`` asks for: ``("auto", cache_dir)`` when unset (fetch from
    GISCO into the cache), ``("off", None)`` for ``off``, else ``("path", folder or file)``."""
    value = (setting or "").strip()
    if not value:
        return "auto", Path(cache_dir)
    if value.lower() in OFF_WORDS:
        return "off", None
    return "path", Path(value)
