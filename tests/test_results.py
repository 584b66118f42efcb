"""Results computed once per version (scoring/results.py) equal what the pages compute
(ui/profile.py, default weights) on the demo data, and are stored with the version."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scoring
from data.demo import build_demo
from data.imports import derive
from scoring import results
from ui import profile

VIEWS = [("ES51", "TCN", 2024), ("ITC4", "BIP", 2021), ("SE224", "ALL", 2024),
         ("AT13", "BIP", 2024), ("DE2", "ALL", 2021)]


@pytest.fixture(scope="module")
def demo():
    tabs = derive(build_demo())
    scored = tabs["regions"].loc[tabs["regions"]["region_id"].isin(tabs["scores"]["region_id"]),
                                 "region_id"]
    cube = scoring.prepare(tabs["indicators"], tabs["scores"], regions=scored)
    return tabs, cube, results.compute(tabs)


def views(cube):
    ids = set(map(str, cube.regions))
    return [v for v in VIEWS if v[0] in ids]


def one(frame, **where):
    mask = np.ones(len(frame), bool)
    for k, v in where.items():
        mask &= (frame[k] == v).to_numpy(bool)
    return frame[mask]


def test_demo_views_exist(demo):
    _, cube, _ = demo
    assert len(views(cube)) >= 4


def test_overall_rank_and_band_equal_the_overview(demo):
    tabs, cube, res = demo
    for group in ("TCN", "BIP", "ALL"):
        for edition in (2021, 2024):
            page = profile.overall_table(cube, tabs["regions"], edition, group)
            page = page[page["score"].notna()].set_index("region_id")
            ours = one(res["res_ranks"], target_group=group, edition=edition)
            ours = ours[ours["overall"].notna()].set_index("region_id")
            assert sorted(ours.index) == sorted(page.index)
            ours = ours.loc[page.index]
            np.testing.assert_allclose(ours["overall"], page["score"], rtol=0, atol=1e-9)
            np.testing.assert_allclose(ours["coverage"], page["coverage"], atol=1e-12)
            for a, b in (("rank", "rank"), ("rank_low", "rank_low"), ("rank_high", "rank_high"),
                         ("areas_scored", "areas_scored"), ("areas_total", "areas_total"),
                         ("rank_country", "rank_country"),
                         ("rank_country_low", "rank_country_low"),
                         ("rank_country_high", "rank_country_high")):
                assert ours[a].astype("Float64").tolist() == page[b].astype("Float64").tolist(), a
            assert (ours["n"] == page["rank"].notna().sum()).all()


def test_area_phase_system_and_pair_scores_equal_the_axis_tables(demo):
    _, cube, res = demo
    s = res["res_scores"]
    for axis, by in (("area", "area"), ("phase", "phase"), ("system", "system"),
                     ("area×phase", ("area", "phase"))):
        page = profile.axis_table(cube, by)
        for region, group, edition in views(cube):
            p = page[(page["region_id"] == region) & (page["target_group"] == group)
                     & (page["edition"] == edition)]
            o = one(s, region_id=region, target_group=group, edition=edition, axis=axis)
            if isinstance(by, tuple):
                pk = p["area"].astype(str) + "|" + p["phase"].astype(str)
                ok = o["key"].astype(str) + "|" + o["key2"].astype(str)
            else:
                pk, ok = p[by].astype(str), o["key"].astype(str)
            left = dict(zip(pk, p["score"].astype(float)))
            right = dict(zip(ok, o["score"].astype(float)))
            assert left.keys() == right.keys()
            for k in left:
                assert left[k] == pytest.approx(right[k], abs=1e-9, nan_ok=True), (axis, k)
            cov = dict(zip(ok, o["coverage"]))
            assert all(cov[k] == pytest.approx(c, nan_ok=True) for k, c in
                       zip(pk, p["coverage"].astype(float)))


def test_priorities_equal_the_profile(demo):
    tabs, cube, res = demo
    table = profile.axis_table(cube, "area")
    for region, group, edition in views(cube):
        for peer_set, mode in (("all", "all"), ("country", "country")):
            peers = profile.peer_ids(table, region, mode, [], tabs["regions"], group, edition)
            page = profile.priority_table(table, region, peers, group, edition)
            ours = one(res["res_priorities"], region_id=region, target_group=group,
                       edition=edition, peer_set=peer_set).sort_values("position")
            assert ours["area"].tolist() == page["area"].astype(str).tolist(), (region, mode)
            assert ours["reason"].tolist() == page["reason"].tolist()
            assert ours["order"].astype("Float64").tolist() == \
                page["order"].astype("Float64").tolist()
            np.testing.assert_allclose(ours["peer_mean"], page["peer_mean"].astype(float),
                                       atol=1e-9)
            assert ours["n_peers"].tolist() == page["n_peers"].tolist()


def test_similar_regions_equal_the_profile(demo):
    tabs, cube, res = demo
    table = profile.axis_table(cube, "area")
    for region, group, edition in views(cube):
        page = profile.similar_regions(table, region, group, edition, {}, k=results.N_SIMILAR)
        ours = one(res["res_similar"], region_id=region, target_group=group,
                   edition=edition).sort_values("position")
        assert ours["other_id"].tolist() == page["region_id"].tolist()
        assert ours["distance"].tolist() == page["distance"].tolist()
        assert ours["n_common"].tolist() == page["n_common"].tolist()


def test_peer_means_equal_the_radar(demo):
    """The radar's peer mean (every other region) follows from the stored totals."""
    tabs, cube, res = demo
    table = profile.axis_table(cube, "area")
    for region, group, edition in views(cube):
        peers = profile.peer_ids(table, region, "all", [], tabs["regions"], group, edition)
        radar = profile.radar_frame(table, region, peers, group, edition, {})
        page = radar[radar["series"] == radar["series"].unique()[1]].set_index("area")
        pm = one(res["res_peers"], target_group=group, edition=edition, peer_set="all",
                 axis="area").set_index("key")
        own = one(res["res_scores"], region_id=region, target_group=group, edition=edition,
                  axis="area").set_index("key")["score"]
        for area, row in page.iterrows():
            has = pd.notna(own[area])
            expect = (pm.loc[area, "total"] - (own[area] if has else 0)) / \
                (pm.loc[area, "n"] - has)
            assert row["score"] == pytest.approx(expect, abs=1e-9)


