"""Fixtures for the shared (DuckLake) store: a PostgreSQL started on loopback for the test
session, a fresh catalog database per test, and backend-neutral helpers.

Import the fixtures into a test module (``from lakefix import pg_server, ...``). Without
PostgreSQL's binaries the lake tests are skipped, unless ``MIPEXR_REQUIRE_LAKE=1`` (as in
CI), where that is a failure.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import tree_hash
from deploy.servers import Postgres, pg_bin

REQUIRED = os.environ.get("MIPEXR_REQUIRE_LAKE") == "1"
BACKENDS = ["local", "lake"]
_db_names = itertools.count(1)


def need_postgres():
    if pg_bin() is None:
        if REQUIRED:
            pytest.fail("MIPEXR_REQUIRE_LAKE=1 but PostgreSQL is not installed "
                        "(apt-get install postgresql).")
        pytest.skip("PostgreSQL is not installed")


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL for the whole session, stopped and removed at its end. Its folder is
    not under pytest's tmp_path, which the ``postgres`` account may not enter."""
    need_postgres()
    folder = Path(tempfile.mkdtemp(prefix="mipexr-pg-"))
    pg = Postgres(folder).start()
    yield pg
    pg.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def lake_env(pg_server, tmp_path) -> dict:
    """The environment that points a process at a new, empty lake."""
    catalog = pg_server.create_db(f"lake_{os.getpid()}_{next(_db_names)}")
    return {"MIPEXR_CATALOG": catalog, "MIPEXR_DATA_PATH": str(tmp_path / "lake") + "/"}


def make_store(backend: str, request, settings):
    """An empty store of ``backend`` with ``settings``' keep_versions."""
    from data.lake import LakeStore
    from data.store import Store

    if backend == "local":
        return Store(settings.store_path, settings.keep_versions), {}
    env = request.getfixturevalue("lake_env")
    store = LakeStore(env["MIPEXR_CATALOG"], env["MIPEXR_DATA_PATH"], settings.keep_versions)
    request.addfinalizer(store.close)
    return store, env


def reopen(store, keep_versions=None):
    """A new object over the same store (as another process would open it)."""
    from data.lake import LakeStore
    from data.store import Store

    keep = keep_versions or store.keep_versions
    if store.backend == "local":
        return Store(store.root, keep)
    return LakeStore(store.catalog, store.data_path, keep, store.s3)


def fingerprint(store) -> str:
    """Equal before and after ⇔ the store did not change (files, versions, history)."""
    if store.backend == "local":
        return tree_hash(store.root)
    h = hashlib.sha256()
    cur = store._cursor()
    for row in cur.execute("SELECT snapshot_id, commit_extra_info FROM lake.snapshots() "
                           "ORDER BY snapshot_id").fetchall():
        h.update(repr(row).encode())
    h.update(repr(store.state()).encode())
    data = Path(store.data_path)
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(data)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()
