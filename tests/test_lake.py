"""The shared store across processes: two publishers at the same moment, a reader process,
the backend chosen by configuration only, and Parquet files on an S3-compatible server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import CSV, ROOT
from data.config import Settings, settings as read_settings
from data.imports import Upload, plan_import, publish_plan
from data.lake import LakeStore
from data.query import Reader
from data.schema import TABLE_ORDER
from data.backends import open_store
from data.store import Store
from lakefix import BACKENDS, REQUIRED, lake_env, make_store, pg_server  # noqa: F401

#: A staff member's publish in a process of its own: plan against the current version, say
#: "ready", wait for "go" on stdin, publish; print the outcome as one JSON line.
PUBLISHER = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {root!r}); sys.path.insert(0, {tests!r})
    from conftest import CSV
    from data.config import settings
    from data.imports import Upload, plan_import, publish_plan
    from data.backends import open_store
    from data.store import StaleVersionError
    store = open_store({location!r})
    text = CSV["scores"].replace("ES51,LM01,TCN,2024,A", "ES51,LM01,TCN,2024," + sys.argv[1])
    plan = plan_import(store, [Upload("scores.csv", text.encode(), "scores")], settings())
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        print(json.dumps({{"ok": publish_plan(store, plan, who=sys.argv[1])}}), flush=True)
    except StaleVersionError as exc:
        print(json.dumps({{"stale": str(exc), "base": exc.base, "current": exc.current}}),
              flush=True)
""")

#: A reader process: open a Reader on the current version, report it, then on "again"
#: report what a new interaction sees (the current id and a fresh Reader's answer).
READER = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {root!r})
    from data.query import Reader
    from data.backends import open_store
    store = open_store({location!r})
    def look():
        r = Reader(store, store.current_id())
        q = "SELECT answer FROM scores WHERE region_id = 'ES51' AND indicator_id = 'LM01'"
        print(json.dumps({{"version": r.version, "answer": r.query(q)["answer"].item()}}),
              flush=True)
    look()
    sys.stdin.readline()
    look()
""")


@pytest.fixture(params=BACKENDS)
def shared_store(request, settings):
    store, env = make_store(request.param, request, settings)
    uploads = [Upload(f"{t}.csv", CSV[t].encode(), t) for t in TABLE_ORDER]
    publish_plan(store, plan_import(store, uploads, settings), who="test")
    return store, dict(os.environ, **env)


def spawn(script: str, store, env, *args) -> subprocess.Popen:
    code = script.format(root=str(ROOT), tests=str(ROOT / "tests"), location=str(store.root))
    return subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)


def test_concurrent_publishes_one_wins_one_refused(shared_store):
    """Two processes plan on the same version and publish at the same moment: exactly one
    succeeds, the other is refused with the 'data changed' message; nothing is merged, and
    a reader process sees the winner's version on its next look."""
    store, env = shared_store
    base = store.current_id()
    reader = spawn(READER, store, env)
    first = json.loads(reader.stdout.readline())
    assert first["version"] == base and first["answer"] == "A"
    pubs = [spawn(PUBLISHER, store, env, answer) for answer in ("B", "C")]
    for p in pubs:
        assert p.stdout.readline().strip() == "ready"
    for p in pubs:  # "go" to both before reading either answer
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in pubs]
    wins = [r for r in results if "ok" in r]
    refusals = [r for r in results if "stale" in r]
    assert len(wins) == 1 and len(refusals) == 1, results
    assert "The data changed since you started" in refusals[0]["stale"]
    assert refusals[0]["base"] == base and refusals[0]["current"] == wins[0]["ok"]
    # No lost update and no merge: the winner's content is current, recorded once.
    winner = "B" if results[0] is wins[0] else "C"
    after = open_store(store.root, cfg=_cfg(env)) if store.backend == "lake" else store
    assert after.current_id() == wins[0]["ok"]
    hist = after.history()
    assert [h["version"] for h in hist[:2]] == [wins[0]["ok"], base]
    assert hist[0]["who"] == winner
    scores = after.read_table("scores").set_index(["region_id", "indicator_id"])
    assert scores.loc[("ES51", "LM01"), "answer"] == winner
    # The reader process sees the new version on its next interaction.
    reader.stdin.write("again\n")
    reader.stdin.flush()
    second = json.loads(reader.communicate(timeout=60)[0].strip())
    assert second == {"version": wins[0]["ok"], "answer": winner}


