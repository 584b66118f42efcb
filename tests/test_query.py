"""The one read path (data/query.py): each view's query returns what the stored results and
raw tables hold for that view, nothing more; every query has a row cap and a time limit;
values are parameters, never SQL text."""

from __future__ import annotations

import threading

import duckdb
import numpy as np
import pandas as pd
import pytest

from data.imports import ensure_default
from data.query import QueryTimeout, QueryTooLarge, Reader
from data.store import Store

FW, GROUP, EDITION, REGION = "MIPEX-R", "TCN", 2024, "ES51"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store(tmp_path_factory.mktemp("query") / "store")
    ensure_default(s)
    return s


@pytest.fixture(scope="module")
def reader(store):
    r = Reader(store)
    yield r
    r.close()


@pytest.fixture(scope="module")
def res(store):
    return {n: store.read_results(n) for n in ("res_scores", "res_ranks", "res_peers",
                                               "res_similar", "res_priorities")}


def rows(frame, **where):
    mask = np.ones(len(frame), bool)
    for k, v in where.items():
        mask &= (frame[k] == v).to_numpy(bool)
    return frame[mask]


def test_overall_is_the_ranked_list_and_pages(reader, res):
    full = reader.overall(FW, GROUP, EDITION)
    stored = rows(res["res_ranks"], framework=FW, target_group=GROUP, edition=EDITION)
    assert len(full) == len(stored)
    ranks = full["rank"].dropna().tolist()
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert full["name"].notna().all()
    top = reader.overall(FW, GROUP, EDITION, limit=5)
    assert top["region_id"].tolist() == full["region_id"].head(5).tolist()
    page2 = reader.overall(FW, GROUP, EDITION, limit=5, offset=5)
    assert page2["region_id"].tolist() == full["region_id"].iloc[5:10].tolist()


def test_unit_results_are_one_units_rows(reader, res):
    got = reader.unit_results(FW, REGION, GROUP, EDITION)
    stored = rows(res["res_scores"], framework=FW, region_id=REGION, target_group=GROUP,
                  edition=EDITION)
    assert len(got) == len(stored) > 10
    assert set(got["axis"]) == {"overall", "area", "phase", "system", "area×phase"}
    ov = got.loc[got["axis"] == "overall", "score"].item()
    ranked = rows(res["res_ranks"], region_id=REGION, target_group=GROUP, edition=EDITION)
    assert ov == pytest.approx(ranked["overall"].item())


def test_axis_column_is_one_area_across_units(reader, res):
    got = reader.axis_column(FW, "area", "health", GROUP, EDITION)
    stored = rows(res["res_scores"], framework=FW, axis="area", key="health",
                  target_group=GROUP, edition=EDITION)
    assert sorted(got["region_id"]) == sorted(stored["region_id"])
    assert got["region_id"].is_unique
    pair = reader.axis_column(FW, "area×phase", "health", GROUP, EDITION, key2="formulation")
    assert len(pair) == len(got)


def test_peer_means(reader, res):
    got = reader.peer_means(FW, GROUP, EDITION, "all")
    area = got[got["axis"] == "area"].set_index("key")
    col = reader.axis_column(FW, "area", "health", GROUP, EDITION)
    assert area.loc["health", "mean"] == pytest.approx(col["score"].mean())
    assert area.loc["health", "n"] == col["score"].notna().sum()
    country = reader.peer_means(FW, GROUP, EDITION, "ES")
    assert (country["n"] <= got.set_index(["axis", "key"]).loc[
        list(zip(country["axis"], country["key"])), "n"].to_numpy()).all()


def test_similar_and_priorities(reader, res):
    sim = reader.similar(FW, REGION, GROUP, EDITION, 3)
    assert sim["position"].tolist() == [1, 2, 3]
    assert REGION not in set(sim["region_id"]) and sim["name"].notna().all()
    assert sim["distance"].is_monotonic_increasing
    prio = reader.priorities(FW, REGION, GROUP, EDITION, "all")
    assert prio["position"].tolist() == list(range(1, len(prio) + 1))
    chosen = prio[prio["priority"]]
    assert chosen["order"].tolist() == list(range(1, len(chosen) + 1))
    assert (chosen["shortfall"] > 0).all()


