"""Limits an attacker cannot reset: counters of events kept where every session and replica sees them.

A limit kept in a Streamlit session is reset by reloading the page; one kept in a process is
reset by reaching another replica. The events that limits count — a proposal sent, a failed
staff sign-in — are therefore rows of one table, ``mipexr_limits (kind, key, ts)``:

* with the local store, in a SQLite file beside it (``<store>-limits.sqlite``), shared by
  every process on the machine;
* with the shared store (a PostgreSQL catalog), in that same PostgreSQL database, so every
  replica counts the same events.

A check and the write that follows it happen in one transaction under a lock (SQLite's
``BEGIN IMMEDIATE``; a PostgreSQL advisory lock), so two sessions cannot both take the last
place. Events older than a day beyond the longest window are pruned as new ones arrive.

Keys are never raw addresses or names: :func:`key` hashes them (with a per-store salt kept
beside the counters), since only equality matters.

The rules that read the events are pure functions (:func:`window_limit`, :func:`backoff`),
tested without a database. No Streamlit here.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("mipexr.limits")

TABLE = "mipexr_limits"
#: Events are kept this long (seconds) at least; longer windows keep theirs as long as they need.
KEEP = 2 * 24 * 3600
#: The PostgreSQL advisory-lock key of limit checks (any constant shared by every replica).
LOCK_KEY = int.from_bytes(hashlib.sha256(b"mipexr-r limits").digest()[:7], "big")


# ---------------------------------------------------------------------- pure rules

def window_limit(stamps: list[float], limit: int, window: float, now: float) -> float:
    """Seconds to wait before one more event is allowed when at most ``limit`` events may
    fall in any ``window`` seconds; 0 when one is allowed now."""
    recent = sorted(s for s in stamps if now - s < window)
    if limit <= 0:
        return window
    if len(recent) < limit:
        return 0.0
    return max(0.0, recent[len(recent) - limit] + window - now)


def backoff(stamps: list[float], after: int, base: float, cap: float, now: float) -> float:
    """Seconds left of an exponential back-off after failures at ``stamps``.

    The ``after``-th failure locks for ``base`` seconds after it, and each failure after that
    doubles the lock (``base · 2^(n − after)``, at most ``cap``); fewer cost nothing. Attempts
    refused during a lock are not failures, so a lock grows only with attempts that were
    actually checked."""
    if len(stamps) < max(after, 1):
        return 0.0
    lock = min(cap, base * 2 ** min(len(stamps) - after, 40))
    return max(0.0, max(stamps) + lock - now)


# ---------------------------------------------------------------------- the counters

class Counters:
    """Events by (kind, key) in a database shared by whoever must see them."""

    def events(self, kind: str, key: str, since: float) -> list[float]:
        raise NotImplementedError

    def add(self, kind: str, key: str, now: float):
        raise NotImplementedError

    def clear(self, kind: str, key: str):
        raise NotImplementedError

    @contextlib.contextmanager
    def transaction(self):
        """Hold the counters' lock: checks and writes inside see and make one consistent state."""
        raise NotImplementedError
        yield  # pragma: no cover

    def salt(self) -> str:
        raise NotImplementedError

    def key(self, *parts: str) -> str:
        """A short hash of ``parts`` (an address, a name): what a row keeps instead of them."""
        text = "\x1f".join(str(p) for p in parts)
        return hashlib.sha256(f"{self.salt()}\x1e{text}".encode()).hexdigest()[:24]


