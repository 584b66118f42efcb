"""The versioned Parquet store: every publish is a complete, immutable version.

Layout of the store directory::

    store.json                 the current version and the history of publishes (one file,
                               replaced atomically: it *is* the current-version pointer)
    versions/<id>/<table>.parquet
    versions/<id>/manifest.json
    versions/<id>/results/<name>.parquet   what the pages show, computed at publish
                               (:mod:`scoring.results`); the manifest holds their hashes
    .lock                      serialises publishers (several processes may publish)

A version id is a content hash of the tables, so publishing the same content twice
(or rolling back) points at the same files. A publish writes the new version into a
temporary directory, renames it into place, then replaces ``store.json``; a process killed
at any moment leaves ``store.json`` naming either the old or the new version, both
complete. Readers only ever follow ``store.json``.

The results files are a function of the tables, so they do not change the version id; the
manifest records each file's SHA-256 and a hash over them all (``results.hash``), so a
version (and a rollback to it) carries its results. A version written before results
existed gets them on first read (:meth:`Store.ensure_results`), written beside it
atomically.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from data.schema import TABLE_ORDER, TABLES, conform, empty_frame

STATE_FILE = "store.json"
RESULTS_DIR = "results"


class StoreError(Exception):
    """Something is wrong with the store itself (missing version, unreadable state)."""


class StaleVersionError(StoreError):
    """The data changed since the caller read it: publishing would overwrite someone's work."""

    def __init__(self, base, current):
        super().__init__(
            "The data changed since you started: version "
            f"{current or '(none)'} was published after the version {base or '(none)'} your "
            "preview was based on. Nothing was published. Review the changes again and publish.")
        self.base, self.current = base, current


@dataclass(frozen=True)
class Source:
    """A file a version was built from."""

    name: str
    sha256: str
    bytes: int
    table: str = ""

    @classmethod
    def of(cls, name: str, content: bytes, table: str = "") -> "Source":
        return cls(name, hashlib.sha256(content).hexdigest(), len(content), table)