def test_only_units_with_data_are_listed(demo):
    _, cube, res = demo
    for region, group, edition in views(cube):
        has = region in scoring.regions_with_data(cube, group, edition)
        ours = one(res["res_ranks"], region_id=region, target_group=group, edition=edition)
        assert len(ours) == int(has)


def test_two_frameworks_are_computed_apart(demo):
    tabs, _, _ = demo
    tabs = dict(tabs)
    ind = tabs["indicators"].copy()
    ind["framework"] = np.where(ind["area"].astype(str) == "health", "OTHER", "MIPEX-R")
    tabs["indicators"] = ind
    res = results.compute(tabs)
    assert set(res["res_ranks"]["framework"]) == {"MIPEX-R", "OTHER"}
    other = one(res["res_scores"], framework="OTHER", axis="area")
    assert set(other["key"]) == {"health"}


def test_fast_isin_equals_pandas():
    s = pd.Series(["a", "b", None, "c", "a"], dtype="str")
    assert results.isin_fast(s, ["a", "c"]).tolist() == s.isin(["a", "c"]).tolist()


# ------------------------------------------------------------------ stored with the version

def _publish_demo(store, change=None):
    tabs = derive(build_demo())
    if change:
        tabs = change(tabs)
    return store.publish(tabs, base_version=store.current_id(), who="test")


def _drop_one_region(tabs):
    tabs = dict(tabs)
    tabs["scores"] = tabs["scores"][tabs["scores"]["region_id"] != "ES51"]
    return tabs


def test_results_are_in_the_manifest_hash_and_match_the_files(tmp_path):
    import hashlib

    from data.store import Store

    store = Store(tmp_path / "s")
    v = _publish_demo(store)
    entry = store.manifest(v)["results"]
    h = hashlib.sha256()
    for name in results.NAMES:
        path = store.results_path(name, v)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["files"][name]["sha256"] == digest
        assert entry["files"][name]["rows"] == len(store.read_results(name, v))
        h.update(f"{name}:{digest}\n".encode())
    assert entry["hash"] == h.hexdigest()[:16]


def test_results_come_back_on_rollback(tmp_path):
    from data.query import Reader
    from data.store import Store

    store = Store(tmp_path / "s")
    v1 = _publish_demo(store)
    before = store.manifest(v1)["results"]["hash"]
    v2 = _publish_demo(store, _drop_one_region)
    assert v2 != v1 and store.manifest(v2)["results"]["hash"] != before
    assert "ES51" not in set(Reader(store, v2).overall("MIPEX-R", "TCN", 2024)["region_id"])
    back = store.rollback(v1, base_version=v2, who="test")
    assert back == v1 and store.current_id() == v1
    assert store.manifest()["results"]["hash"] == before
    assert "ES51" in set(Reader(store).overall("MIPEX-R", "TCN", 2024)["region_id"])