def test_unit_scores_are_the_drilldowns_raw_rows(reader, store):
    scores = store.read_table("scores")
    got = reader.unit_scores(FW, REGION, GROUP, EDITION)
    want = scores[(scores["region_id"] == REGION) & (scores["target_group"] == GROUP)
                  & (scores["edition"] == EDITION)]
    assert sorted(got["indicator_id"]) == sorted(want["indicator_id"])
    both = reader.unit_scores(FW, REGION, "ALL", EDITION)
    assert set(both["target_group"]) == {"TCN", "BIP"}
    assert reader.unit_scores("NO SUCH INDEX", REGION, GROUP, EDITION).empty


def test_regions_and_count(reader, store):
    got = reader.regions(["region_id", "name"], ids=["ES51", "ITC4", "nowhere"])
    assert got["region_id"].tolist() == ["ES51", "ITC4"]
    assert list(got.columns) == ["region_id", "name"]
    assert len(reader.regions()) == len(store.read_table("regions"))
    assert reader.count("scores") == len(store.read_table("scores"))
    assert reader.count("res_ranks") == store.manifest()["results"]["files"]["res_ranks"]["rows"]
    with pytest.raises(ValueError):
        reader.regions(["region_id; DROP TABLE scores"])
    with pytest.raises(ValueError):
        reader.count("scores; SELECT 1")


def test_row_cap(store):
    r = Reader(store, max_rows=10)
    try:
        assert len(r.overall(FW, GROUP, EDITION, limit=10)) == 10
        with pytest.raises(QueryTooLarge, match="more than 10 rows"):
            r.overall(FW, GROUP, EDITION)
        with pytest.raises(QueryTooLarge):
            r.query("SELECT * FROM range(1000000)")
        assert len(r.query("SELECT * FROM range(1000000)", max_rows=1_000_000)) == 1_000_000
    finally:
        r.close()


def test_time_limit_interrupts_a_slow_query(store):
    r = Reader(store, timeout=0.3)
    try:
        slow = "SELECT count(*) FROM range(1000000000000) a"
        with pytest.raises(QueryTimeout, match="longer than 0.3 s"):
            r.query(slow)
        # the reader still works after an interrupted query, and a quick query is not stopped
        assert r.count("regions") > 0
    finally:
        r.close()


def test_each_thread_reads_with_its_own_cursor(reader):
    out, errors = [], []

    def work():
        try:
            out.append(len(reader.overall(FW, GROUP, EDITION, limit=3)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and out == [3] * 4


def test_values_are_parameters_never_sql(reader, monkeypatch):
    """A hostile value reaches DuckDB as a parameter: no injected SQL runs, and no value
    appears in the statement text."""
    seen = []
    real = duckdb.DuckDBPyConnection.execute
    evil = "x' OR '1'='1"

    class Spy:
        def __init__(self, cur):
            self.cur = cur

        def execute(self, sql, params=None):
            seen.append((sql, params))
            return real(self.cur, sql, params)

        def interrupt(self):
            self.cur.interrupt()

    cur = reader._cursor()
    monkeypatch.setattr(reader, "_cursor", lambda: Spy(cur))
    calls = [lambda: reader.overall(evil, evil, 2024, limit=1),
             lambda: reader.unit_results(FW, evil, GROUP, EDITION),
             lambda: reader.axis_column(FW, "area", evil, GROUP, EDITION, key2=evil),
             lambda: reader.peer_means(FW, GROUP, EDITION, evil),
             lambda: reader.similar(FW, evil, GROUP, EDITION, 5),
             lambda: reader.priorities(FW, evil, GROUP, EDITION, evil),
             lambda: reader.unit_scores(evil, evil, evil, EDITION),
             lambda: reader.regions(["region_id"], ids=[evil]),
             lambda: reader.outcome_pairs(FW, evil, EDITION, evil, evil)]
    for call in calls:
        assert call().empty
    assert len(seen) == len(calls)
    for sql, params in seen:
        assert evil not in sql and "OR '1'='1" not in sql
        flat = [p for v in params for p in (v if isinstance(v, list) else [v])]
        assert evil in flat


def test_outcome_pairs(reader, store):
    got = reader.outcome_pairs(FW, GROUP, EDITION, "employment_rate_20_64")
    assert len(got) > 5 and got["region_id"].is_unique
    one_unit = reader.outcome_pairs(FW, GROUP, EDITION, "employment_rate_20_64", REGION)
    assert one_unit["region_id"].tolist() == [REGION]
    assert one_unit["outcome_gap"].item() == pytest.approx(
        got.set_index("region_id").loc[REGION, "outcome_gap"])