def canonical(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table in schema column order and types, sorted by its key, with a clean index."""
    frame = conform(table, frame)
    return frame.sort_values(list(TABLES[table].key), kind="stable", na_position="last").reset_index(drop=True)


#: DuckDB type of each schema dtype.
SQL_TYPES = {"str": "VARCHAR", "list": "VARCHAR", "int": "BIGINT", "float": "DOUBLE"}


def empty_select(table: str) -> str:
    """SQL for an empty relation with ``table``'s columns and types (names from the schema)."""
    cols = ", ".join(f'CAST(NULL AS {SQL_TYPES[c.dtype]}) AS "{c.name}"'
                     for c in TABLES[table].columns)
    return f"SELECT {cols} WHERE false"


def results_select(name: str) -> str:
    """SQL for an empty relation with results table ``name``'s columns and types."""
    from scoring.results import SCHEMAS

    types = {"str": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN"}
    cols = ", ".join(f'CAST(NULL AS {types[t]}) AS "{c}"' for c, t in SCHEMAS[name].items())
    return f"SELECT {cols} WHERE false"


def content_id(tables: dict[str, pd.DataFrame]) -> str:
    """Hash of the canonical tables: equal content ⇔ equal id."""
    h = hashlib.sha256()
    for name in TABLE_ORDER:
        frame = tables[name]
        h.update(name.encode())
        h.update("\x1f".join(frame.columns).encode())
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def _fsync_dir(path: Path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, payload: dict):
    """Write JSON so that a reader sees the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=1, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _arrow_schema(name: str) -> pa.Schema:
    from scoring.results import SCHEMAS

    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    return pa.schema([(c, types[t]) for c, t in SCHEMAS[name].items()])


#: Results of recently published contents, by content id (a version id), kept in this
#: process when small: publishing the same content again (a rollback, the default dataset in
#: a new store, a test's fixture) replays them instead of computing them again. A version id
#: is the hash of the raw tables and results are a pure function of those, so the key is exact.
_RECENT_RESULTS: OrderedDict[str, list] = OrderedDict()
_RECENT_MAX, _RECENT_MAX_ROWS = 4, 200_000
_recent_lock = threading.Lock()


def results_chunks(tables: dict[str, pd.DataFrame], key: str | None = None):
    """(table name, chunk) pairs of the results of ``tables``
    (:func:`scoring.results.iter_results`), replayed from :data:`_RECENT_RESULTS` when
    ``key`` (the content id of ``tables``) was computed recently in this process."""
    from scoring.results import iter_results

    with _recent_lock:
        hit = _RECENT_RESULTS.get(key) if key else None
        if hit is not None:
            _RECENT_RESULTS.move_to_end(key)
    if hit is not None:
        yield from hit
        return
    kept, rows = [], 0
    for name, frame in iter_results(tables):
        rows += len(frame)
        if kept is not None:
            kept.append((name, frame))
            if rows > _RECENT_MAX_ROWS:
                kept = None  # a large version: not kept in memory
        yield name, frame
    if key and kept is not None:
        with _recent_lock:
            _RECENT_RESULTS[key] = kept
            while len(_RECENT_RESULTS) > _RECENT_MAX:
                _RECENT_RESULTS.popitem(last=False)


def write_results(tables: dict[str, pd.DataFrame], folder: Path, key: str | None = None) -> dict:
    """Compute the results of ``tables`` (:func:`scoring.results.iter_results`) and write
    them into ``folder`` as ``<name>.parquet``, chunk by chunk (one framework × target group
    × edition in memory at a time). Returns the manifest entry: per file its rows and
    SHA-256, and ``hash`` over all of them."""
    from scoring.results import NAMES

    folder.mkdir(parents=True, exist_ok=True)
    writers, rows = {}, dict.fromkeys(NAMES, 0)
    try:
        for name in NAMES:
            writers[name] = pq.ParquetWriter(folder / f"{name}.parquet", _arrow_schema(name),
                                              compression="zstd")
        for name, frame in results_chunks(tables, key):
            if len(frame):
                writers[name].write_table(pa.Table.from_pandas(
                    frame, schema=_arrow_schema(name), preserve_index=False))
                rows[name] += len(frame)
    finally:
        for w in writers.values():
            w.close()
    files, h = {}, hashlib.sha256()
    for name in NAMES:
        path = folder / f"{name}.parquet"
        digest = _file_sha256(path)
        with path.open("rb") as fh:
            os.fsync(fh.fileno())
        files[name] = {"rows": rows[name], "sha256": digest}
        h.update(f"{name}:{digest}\n".encode())
    _fsync_dir(folder)
    return {"files": files, "hash": h.hexdigest()[:16]}


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Store:
    """A store directory. Cheap to create; every method reads the state afresh."""

    backend = "local"

    def __init__(self, root: Path | str, keep_versions: int = 20):
        self.root = Path(root)
        self.keep_versions = keep_versions

    # ------------------------------------------------------------------ reading
    def state(self) -> dict:
        path = self.root / STATE_FILE
        if not path.exists():
            return {"current": None, "history": []}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"The store's state file {path.name} cannot be read: {exc}") from exc

    def current_id(self) -> str | None:
        return self.state()["current"]

    def version_dir(self, version: str) -> Path:
        return self.root / "versions" / version

    def has_version(self, version: str) -> bool:
        return (self.version_dir(version) / "manifest.json").exists()

    def _resolve(self, version: str | None) -> str:
        version = version or self.current_id()
        if version is None:
            raise StoreError("The store is empty: nothing has been published yet.")
        if not self.has_version(version):
            raise StoreError(f"Version {version} is not kept in the store (it may have been pruned).")
        return version

    def manifest(self, version: str | None = None) -> dict:
        version = self._resolve(version)
        return json.loads((self.version_dir(version) / "manifest.json").read_text(encoding="utf-8"))

    def table_path(self, table: str, version: str | None = None) -> Path:
        return self.version_dir(self._resolve(version)) / f"{table}.parquet"

    def results_path(self, name: str, version: str | None = None) -> Path:
        from scoring.results import NAMES

        if name not in NAMES:
            raise ValueError(f"'{name}' is not a results table.")
        return self.version_dir(self._resolve(version)) / RESULTS_DIR / f"{name}.parquet"

    def read_results(self, name: str, version: str | None = None) -> pd.DataFrame:
        """A whole results table (tests and exports; pages read through data.query)."""
        from scoring.results import typed

        self.ensure_results(version)
        return typed(name, pq.read_table(self.results_path(name, version)).to_pandas())

    def ensure_results(self, version: str | None = None) -> dict:
        """The version's results entry of the manifest, computing and writing the results
        first when the version was published before they existed. Atomic: the files are
        written into a temporary folder, renamed into the version, and only then does the
        manifest (replaced atomically) name them; a process killed half-way leaves the
        version as it was, and the next read computes them again."""
        version = self._resolve(version)
        entry = self.manifest(version).get("results")
        if entry:
            return entry
        with self._locked():
            manifest = self.manifest(version)
            if manifest.get("results"):
                return manifest["results"]
            tmp = self.root / "versions" / f".tmp-{uuid.uuid4().hex}"
            entry = write_results(self.results_inputs(version), tmp, version)
            target = self.version_dir(version) / RESULTS_DIR
            if target.exists():  # a leftover the manifest never named
                shutil.rmtree(target)
            os.rename(tmp, target)
            _fsync_dir(self.version_dir(version))
            write_json_atomic(self.version_dir(version) / "manifest.json",
                              dict(manifest, results=entry))
        return entry

    def results_inputs(self, version: str | None = None) -> dict[str, pd.DataFrame]:
        """The tables the results are computed from, the scores lean: only the columns
        scoring reads, labels dictionary-encoded (categoricals) — at 24M rows a fraction of
        the memory and time of the whole table as strings."""
        tables = {t: self.read_table(t, version) for t in TABLE_ORDER if t != "scores"}
        path = self.table_path("scores", version)
        cols = ["region_id", "indicator_id", "target_group", "edition", "answer", "value"]
        arrow = pq.read_table(path, columns=cols,
                              read_dictionary=["region_id", "indicator_id", "target_group",
                                               "answer"])
        tables["scores"] = arrow.to_pandas()
        return tables

    def read_table(self, table: str, version: str | None = None) -> pd.DataFrame:
        path = self.table_path(table, version)
        if not path.exists():  # a table the schema added after this version was published
            return empty_frame(table)
        return conform(table, pq.read_table(path).to_pandas())

    def tables(self, version: str | None = None) -> dict[str, pd.DataFrame]:
        if version is None and self.current_id() is None:
            return {t: empty_frame(t) for t in TABLE_ORDER}
        return {t: self.read_table(t, version) for t in TABLE_ORDER}

    def history(self) -> list[dict]:
        """Publishes, newest first, each marked ``kept`` when its files are still there."""
        events = self.state()["history"]
        return [dict(e, kept=self.has_version(e["version"])) for e in reversed(events)]

    def versions(self) -> list[str]:
        """The ids of the versions whose files are kept, oldest publish first."""
        seen = dict.fromkeys(e["version"] for e in self.state()["history"])
        return [v for v in seen if self.has_version(v)]

    def attach(self, con, version: str):
        """Make views of ``version``'s tables in DuckDB connection ``con``, which may then
        read that version's files and nothing else, and write nowhere."""
        for table in TABLE_ORDER:
            path = self.table_path(table, version)
            if not path.exists():  # a table the schema added after this version was published
                con.execute(f"CREATE VIEW {table} AS {empty_select(table)}")
                continue
            # A path cannot be a prepared-statement parameter in a view definition; it comes
            # from the store, never from a user, and is quoted as a SQL string literal.
            literal = "'" + str(path).replace("'", "''") + "'"
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({literal})")
        from scoring.results import NAMES

        for name in NAMES:  # the results computed at publish (views exist even without)
            path = self.version_dir(version) / RESULTS_DIR / f"{name}.parquet"
            if path.exists():
                literal = "'" + str(path).replace("'", "''") + "'"
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({literal})")
            else:
                con.execute(f"CREATE VIEW {name} AS {results_select(name)}")
        con.execute("SET allowed_directories = ?", [[str(self.version_dir(version)) + "/"]])
        con.execute("SET enable_external_access = false")

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def _locked(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def publish(self, tables: dict[str, pd.DataFrame], *, base_version: str | None, who: str,
                note: str = "", sources: list[Source] = (), illustrative: dict | None = None,
                action: str = "publish", canonical_tables: bool = False) -> str:
        """Write ``tables`` as a new version and make it current; return its id.

        ``base_version`` is the version the caller's preview was computed against: if it is
        no longer current, :class:`StaleVersionError` is raised and nothing changes.
        ``illustrative`` maps table → True for tables holding illustrative (not real) data.
        ``canonical_tables`` says the tables already went through :func:`canonical` (as an
        import plan's do), which saves sorting a large table twice.
        """
        if not canonical_tables:
            # a table the caller does not give (written before the schema had it) is empty
            tables = {t: canonical(t, tables[t] if t in tables else empty_frame(t))
                      for t in TABLE_ORDER}
        version = content_id(tables)
        with self._locked():
            state = self.state()
            if state["current"] != base_version:
                raise StaleVersionError(base_version, state["current"])
            if not self.has_version(version):
                self._write_version(version, tables, who, note, sources, illustrative or {})
            event = {"version": version, "time": now_iso(), "who": who, "note": note,
                     "action": action, "previous": state["current"],
                     "sources": [s.__dict__ for s in sources],
                     "rows": {t: len(tables[t]) for t in TABLE_ORDER}}
            state = {"current": version, "history": [*state["history"], event]}
            write_json_atomic(self.root / STATE_FILE, state)
            self._prune(state)
        return version

    def rollback(self, version: str, *, base_version: str | None, who: str, note: str = "") -> str:
        """Make a kept earlier version current again, recorded as a publish of its own."""
        if not self.has_version(version):
            raise StoreError(f"Version {version} is not kept in the store; it cannot be restored.")
        tables = self.tables(version)
        manifest = self.manifest(version)
        return self.publish(tables, base_version=base_version, who=who,
                            note=note or f"Rollback to {version}",
                            illustrative=manifest.get("illustrative", {}), action="rollback")

    def _write_version(self, version, tables, who, note, sources, illustrative):
        versions = self.root / "versions"
        versions.mkdir(parents=True, exist_ok=True)
        tmp = versions / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        for name in TABLE_ORDER:
            path = tmp / f"{name}.parquet"
            pq.write_table(pa.Table.from_pandas(tables[name], preserve_index=False), path,
                           compression="zstd")
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
        results = write_results(tables, tmp / RESULTS_DIR, version)
        manifest = {"version": version, "created": now_iso(), "who": who, "note": note,
                    "sources": [s.__dict__ for s in sources],
                    "rows": {t: len(tables[t]) for t in TABLE_ORDER},
                    "illustrative": {t: bool(illustrative.get(t, False)) for t in TABLE_ORDER},
                    "results": results}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False),
                                           encoding="utf-8")
        with (tmp / "manifest.json").open("rb") as fh:
            os.fsync(fh.fileno())
        _fsync_dir(tmp)
        target = self.version_dir(version)
        if target.exists():  # a half-deleted leftover with no manifest
            shutil.rmtree(target)
        os.rename(tmp, target)
        _fsync_dir(versions)

    def _prune(self, state: dict):
        """Keep the current version and the newest ``keep_versions`` distinct ones."""
        keep, seen = {state["current"]}, []
        for event in reversed(state["history"]):
            if event["version"] not in seen:
                seen.append(event["version"])
        keep.update(seen[: self.keep_versions])
        versions = self.root / "versions"
        for path in versions.iterdir():
            if path.name.startswith(".tmp-") or path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