def _cfg(env) -> Settings:
    old = dict(os.environ)
    try:
        os.environ.update(env)
        return read_settings()
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_backend_is_configuration_only(lake_env, tmp_path, monkeypatch):
    """No catalog: the local store (the default for a fresh clone). A catalog and a data
    path in the environment or in mipexr.toml: the shared store, opened once per process."""
    monkeypatch.delenv("MIPEXR_CATALOG", raising=False)
    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "local"))
    assert isinstance(open_store(), Store)
    toml = tmp_path / "mipexr.toml"
    toml.write_text(f'[store]\ncatalog = "{lake_env["MIPEXR_CATALOG"]}"\n'
                    f'data_path = "{lake_env["MIPEXR_DATA_PATH"]}"\nkeep_versions = 3\n'
                    '[store.s3]\nuse_ssl = false\n')
    monkeypatch.setenv("MIPEXR_CONFIG", str(toml))
    cfg = read_settings()
    assert (cfg.catalog, cfg.keep_versions, cfg.s3) == (lake_env["MIPEXR_CATALOG"], 3,
                                                       {"use_ssl": "False"})
    lake = open_store()
    assert isinstance(lake, LakeStore) and lake.keep_versions == 3
    assert open_store(lake.root) is lake  # the app's loaders reopen it by its root
    assert lake.current_id() is None and lake.history() == []
    assert all(f.empty for f in lake.tables().values())
    with pytest.raises(Exception, match="empty"):
        lake.manifest()


def test_reader_locked_down_on_lake(shared_store):
    store, _ = shared_store
    r = Reader(store)
    assert r.query("SELECT count(*) AS n FROM scores")["n"].item() == 7
    for sql in ("COPY scores TO '/tmp/mipexr-x.parquet'", "INSERT INTO lake.main.scores "
                "SELECT * FROM scores", "ATTACH '/tmp/mipexr-x.duckdb' AS x"):
        with pytest.raises(Exception):
            r.query(sql)
    r.close()


def test_parquet_on_s3_compatible_server(pg_server, tmp_path, settings):
    """The Parquet files on SeaweedFS (S3 API on loopback) through DuckDB's httpfs."""
    from deploy.servers import BUCKET, S3_KEY_ID, S3_SECRET, start_seaweed, stop_pid

    try:
        weed, port = start_seaweed(tmp_path / "seaweed")
    except (RuntimeError, FileNotFoundError) as exc:
        if REQUIRED:
            raise
        pytest.skip(f"SeaweedFS did not start: {exc}")
    try:
        s3 = {"endpoint": f"127.0.0.1:{port}", "key_id": S3_KEY_ID, "secret": S3_SECRET,
              "use_ssl": "false"}
        catalog = pg_server.create_db("lake_s3")
        store = LakeStore(catalog, f"s3://{BUCKET}/test/", 2, s3)
        uploads = [Upload(f"{t}.csv", CSV[t].encode(), t) for t in TABLE_ORDER]
        v1 = publish_plan(store, plan_import(store, uploads, settings), who="a")
        text = CSV["scores"].replace("ES51,LM01,TCN,2024,A", "ES51,LM01,TCN,2024,C")
        plan = plan_import(store, [Upload("s.csv", text.encode(), "scores")], settings)
        v2 = publish_plan(store, plan, who="b")
        assert Reader(store, v1).query("SELECT count(*) AS n FROM scores")["n"].item() == 7
        assert store.rollback(v1, base_version=v2, who="c") == v1
        assert [h["version"] for h in store.history()] == [v1, v2, v1]
        store.close()
    finally:
        stop_pid(weed.pid)


