"""The shared store: DuckLake, its catalog in PostgreSQL, its Parquet files on shared storage.

Several app replicas (and the staff command line) use one lake at once. It keeps the local
store's meaning exactly (:class:`data.store.Store`): a version id is the content hash of the
tables, each version has a manifest, every publish (rollback included) is an event in
the history, a publish based on a version that is no longer current is refused with
:class:`~data.store.StaleVersionError`, and only the newest ``keep_versions`` versions are
kept.

How the versions are carried:

* the tables are DuckLake tables ``regions`` … ``measures``; a publish replaces the
  tables whose content changed, in one DuckLake transaction, which makes one snapshot;
* that snapshot's commit ``extra_info`` names the version and holds its manifest (and one
  hash per table, so the next publish rewrites only what changed); reading a version is
  reading the tables ``AT (VERSION => its snapshot)``;
* the same transaction appends the event to the table ``mipexr_history``, which outlives
  the snapshots that pruning expires;
* the results computed at publish (:mod:`scoring.results`) are DuckLake tables
  ``res_scores`` … ``res_priorities`` written in the same transaction (so a snapshot holds a
  version with its results, and rollback brings them back: copied from the version's kept
  snapshot, not recomputed); the manifest's ``results`` names their rows and hash. A
  version published before results existed gets them on first read
  (:meth:`LakeStore.ensure_results`): the current version in a snapshot of its own, an
  older one computed in memory for the reader that asks;
* publishers take a PostgreSQL advisory lock, then compare the current version with the
  caller's base version and commit, so the check and the commit cannot interleave with
  another replica's (a process that dies releases its lock with its connection).

The DuckDB extensions come from the pinned PyPI wheels and are loaded from their files:
nothing is ever downloaded (``INSTALL`` would).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import threading
from pathlib import Path

import duckdb
import pandas as pd

from data.config import REPO_ROOT, Settings
from data.schema import TABLE_ORDER, TABLES, empty_frame
from data.store import (SQL_TYPES, Source, StaleVersionError, StoreError, canonical, content_id,
                        empty_select, now_iso)

#: DuckDB type of each results column type (scoring.results.SCHEMAS).
RESULT_TYPES = {"str": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN"}
HISTORY = "mipexr_history"
LAKE = "lake"  # the name the lake is attached under in every connection
#: The advisory-lock key of publishers (any constant shared by every replica).
LOCK_KEY = int.from_bytes(hashlib.sha256(b"mipexr-r publish").digest()[:7], "big")


def extension_path(name: str, module: str | None = None) -> str:
    """The file of DuckDB extension ``name`` inside its pinned PyPI wheel."""
    mod = importlib.import_module(module or f"duckdb_extension_{name}")
    path = Path(mod.__file__).parent / "extensions" / f"v{duckdb.__version__}" / \
        f"{name}.duckdb_extension"
    if not path.is_file():
        raise StoreError(f"The DuckDB extension {name} for DuckDB {duckdb.__version__} is not "
                         f"installed ({path}); pin duckdb-extension-{name} to that version.")
    return str(path)


def _sql_literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def lake_root(catalog: str, data_path: str) -> str:
    """The text that names a lake (its ``root``); passwords are never part of it."""
    words = [w for w in catalog.split() if not w.lower().startswith("password=")]
    return f"ducklake:{' '.join(words)} data_path={data_path}"


class LakeStore:
    """The DuckLake store. One per process and lake (see :func:`data.backends.open_store`);
    safe to use from many threads: each thread gets its own DuckDB cursor."""

    backend = "lake"

    def __init__(self, catalog: str, data_path: str, keep_versions: int = 20,
                 s3: dict | None = None):
        if not catalog.startswith("postgres:"):
            raise StoreError("The shared store needs a PostgreSQL catalog "
                             "('postgres:dbname=… host=… user=…').")
        if not data_path:
            raise StoreError("The shared store needs a data path (a shared folder or s3://…).")
        if "://" not in data_path:
            path = Path(data_path)
            data_path = str(path if path.is_absolute() else REPO_ROOT / path)
            Path(data_path).mkdir(parents=True, exist_ok=True)
        self.catalog, self.data_path = catalog, data_path.rstrip("/") + "/"
        self.conninfo = catalog.removeprefix("postgres:")
        self.keep_versions = keep_versions
        self.s3 = dict(s3 or {})
        self.root = lake_root(catalog, self.data_path)
        self._db = self._connect()
        self._local = threading.local()
        self._initialised = False

    @classmethod
    def from_settings(cls, cfg: Settings) -> "LakeStore":
        return cls(cfg.catalog, cfg.data_path, cfg.keep_versions, cfg.s3)

    # ------------------------------------------------------------------ connections
    def attach_lake(self, con: duckdb.DuckDBPyConnection, read_only: bool = False):
        """Load the extensions into ``con`` and attach the lake as ``lake``."""
        con.execute(f"LOAD {_sql_literal(extension_path('postgres_scanner'))}")
        con.execute(f"LOAD {_sql_literal(extension_path('ducklake'))}")
        if self.data_path.startswith(("s3://", "http://", "https://")):
            con.execute(f"LOAD {_sql_literal(extension_path('httpfs'))}")
            con.execute(self._secret_sql())
        options = f"DATA_PATH {_sql_literal(self.data_path)}"
        if read_only:
            options += ", READ_ONLY"
        con.execute(f"ATTACH {_sql_literal('ducklake:' + self.catalog)} AS {LAKE} ({options})")

    def _secret_sql(self) -> str:
        s3 = self.s3
        parts = ["TYPE s3", f"REGION {_sql_literal(s3.get('region', 'us-east-1'))}",
                 f"URL_STYLE {_sql_literal(s3.get('url_style', 'path'))}",
                 f"USE_SSL {str(s3.get('use_ssl', 'true')).lower() in ('1', 'true', 'yes')}"]
        for key, word in (("endpoint", "ENDPOINT"), ("key_id", "KEY_ID"), ("secret", "SECRET")):
            if s3.get(key):
                parts.append(f"{word} {_sql_literal(s3[key])}")
        return f"CREATE OR REPLACE SECRET mipexr_s3 ({', '.join(parts)})"

    def _connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(":memory:", config={"threads": 2})
        try:
            self.attach_lake(con)
        except duckdb.Error as exc:
            con.close()
            raise StoreError(f"The shared store cannot be opened ({self.root}): {exc}") from exc
        return con

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self._db.cursor()
        return cur

    def close(self):
        self._db.close()

    # ------------------------------------------------------------------ reading
    def _snapshots(self) -> list[tuple[int, dict]]:
        """(snapshot id, extra info) of every kept snapshot that carries a version, oldest
        first."""
        rows = self._cursor().execute(
            f"SELECT snapshot_id, commit_extra_info FROM {LAKE}.snapshots() "
            "WHERE commit_extra_info LIKE '{%' ORDER BY snapshot_id").fetchall()
        out = []
        for sid, info in rows:
            with contextlib.suppress(json.JSONDecodeError):
                payload = json.loads(info)
                if isinstance(payload, dict) and "version" in payload:
                    out.append((sid, payload))
        return out

    def _snapshot_of(self, version: str) -> tuple[int, dict] | None:
        """The newest kept snapshot of ``version``."""
        found = [s for s in self._snapshots() if s[1]["version"] == version]
        return found[-1] if found else None

    def current_id(self) -> str | None:
        row = self._cursor().execute(
            f"SELECT commit_extra_info FROM {LAKE}.snapshots() WHERE commit_extra_info LIKE "
            "'{%' ORDER BY snapshot_id DESC LIMIT 1").fetchone()
        return json.loads(row[0])["version"] if row else None

    def _has_table(self, name: str) -> bool:
        return bool(self._cursor().execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
            [LAKE, name]).fetchone()[0])

    def _events(self) -> list[dict]:
        if not self._has_table(HISTORY):
            return []
        rows = self._cursor().execute(f"SELECT event FROM {LAKE}.{HISTORY} ORDER BY seq").fetchall()
        return [json.loads(r[0]) for r in rows]

    def state(self) -> dict:
        events = self._events()
        return {"current": events[-1]["version"] if events else None, "history": events}

    def has_version(self, version: str) -> bool:
        return self._snapshot_of(version) is not None

    def _resolve(self, version: str | None) -> tuple[str, int, dict]:
        version = version or self.current_id()
        if version is None:
            raise StoreError("The store is empty: nothing has been published yet.")
        snap = self._snapshot_of(version)
        if snap is None:
            raise StoreError(f"Version {version} is not kept in the store (it may have been pruned).")
        return version, snap[0], snap[1]

    def snapshot(self, version: str | None = None) -> int:
        """The DuckLake snapshot that holds ``version`` (the current one by default)."""
        return self._resolve(version)[1]

    def manifest(self, version: str | None = None) -> dict:
        return dict(self._resolve(version)[2]["manifest"])

    def version_dir(self, version: str):
        raise StoreError("The shared store keeps versions as DuckLake snapshots, not folders.")

    def table_path(self, table: str, version: str | None = None):
        raise StoreError("The shared store keeps versions as DuckLake snapshots, not files; "
                         "read them with read_table() or a data.query.Reader.")

    def read_table(self, table: str, version: str | None = None, *, _snapshot: int | None = None
                   ) -> pd.DataFrame:
        if table not in TABLES:
            raise ValueError(f"'{table}' is not a table of the store.")
        snap = _snapshot if _snapshot is not None else self.snapshot(version)
        if not self._existed(table, snap):  # the schema added it after this version
            return empty_frame(table)
        arrow = self._cursor().execute(
            f"SELECT * FROM {LAKE}.main.{table} AT (VERSION => {int(snap)})").to_arrow_table()
        # DuckLake returns rows in no set order: restore the canonical one.
        return canonical(table, arrow.to_pandas())

    def _existed(self, table: str, snapshot: int) -> bool:
        """Whether ``table`` existed at ``snapshot`` (a table the schema added later did not)."""
        try:
            self._cursor().execute(
                f"SELECT 1 FROM {LAKE}.main.{table} AT (VERSION => {int(snapshot)}) LIMIT 0"
            ).fetchall()
        except duckdb.CatalogException:
            return False
        return True

    def tables(self, version: str | None = None) -> dict[str, pd.DataFrame]:
        if version is None and self.current_id() is None:
            return {t: empty_frame(t) for t in TABLE_ORDER}
        snap = self.snapshot(version)
        return {t: self.read_table(t, _snapshot=snap) for t in TABLE_ORDER}

    def history(self) -> list[dict]:
        """Publishes, newest first, each marked ``kept`` when its snapshot is still there."""
        kept = {info["version"] for _, info in self._snapshots()}
        return [dict(e, kept=e["version"] in kept) for e in reversed(self._events())]

    def versions(self) -> list[str]:
        """The ids of the versions whose data is kept, oldest first."""
        return list(dict.fromkeys(info["version"] for _, info in self._snapshots()))

    def attach(self, con: duckdb.DuckDBPyConnection, version: str):
        """Make views of ``version``'s tables in ``con``, readable and nothing else."""
        snap = self.snapshot(version)
        self.attach_lake(con, read_only=True)
        for table in TABLE_ORDER:
            source = (f"SELECT * FROM {LAKE}.main.{table} AT (VERSION => {int(snap)})"
                      if self._existed(table, snap) else empty_select(table))
            con.execute(f"CREATE VIEW {table} AS {source}")
        from scoring.results import NAMES, compute

        info = self._resolve(version)[2]
        if (info.get("manifest") or {}).get("results"):
            for name in NAMES:
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM {LAKE}.main.{name} "
                            f"AT (VERSION => {int(snap)})")
        else:  # an older version published before results: computed for this reader only
            frames = compute(self.tables(version))
            for name in NAMES:  # tables of the in-memory database: every cursor sees them
                con.register("_mipexr_res", frames[name])
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM _mipexr_res")
                con.unregister("_mipexr_res")
        con.execute("SET allowed_directories = ?", [[self.data_path]])
        con.execute("SET enable_external_access = false")

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def _locked(self):
        """Hold the publishers' advisory lock in PostgreSQL (released if the process dies)."""
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as pg:
            pg.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
            try:
                yield
            finally:
                pg.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])

    def _initialise(self, cur):
        if self._initialised:
            return
        cur.execute("BEGIN")
        for name in TABLE_ORDER:
            cols = ", ".join(f'"{c.name}" {SQL_TYPES[c.dtype]}' for c in TABLES[name].columns)
            cur.execute(f"CREATE TABLE IF NOT EXISTS {LAKE}.main.{name} ({cols})")
            # Columns the schema added since the lake was made (older snapshots keep their
            # own columns; reading them conforms to the schema).
            have = {r[0] for r in cur.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND "
                "table_name = ?", [LAKE, name]).fetchall()}
            for c in TABLES[name].columns:
                if c.name not in have:
                    cur.execute(f'ALTER TABLE {LAKE}.main.{name} ADD COLUMN "{c.name}" '
                                f"{SQL_TYPES[c.dtype]}")
        from scoring.results import SCHEMAS

        for name, cols in SCHEMAS.items():
            spec = ", ".join(f'"{c}" {RESULT_TYPES[t]}' for c, t in cols.items())
            cur.execute(f"CREATE TABLE IF NOT EXISTS {LAKE}.main.{name} ({spec})")
        cur.execute(f"CREATE TABLE IF NOT EXISTS {LAKE}.main.{HISTORY} "
                    "(seq BIGINT, version VARCHAR, event VARCHAR)")
        cur.execute("COMMIT")
        self._initialised = True

    def publish(self, tables: dict[str, pd.DataFrame], *, base_version: str | None, who: str,
                note: str = "", sources: list[Source] = (), illustrative: dict | None = None,
                action: str = "publish", canonical_tables: bool = False) -> str:
        """As :meth:`data.store.Store.publish`: one DuckLake snapshot per publish."""
        if not canonical_tables:
            # a table the caller does not give (written before the schema had it) is empty
            tables = {t: canonical(t, tables[t] if t in tables else empty_frame(t))
                      for t in TABLE_ORDER}
        version = content_id(tables)
        hashes = {t: table_hash(tables[t]) for t in TABLE_ORDER}
        cur = self._cursor()
        with self._locked():
            self._initialise(cur)
            snaps = self._snapshots()
            current = snaps[-1][1] if snaps else None
            current_id = current["version"] if current else None
            if current_id != base_version:
                raise StaleVersionError(base_version, current_id)
            same = [info for _, info in snaps if info["version"] == version]
            manifest = same[-1]["manifest"] if same else {
                "version": version, "created": now_iso(), "who": who, "note": note,
                "sources": [s.__dict__ for s in sources],
                "rows": {t: len(tables[t]) for t in TABLE_ORDER},
                "illustrative": {t: bool((illustrative or {}).get(t, False)) for t in TABLE_ORDER}}
            event = {"version": version, "time": now_iso(), "who": who, "note": note,
                     "action": action, "previous": current_id,
                     "sources": [s.__dict__ for s in sources],
                     "rows": {t: len(tables[t]) for t in TABLE_ORDER}}
            info = {"version": version, "manifest": manifest, "hashes": hashes}
            old_hashes = current["hashes"] if current else {}
            # the results: unchanged when the current snapshot is this version with them,
            # copied from a kept snapshot of this version that has them, else computed
            had = [sid for sid, i in snaps if i["version"] == version
                   and (i.get("manifest") or {}).get("results")]
            results_from = None if current_id == version and had else \
                (had[-1] if had else "compute")
            try:
                self._commit(cur, tables, hashes, old_hashes, event, info, who, note,
                             results_from)
            except duckdb.TransactionException as exc:
                # Only a writer that bypassed the lock can get here; never merge silently.
                raise StaleVersionError(base_version, self.current_id()) from exc
            self._prune()
        return version

    def _write_results(self, cur, tables, source) -> dict:
        """Replace the results tables inside the open transaction: copied from snapshot
        ``source`` (an int) or computed chunk by chunk from ``tables`` ("compute").
        Returns the manifest's results entry (rows per table, hash)."""
        from scoring.results import NAMES, SCHEMAS, iter_results

        rows = dict.fromkeys(NAMES, 0)
        h = hashlib.sha256()
        for name in NAMES:
            cur.execute(f"DELETE FROM {LAKE}.main.{name}")
        if source == "compute":
            for name, frame in iter_results(tables):
                if not len(frame):
                    continue
                cols = ", ".join(f'"{c}"' for c in SCHEMAS[name])
                cur.register("_mipexr_res", frame)
                cur.execute(f"INSERT INTO {LAKE}.main.{name} ({cols}) SELECT {cols} FROM "
                            "_mipexr_res")
                cur.unregister("_mipexr_res")
                rows[name] += len(frame)
                h.update(name.encode())
                h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
            return {"files": {n: {"rows": rows[n]} for n in NAMES}, "hash": h.hexdigest()[:16]}
        entry = None
        for sid, info in self._snapshots():
            if sid == source:
                entry = info["manifest"]["results"]
        for name in NAMES:
            cur.execute(f"INSERT INTO {LAKE}.main.{name} SELECT * FROM {LAKE}.main.{name} "
                        f"AT (VERSION => {int(source)})")
        return entry

    def ensure_results(self, version: str | None = None) -> dict | None:
        """The version's results entry; the current version published before results
        existed gets them now, in a snapshot of its own (no history event: the data did not
        change). An older version returns None: :meth:`attach` computes its results in
        memory for the reader (writing them would make it the current snapshot)."""
        version, _, info = self._resolve(version)
        entry = (info.get("manifest") or {}).get("results")
        if entry or version != self.current_id():
            return entry
        cur = self._cursor()
        with self._locked():
            self._initialise(cur)
            snaps = self._snapshots()
            sid, info = snaps[-1]
            if info["version"] != version:
                return None  # someone published meanwhile; this one is no longer current
            if (info.get("manifest") or {}).get("results"):
                return info["manifest"]["results"]
            tables = self.tables(version)
            cur.execute("BEGIN")
            try:
                entry = self._write_results(cur, tables, "compute")
                info = dict(info, manifest=dict(info["manifest"], results=entry))
                cur.execute(f"CALL {LAKE}.set_commit_message(?, ?, extra_info => ?)",
                            ["results", "", json.dumps(info, ensure_ascii=False)])
                cur.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    cur.execute("ROLLBACK")
                raise
        return entry

    def _commit(self, cur, tables, hashes, old_hashes, event, info, who, note,
                results_from="compute"):
        cur.execute("BEGIN")
        try:
            if results_from is not None:
                info["manifest"] = dict(info["manifest"], results=self._write_results(
                    cur, tables, results_from))
            for name in TABLE_ORDER:
                if hashes[name] == old_hashes.get(name):
                    continue  # unchanged: the new snapshot shares the old files
                frame = tables[name]
                cur.register("_mipexr_frame", frame)
                cur.execute(f"DELETE FROM {LAKE}.main.{name}")
                cols = ", ".join(f'"{c}"' for c in TABLES[name].names)
                cur.execute(f"INSERT INTO {LAKE}.main.{name} ({cols}) SELECT {cols} FROM "
                            "_mipexr_frame")
                cur.unregister("_mipexr_frame")
            seq = cur.execute(f"SELECT coalesce(max(seq), 0) + 1 FROM {LAKE}.main.{HISTORY}"
                              ).fetchone()[0]
            cur.execute(f"INSERT INTO {LAKE}.main.{HISTORY} VALUES (?, ?, ?)",
                        [seq, event["version"], json.dumps(event, ensure_ascii=False)])
            cur.execute(f"CALL {LAKE}.set_commit_message(?, ?, extra_info => ?)",
                        [who, note, json.dumps(info, ensure_ascii=False)])
            cur.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                cur.execute("ROLLBACK")
            raise

    def rollback(self, version: str, *, base_version: str | None, who: str, note: str = "") -> str:
        """Make a kept earlier version current again, recorded as a publish of its own."""
        if not self.has_version(version):
            raise StoreError(f"Version {version} is not kept in the store; it cannot be restored.")
        tables = self.tables(version)
        manifest = self.manifest(version)
        return self.publish(tables, base_version=base_version, who=who,
                            note=note or f"Rollback to {version}",
                            illustrative=manifest.get("illustrative", {}), action="rollback",
                            canonical_tables=True)

    def _prune(self):
        """Expire the snapshots of versions beyond the newest ``keep_versions`` and delete
        their files. Every snapshot of a kept version stays, so a reader opened on an older
        snapshot of a version that was published again keeps working."""
        cur = self._cursor()
        events = self._events()
        keep, seen = {events[-1]["version"]}, []
        for event in reversed(events):
            if event["version"] not in seen:
                seen.append(event["version"])
        keep.update(seen[: self.keep_versions])
        latest = cur.execute(f"SELECT max(snapshot_id) FROM {LAKE}.snapshots()").fetchone()[0]
        kept_snaps = {sid for sid, info in self._snapshots() if info["version"] in keep}
        all_snaps = [r[0] for r in cur.execute(f"SELECT snapshot_id FROM {LAKE}.snapshots()"
                                               ).fetchall()]
        expire = [s for s in all_snaps if s not in kept_snaps and s != latest]
        if expire:
            cur.execute(f"CALL ducklake_expire_snapshots('{LAKE}', versions => ?)", [expire])
            cur.execute(f"CALL ducklake_cleanup_old_files('{LAKE}', cleanup_all => true)")


def table_hash(frame: pd.DataFrame) -> str:
    """Hash of one canonical table (the same ingredients as :func:`data.store.content_id`)."""
    h = hashlib.sha256("\x1f".join(frame.columns).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]

