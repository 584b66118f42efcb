"""The benchmarks' own parts, small and fast: the 100,000-unit generator at 300 units, the
click probe's "script finished" test, the load test's issue-18 preset, and the first view of
a region on a tiny store. A benchmark that silently measures nothing would put wrong figures
in the README; these keep the pieces honest without running the benchmarks themselves."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))


def test_synthetic_units_look_like_the_issue_asks():
    import bench_scale

    from data.schema import split_list

    tables = bench_scale.synthetic_units(300)
    regions, scores, ind = tables["regions"], tables["scores"], tables["indicators"]
    assert len(regions) == 300 and regions["region_id"].is_unique
    assert set(regions["level"]) == {"LAU"}
    assert regions["region_id"].str.match(r"^[A-Z]{2}\d{7}$").all()
    assert (regions["region_id"].str[:2] == regions["country"]).all()
    assert len(ind) == 61
    assert set(scores["edition"]) == {2021, 2024} and set(scores["target_group"]) == {"TCN", "BIP"}
    cells = sum(len(split_list(g)) for g in ind["target_groups"]) * 2 * 300
    missing = 1 - len(scores) / cells
    assert 0.02 < missing < 0.06
    assert set(scores["region_id"].astype(str)) <= set(regions["region_id"])
    assert scores["value"].between(0, 100).all()


def test_synthetic_units_publish_through_the_store(tmp_path):
    import bench_scale

    from data.store import Store

    _, _, rows, region = bench_scale.publish_units(tmp_path / "store", 50)
    store = Store(tmp_path / "store")
    tables = store.tables(store.current_id())
    assert len(tables["scores"]) == rows and region in set(tables["regions"]["region_id"])


def test_script_finished_frames_are_recognised():
    import bench_click
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    done, early, other = ForwardMsg(), ForwardMsg(), ForwardMsg()
    done.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    early.script_finished = ForwardMsg.FINISHED_EARLY_FOR_RERUN
    other.page_info_changed.query_string = "region=ES51"
    assert bench_click.is_finished(done.SerializeToString())
    assert not bench_click.is_finished(early.SerializeToString())
    assert not bench_click.is_finished(other.SerializeToString())
    assert not bench_click.is_finished("text frame")


def test_click_summary_ratios():
    import bench_click

    app = {"load": [2.0], "switch page": [0.4, 0.6], "pick region": [0.5], "switch group": [0.3]}
    base = {"load": [1.0], "switch page": [0.1, 0.1], "pick region": [0.1], "switch group": [0.1]}
    rows = {r["click"]: r for r in bench_click.summary(app, base)}
    assert rows["pick region"]["p50_x_baseline"] == 5.0
    assert rows["all clicks"]["n"] == 4
    assert rows["first load"]["p50_x_baseline"] == 2.0


def test_loadtest_issue_row_preset():
    import loadtest

    args = loadtest.parse_args(["--issue-row"])
    assert (args.sessions, args.regions, args.replicas, args.duration) == ([50], 1000, 2, 40)
    quick = loadtest.parse_args(["--issue-row", "--quick", "--replicas", "1"])
    assert (quick.sessions, quick.replicas, quick.duration, quick.baseline_duration) == (
        [50], 1, 20, 20)
    assert loadtest.parse_args([]).sessions == [10, 25, 50]


@pytest.mark.skipif(not (BENCH.parent / "pages" / "region.py").exists(), reason="no Region page")
def test_first_view_of_a_region_switches_regions(tmp_path, monkeypatch):
    import bench_pages

    from data.store import Store
    from ui import compat

    store = tmp_path / "big"
    monkeypatch.setenv("MIPEXR_STORE", str(store))  # restored after; the bench sets it too
    Store(store).publish(bench_pages.synthetic_tables(12), base_version=None, who="test",
                         note="", illustrative={})
    with compat.apptest_navigation():
        views = bench_pages.bench_first_views(store, 2)
    assert len(views) == 2 and all(v > 0 for v in views)