# ------------------------------------------------------------------ results with the version

def _demo_tables(drop_region=None):
    from data.demo import build_demo
    from data.imports import derive

    tabs = derive(build_demo())
    if drop_region:
        tabs["scores"] = tabs["scores"][tabs["scores"]["region_id"] != drop_region]
    return tabs


@pytest.mark.parametrize("backend", BACKENDS)
def test_results_published_with_the_version_and_back_on_rollback(backend, request, settings):
    """Both backends: a publish carries its results (same figures on either), a rollback
    brings the earlier version's results back."""
    store, _ = make_store(backend, request, settings)
    v1 = store.publish(_demo_tables(), base_version=None, who="test")
    top = Reader(store, v1).overall("MIPEX-R", "TCN", 2024, limit=5)
    assert store.manifest(v1)["results"]["files"]["res_ranks"]["rows"] > 0
    v2 = store.publish(_demo_tables("ES51"), base_version=v1, who="test")
    r2 = Reader(store, v2)
    assert "ES51" not in set(r2.overall("MIPEX-R", "TCN", 2024)["region_id"])
    assert store.rollback(v1, base_version=v2, who="test") == v1
    back = Reader(store).overall("MIPEX-R", "TCN", 2024, limit=5)
    assert back["region_id"].tolist() == top["region_id"].tolist()
    assert back["score"].tolist() == top["score"].tolist()
    assert store.manifest()["results"] == store.manifest(v1)["results"]


def _as_before_results(store):
    """Make the lake's current version look written before results existed: no results in
    its manifest, none in the results tables."""
    from scoring import results

    cur = store._cursor()
    _sid, info = store._snapshots()[-1]
    info["manifest"].pop("results")
    cur.execute("BEGIN")
    for name in results.NAMES:
        cur.execute(f"DELETE FROM lake.main.{name}")
    cur.execute("CALL lake.set_commit_message('old', '', extra_info => ?)", [json.dumps(info)])
    cur.execute("COMMIT")


def test_lake_version_without_results_gets_them_on_first_read(request, settings):
    """A lake version published before results existed: the current one gets them in a
    snapshot of its own (still the same version, no new history event); an older one is
    computed for its reader."""
    store, _ = make_store("lake", request, settings)
    v1 = store.publish(_demo_tables(), base_version=None, who="test")
    _as_before_results(store)
    assert "results" not in store.manifest(v1)
    events = len(store.history())
    r = Reader(store, v1)
    assert store.current_id() == v1 and len(store.history()) == events
    assert store.manifest(v1)["results"]["files"]["res_ranks"]["rows"] == r.count("res_ranks")
    assert r.count("res_ranks") > 0
    # an older version without results: computed for its reader, nothing written
    v2 = store.publish(_demo_tables("ES51"), base_version=v1, who="test")
    sid, info = store._snapshots()[0]
    assert info["version"] == v1
    assert store.manifest(v1)["results"]  # v1's newest snapshot has them (from above)
    old = Reader(store, v2)
    assert "ES51" not in set(old.overall("MIPEX-R", "TCN", 2024)["region_id"])


def test_lake_older_version_without_results_is_computed_for_its_reader(request, settings):
    store, _ = make_store("lake", request, settings)
    v1 = store.publish(_demo_tables(), base_version=None, who="test")
    _as_before_results(store)
    v2 = store.publish(_demo_tables("ES51"), base_version=v1, who="test")
    before = len(store._snapshots())
    r1 = Reader(store, v1)
    assert "ES51" in set(r1.overall("MIPEX-R", "TCN", 2024)["region_id"])
    assert "results" not in store.manifest(v1) and len(store._snapshots()) == before
    assert store.current_id() == v2
    # a rollback to it computes them into the new snapshot
    store.rollback(v1, base_version=v2, who="test")
    assert store.manifest()["results"]["files"]["res_ranks"]["rows"] == r1.count("res_ranks")