def test_a_version_without_results_gets_them_on_first_read(tmp_path):
    """A version published before results existed: the first reader computes them, writes
    them into the version and names them in the manifest; the second finds them."""
    import json
    import shutil

    from data.query import Reader
    from data.store import RESULTS_DIR, Store

    store = Store(tmp_path / "s")
    v = _publish_demo(store)
    want = store.manifest(v)["results"]
    folder = store.version_dir(v)
    shutil.rmtree(folder / RESULTS_DIR)
    man = json.loads((folder / "manifest.json").read_text())
    del man["results"]
    (folder / "manifest.json").write_text(json.dumps(man))
    assert Reader(store, v).count("res_ranks") > 0
    got = store.manifest(v)["results"]
    assert got["hash"] == want["hash"]  # the same figures, byte for byte
    stamp = (folder / RESULTS_DIR / "res_ranks.parquet").stat().st_mtime_ns
    Reader(store, v)
    assert (folder / RESULTS_DIR / "res_ranks.parquet").stat().st_mtime_ns == stamp
    assert not [p for p in (tmp_path / "s" / "versions").iterdir() if p.name.startswith(".tmp")]


def test_neighbour_search_by_matrix_products_equals_the_direct_one(monkeypatch):
    """The large-pool path (candidates by matrix products, then exact distances) gives the
    direct path's neighbours, distances and order — ties and missing areas included."""
    rng = np.random.default_rng(3)
    S = rng.integers(0, 5, (300, 6)).astype(float) * 25  # few values: many ties
    S[rng.random(S.shape) < 0.2] = np.nan
    S[7] = np.nan  # a unit with no score anywhere
    ids = np.array([f"U{i:04d}" for i in range(300)], dtype=object)
    keep = np.arange(300)
    codes = np.zeros(300, np.int64)
    base = {"framework": "F", "target_group": "TCN", "edition": 2024}
    direct = results._similar_rows(base, ids, keep, S, codes)
    monkeypatch.setattr(results, "_EXPAND_MIN", 0)
    monkeypatch.setattr(results, "_BLOCK_CELLS", 3000)  # several blocks
    fast = results._similar_rows(base, ids, keep, S, codes)
    pd.testing.assert_frame_equal(direct, fast)
    assert "U0007" not in set(direct["region_id"]) | set(direct["other_id"])


def test_large_stores_search_neighbours_within_country_then_parent(monkeypatch):
    monkeypatch.setattr(results, "SIMILAR_POOL_MAX", 4)
    c = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, -1])
    p = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, -1])
    pools = [sorted(x.tolist()) for x in results._pools(10, c, p)]
    assert sorted(pools) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    monkeypatch.setattr(results, "SIMILAR_POOL_MAX", 100)
    assert [x.tolist() for x in results._pools(10, c, p)] == [list(range(10))]


def test_data_init_and_the_default_dataset_carry_results(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import ROOT
    from data.imports import ensure_default
    from data.store import Store

    env = dict(os.environ, MIPEXR_STORE=str(tmp_path / "cli"))
    env.pop("MIPEXR_CATALOG", None)
    out = subprocess.run([sys.executable, "-m", "data", "init"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "res_ranks" in out.stdout
    assert Store(tmp_path / "cli").manifest()["results"]["files"]["res_ranks"]["rows"] > 0
    # a store whose current version predates results gets them at start
    store = Store(tmp_path / "s")
    v = ensure_default(store)
    man = store.manifest(v)
    import json
    import shutil

    from data.store import RESULTS_DIR
    shutil.rmtree(store.version_dir(v) / RESULTS_DIR)
    del man["results"]
    (store.version_dir(v) / "manifest.json").write_text(json.dumps(man))
    assert ensure_default(store) is None
    assert store.manifest(v)["results"]["files"]["res_ranks"]["rows"] > 0


def test_policy_outcome_pairs_equal_the_region_panel(demo):
    tabs, cube, res = demo
    table = profile.axis_table(cube, "area")
    catalogue = profile.measure_catalogue(tabs["measures"], tabs["outcomes"])
    checked = 0
    for region, group, edition in views(cube):
        for measure in catalogue["measure"].astype(str):
            page = profile.outcome_gap(table, tabs["outcomes"], catalogue, tabs["regions"],
                                       region, group, edition, measure)
            ours = one(res["res_outcomes"], region_id=region, target_group=group,
                       edition=edition, measure=measure)
            if page is None or page["proxy"] or page["status"] != "gap":
                assert ours.empty or page is not None
                continue
            row = page["row"].iloc[0]
            assert len(ours) == 1, (region, measure)
            o = ours.iloc[0]
            assert o["area"] == row["area"]
            for c in ("policy_score", "outcome_gap", "value_reference", "value_migrant"):
                assert o[c] == pytest.approx(float(row[c]), nan_ok=True), c
            assert int(o["year"]) == int(row["year"])
            checked += 1
    assert checked >= 3


def test_one_country_and_no_country(demo):
    """Every unit in one country (the peer sets are "all" and that country), or none."""
    tabs, _, _ = demo
    for country in ("ES", None):
        t = dict(tabs, regions=tabs["regions"].assign(country=country))
        res = results.compute(t)
        sets = set(res["res_peers"]["peer_set"])
        assert sets == ({"all", "ES"} if country else {"all"})
        prio = res["res_priorities"]
        assert len(prio) and set(prio["peer_set"]) == ({"all", "country"} if country else {"all"})
