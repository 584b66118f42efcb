"""views/: the pure page models of the Overview and the Region profile — no Streamlit, the
numbers of the scoring engine, their inputs left unchanged, and the same frames the pages'
cached functions (ui.profile) send."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scoring

ROOT = Path(__file__).resolve().parent.parent


def test_views_import_no_streamlit():
    """Neither a views file nor anything it imports pulls in Streamlit."""
    for path in sorted((ROOT / "views").glob("*.py")):
        tree = ast.parse(path.read_text())
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in names if m.split(".")[0] == "streamlit"], path.name
    code = ("import sys, views.common, views.overview, views.region; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", out.stdout


def hashes(tabs: dict) -> dict:
    return {k: int(pd.util.hash_pandas_object(v.astype(str), index=True).sum())
            for k, v in tabs.items() if isinstance(v, pd.DataFrame)}


@pytest.fixture(scope="module")
def models(demo):
    from views import overview as vo
    from views import region as vr

    tabs, cube = demo
    before = hashes(tabs)
    ov = vo.model(cube, tabs["regions"], 2024, "TCN")
    rm = vr.model(tabs, cube, "ES51", "TCN", 2024)
    assert hashes(tabs) == before  # the models change nothing they are given
    return tabs, cube, ov, rm


def test_overview_model_is_the_scoring_engines_overall(models):
    tabs, cube, ov, _ = models
    expected = scoring.overall(cube, regions=tabs["regions"])
    expected = expected[(expected["target_group"] == "TCN") & (expected["edition"] == 2024)]
    by_id = expected.assign(region_id=expected["region_id"].astype(str)).set_index("region_id")
    table = ov.table.set_index("region_id")
    np.testing.assert_allclose(table["score"].to_numpy(float),
                               by_id.loc[table.index, "score"].to_numpy(float))
    assert table["rank"].tolist() == by_id.loc[table.index, "rank"].tolist()
    assert ov.table["score"].dropna().is_monotonic_decreasing  # ranked
    assert list(ov.shown.columns[:3]) == ["Rank", "Rank band", "Region code"]
    assert "label" not in ov.bar_data.columns
    assert set(ov.summary["area"]) == set(map(str, cube.indicators["area"].dropna()))


def test_region_model_radar_is_scoring_gaps(models):
    tabs, cube, _, rm = models
    table = scoring.aggregate(cube, by="area")
    g = scoring.gaps(table[(table["target_group"] == "TCN") & (table["edition"] == 2024)],
                     "ES51", peer_ids=rm.peers).set_index("area")
    own = rm.radar[rm.radar["series"] == rm.radar["series"].iloc[0]].set_index("area")
    np.testing.assert_allclose(own["score"].to_numpy(float),
                               g.loc[own.index.astype(str), "score"].to_numpy(float))
    peers = rm.radar[rm.radar["series"] == "Peer-group mean"].set_index("area")
    np.testing.assert_allclose(peers["score"].to_numpy(float),
                               g.loc[peers.index.astype(str), "peer_mean"].to_numpy(float))
    assert len(rm.peers) == len(cube.regions) - 1  # "all": every other region


def test_region_model_headline_is_the_overall_row(models):
    from ui import fmt

    _, _, ov, rm = models
    row = ov.table.set_index("region_id").loc["ES51"]
    cards = {label: value for label, value, _help in rm.headline}
    assert cards["Overall score"] == fmt.number(row["score"])
    assert cards[f"Rank among {ov.table['score'].notna().sum()} regions"] == \
        fmt.rank_band(row["rank"], row["rank_low"], row["rank_high"])


def test_region_model_priorities_are_scoring_priorities(models):
    tabs, cube, _, rm = models
    table = scoring.aggregate(cube, by="area")
    prio = scoring.priorities(table, "ES51", rm.peers, "TCN", 2024, n=3)
    pd.testing.assert_frame_equal(rm.practices["priorities"], prio)


def test_the_page_sends_the_models_frames(monkeypatch, tmp_path):
    """The Region page's cached sections (ui.profile) give the model's frames: one model,
    whether computed whole (views) or section by section (the page)."""
    from streamlit.testing.v1 import AppTest

    from ui import profile, state

    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception
    from views import region as vr

    vv = state.store().current_id()
    rm = vr.model(state.tables_of(vv), state.cube_of(vv), "ES51", "TCN", 2024)
    args = (vv, "en", "ES51", "TCN", 2024)
    pd.testing.assert_frame_equal(profile.region_drilldown(*args, None).frame, rm.drilldown)
    pd.testing.assert_frame_equal(profile.region_similar(*args, "area").frame, rm.similar)
    pd.testing.assert_frame_equal(profile.region_change(*args).frame, rm.change)
    pd.testing.assert_frame_equal(profile.region_strengths(*args, "area", "all", ()).frame,
                                  rm.strengths)
    radar = profile.region_radar(*args, "area", "all", (), profile.RADAR_SCREEN)
    pd.testing.assert_frame_equal(radar["radar"], rm.radar)
    assert radar["peers"] == rm.peers
    assert profile.region_headline(*args) == rm.headline
