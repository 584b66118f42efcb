"""The versioned store: publish, history, rollback, stale refusal, pruning, crash safety.

Every test runs on both backends: the local Parquet store and the shared DuckLake store
(catalog in a PostgreSQL started for the session, see ``lakefix``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from conftest import CSV, ROOT
from data.imports import Upload, plan_import, publish_plan
from data.query import Reader
from data.store import StaleVersionError, content_id, canonical
from data.schema import TABLE_ORDER
from lakefix import BACKENDS, fingerprint, lake_env, make_store, pg_server, reopen  # noqa: F401


@pytest.fixture(params=BACKENDS)
def small_store(request, settings):
    """A store of each backend whose current version holds the tiny tables of conftest."""
    store, _ = make_store(request.param, request, settings)
    uploads = [Upload(f"{t}.csv", CSV[t].encode(), t) for t in TABLE_ORDER]
    plan = plan_import(store, uploads, settings)
    assert plan.ok, plan.problems.to_string()
    publish_plan(store, plan, who="test", note="fixture")
    return store


def change_one_answer(store, settings, answer="B"):
    text = CSV["scores"].replace("ES51,LM01,TCN,2024,A", f"ES51,LM01,TCN,2024,{answer}")
    plan = plan_import(store, [Upload("scores.csv", text.encode(), "scores")], settings)
    assert plan.ok
    return plan


def test_publish_creates_version_with_manifest(small_store):
    man = small_store.manifest()
    assert man["version"] == small_store.current_id()
    assert man["rows"] == {"regions": 4, "indicators": 4, "scores": 7, "practices": 1, "outcomes": 2,
                           "measures": 1}
    assert {s["name"] for s in man["sources"]} == {f"{t}.csv" for t in TABLE_ORDER}
    assert all(len(s["sha256"]) == 64 for s in man["sources"])
    assert man["illustrative"] == {t: False for t in TABLE_ORDER}


def test_values_resolved_from_answers(small_store):
    sc = small_store.read_table("scores").set_index(["region_id", "indicator_id"])
    assert sc.loc[("ES51", "LM02"), "value"] == 50.0
    assert sc.loc[("ES62", "HE01"), "value"] == 50.0  # given directly
    pr = small_store.read_table("practices")
    assert (pr["lat"].item(), pr["lon"].item()) == (41.8, 1.5)  # the region's


def test_upsert_diff_and_history(small_store, settings):
    before = small_store.current_id()
    plan = change_one_answer(small_store, settings)
    d = plan.diffs["scores"]
    assert (len(d.added), len(d.removed), d.n_changed_rows) == (0, 0, 1)
    assert set(d.changed["column"]) == {"answer", "value"}
    v2 = publish_plan(small_store, plan, who="anna", note="fix LM01")
    assert v2 != before
    hist = small_store.history()
    assert [h["version"] for h in hist] == [v2, before]
    assert hist[0]["who"] == "anna" and hist[0]["note"] == "fix LM01" and hist[0]["previous"] == before


def test_replace_mode_removes_rows(small_store, settings):
    text = "\n".join(CSV["scores"].splitlines()[:3])
    plan = plan_import(small_store, [Upload("s.csv", text.encode(), "scores", "replace")], settings)
    assert plan.ok
    assert len(plan.diffs["scores"].removed) == 5


def test_stale_publish_refused(small_store, settings):
    plan_a = change_one_answer(small_store, settings, "B")
    plan_b = change_one_answer(small_store, settings, "C")
    publish_plan(small_store, plan_a, who="a")
    before = fingerprint(small_store)
    with pytest.raises(StaleVersionError, match="The data changed since you started"):
        publish_plan(small_store, plan_b, who="b")
    assert fingerprint(small_store) == before


def test_rollback_restores_content_exactly(small_store, settings):
    v1 = small_store.current_id()
    t1 = small_store.tables()
    publish_plan(small_store, change_one_answer(small_store, settings), who="a")
    v3 = small_store.rollback(v1, base_version=small_store.current_id(), who="b")
    assert v3 == v1
    for t in TABLE_ORDER:
        pd.testing.assert_frame_equal(small_store.tables()[t], t1[t])
    assert small_store.history()[0]["action"] == "rollback"


def test_content_id_ignores_row_order(small_store):
    tables = small_store.tables()
    shuffled = {t: canonical(t, f.sample(frac=1, random_state=1)) for t, f in tables.items()}
    assert content_id(shuffled) == small_store.current_id()


def test_old_versions_pruned_but_history_kept(small_store, settings):
    for i, ans in enumerate(["B", "C", "A", "B", "C", "A", "B"]):
        text = CSV["scores"].replace("ES51,LM02,TCN,2024,B", f"ES51,LM02,TCN,2024,{ans}").replace(
            "ES62,HE01,TCN,2024,,50", f"ES62,HE01,TCN,2024,,{i}")
        plan = plan_import(small_store, [Upload("s.csv", text.encode(), "scores")], settings)
        publish_plan(small_store, plan, who="x")
    assert len(small_store.versions()) == settings.keep_versions
    if small_store.backend == "local":
        kept = [d for d in (small_store.root / "versions").iterdir()]
        assert len(kept) == settings.keep_versions
    hist = small_store.history()
    assert len(hist) == 8 and not hist[-1]["kept"]
    assert [h["kept"] for h in hist] == [True] * 5 + [False] * 3
    with pytest.raises(Exception, match="not kept"):
        small_store.rollback(hist[-1]["version"], base_version=small_store.current_id(), who="x")


def test_reader_is_read_only(small_store):
    r = Reader(small_store)
    with pytest.raises(Exception, match="disabled|Permission"):
        r.query("COPY scores TO '/tmp/x.parquet'")
    out = r.query("SELECT count(*) AS n FROM scores WHERE region_id = ?", ["ES51"])
    assert out["n"].item() == 3


def test_identifier_whitelist(small_store):
    r = Reader(small_store)
    with pytest.raises(ValueError):
        r.distinct("scores; DROP TABLE x", "region_id")
    assert r.distinct("scores", "region_id") == ["ES51", "ES62", "ITF3"]


PUBLISHER = textwrap.dedent("""
    import sys, numpy as np, pandas as pd
    sys.path.insert(0, {root!r})
    from data.backends import open_store
    store = open_store({location!r})
    tables = store.tables()
    n = 400_000
    rng = np.random.default_rng(int(sys.argv[1]))
    sc = pd.DataFrame({{"region_id": "ES51", "indicator_id": "LM01", "target_group": "TCN",
                       "edition": np.arange(n) % 100 + 1950, "answer": None,
                       "value": rng.random(n) * 100, "note": "x" * 20, "source": "s"}})
    sc["indicator_id"] = np.where(np.arange(n) // 100 % 2 == 0, "LM01", "LM02")
    sc["region_id"] = np.array(["ES51", "ES62", "ITF3"])[np.arange(n) // 200 % 3]
    sc = sc.drop_duplicates(["region_id", "indicator_id", "target_group", "edition"])
    tables["scores"] = sc
    print("start", flush=True)
    while True:
        tables["scores"]["value"] = rng.random(len(sc)) * 100
        store.publish(tables, base_version=store.current_id(), who="crash-test")
""")


def test_killed_publisher_leaves_a_consistent_store(small_store):
    """Kill a process that publishes in a loop at many moments: every time, the store opens
    at a complete version whose files match its manifest."""
    script = PUBLISHER.format(root=str(ROOT), location=str(small_store.root))
    env = dict(os.environ)
    if small_store.backend == "lake":
        env.update(MIPEXR_CATALOG=small_store.catalog, MIPEXR_DATA_PATH=small_store.data_path)
    delays = [0.0, 0.15, 0.3, 0.45, 0.6, 0.8, 1.0, 1.3]
    if small_store.backend == "lake":  # a DuckLake commit is one PostgreSQL transaction
        delays = [0.0, 0.4, 0.9, 1.5]
    for i, delay in enumerate(delays):
        proc = subprocess.Popen([sys.executable, "-c", script, str(i)], stdout=subprocess.PIPE,
                                env=env)
        assert proc.stdout.readline().strip() == b"start"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        store = reopen(small_store, keep_versions=5)
        current = store.current_id()
        tables = store.tables()
        assert content_id({t: canonical(t, f) for t, f in tables.items()}) == current
        assert store.manifest()["rows"]["scores"] == len(tables["scores"])
        Reader(store).query("SELECT count(*) FROM scores")


def test_versions_written_before_a_schema_change_still_read(small_store, monkeypatch):
    """A column the schema adds later (e.g. a translation) reads back empty from old versions."""
    import dataclasses

    from data import schema

    extra = schema.Column("label_xx", "str", "test column")
    wider = dataclasses.replace(schema.INDICATORS, columns=(*schema.INDICATORS.columns, extra))
    monkeypatch.setitem(schema.TABLES, "indicators", wider)
    frame = small_store.read_table("indicators")
    assert "label_xx" in frame.columns and frame["label_xx"].isna().all()
    assert Reader(small_store).table("indicators")["label_xx"].isna().all()