class SQLiteCounters(Counters):
    """The counters in a SQLite file (the local store's machine)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._con() as con:
            con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (kind TEXT NOT NULL, key TEXT NOT NULL, "
                        "ts REAL NOT NULL)")
            con.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_kkt ON {TABLE} (kind, key, ts)")
            con.execute("CREATE TABLE IF NOT EXISTS mipexr_salt (salt TEXT NOT NULL)")
            if con.execute("SELECT count(*) FROM mipexr_salt").fetchone()[0] == 0:
                con.execute("INSERT INTO mipexr_salt VALUES (?)", [secrets.token_hex(16)])
            self._salt = con.execute("SELECT salt FROM mipexr_salt").fetchone()[0]

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            self._local.con = con
        return con

    def salt(self) -> str:
        return self._salt

    @contextlib.contextmanager
    def transaction(self):
        con = self._con()
        if con.in_transaction:  # nested: the outer transaction holds the lock
            yield
            return
        con.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def events(self, kind: str, key: str, since: float) -> list[float]:
        rows = self._con().execute(f"SELECT ts FROM {TABLE} WHERE kind = ? AND key = ? AND ts >= ?",
                                   [kind, key, since]).fetchall()
        return [r[0] for r in rows]

    def add(self, kind: str, key: str, now: float):
        con = self._con()
        con.execute(f"INSERT INTO {TABLE} VALUES (?, ?, ?)", [kind, key, now])
        con.execute(f"DELETE FROM {TABLE} WHERE kind = ? AND ts < ?", [kind, now - KEEP])

    def clear(self, kind: str, key: str):
        self._con().execute(f"DELETE FROM {TABLE} WHERE kind = ? AND key = ?", [kind, key])


class PostgresCounters(Counters):
    """The counters in the shared store's PostgreSQL database (every replica)."""

    def __init__(self, conninfo: str):
        import psycopg

        self.conninfo = conninfo
        self._psycopg = psycopg
        self._local = threading.local()
        with self._connect() as pg:
            pg.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
            try:
                pg.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (kind TEXT NOT NULL, key TEXT NOT NULL, "
                           "ts DOUBLE PRECISION NOT NULL)")
                pg.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_kkt ON {TABLE} (kind, key, ts)")
                pg.execute("CREATE TABLE IF NOT EXISTS mipexr_salt (salt TEXT NOT NULL)")
                if pg.execute("SELECT count(*) FROM mipexr_salt").fetchone()[0] == 0:
                    pg.execute("INSERT INTO mipexr_salt VALUES (%s)", [secrets.token_hex(16)])
                self._salt = pg.execute("SELECT salt FROM mipexr_salt").fetchone()[0]
            finally:
                pg.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])

    def _connect(self):
        return self._psycopg.connect(self.conninfo, autocommit=True)

    def _pg(self):
        pg = getattr(self._local, "pg", None)
        if pg is None or pg.closed:
            pg = self._local.pg = self._connect()
        return pg

    def salt(self) -> str:
        return self._salt

    @contextlib.contextmanager
    def transaction(self):
        pg = self._pg()
        if getattr(self._local, "depth", 0):
            yield
            return
        self._local.depth = 1
        try:
            with pg.transaction():
                pg.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
                yield
        finally:
            self._local.depth = 0

    def events(self, kind: str, key: str, since: float) -> list[float]:
        rows = self._pg().execute(f"SELECT ts FROM {TABLE} WHERE kind = %s AND key = %s AND ts >= %s",
                                  [kind, key, since]).fetchall()
        return [r[0] for r in rows]

    def add(self, kind: str, key: str, now: float):
        pg = self._pg()
        pg.execute(f"INSERT INTO {TABLE} VALUES (%s, %s, %s)", [kind, key, now])
        pg.execute(f"DELETE FROM {TABLE} WHERE kind = %s AND ts < %s", [kind, now - KEEP])

    def clear(self, kind: str, key: str):
        self._pg().execute(f"DELETE FROM {TABLE} WHERE kind = %s AND key = %s", [kind, key])


def counters_path(store_path: Path | str) -> Path:
    """The local store's counters file: beside the store, not inside it (a publish or a
    rollback never touches it, and the store's bytes stay the published data's)."""
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + "-limits.sqlite")


_opened: dict[str, Counters] = {}
_opened_lock = threading.Lock()


def open_counters(cfg=None) -> Counters:
    """The counters of the configured store (one object per process and place)."""
    from data.config import settings

    cfg = cfg or settings()
    where = cfg.catalog or str(counters_path(cfg.store_path))
    with _opened_lock:
        if where not in _opened:
            if cfg.catalog:
                _opened[where] = PostgresCounters(cfg.catalog.removeprefix("postgres:"))
            else:
                _opened[where] = SQLiteCounters(counters_path(cfg.store_path))
        return _opened[where]


# ---------------------------------------------------------------------- limits built on them

@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0
    kind: str = ""


def take(counters: Counters, checks: list[tuple[str, str, int, float]], now: float | None = None) -> Decision:
    """Record one event under every ``(kind, key, limit, window)`` of ``checks`` if none of them
    is full; otherwise record nothing and say which one is full and for how long."""
    now = time.time() if now is None else now
    with counters.transaction():
        for kind, key, limit, window in checks:
            wait = window_limit(counters.events(kind, key, now - window), limit, window, now)
            if wait > 0:
                return Decision(False, wait, kind)
        for kind, key, _limit, _window in checks:
            counters.add(kind, key, now)
    return Decision(True)
