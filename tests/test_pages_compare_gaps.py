"""Compare, Gaps and Methodology pages through AppTest, numbers checked against scoring.

Each test runs the real app on the default (demo) data in a store under tmp_path, opens a
page (optionally with URL parameters) and compares what is on screen with the scoring
engine called directly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import scoring
from data.demo import build_demo
from data.imports import derive
from ui import compare as C
from ui import gaps as G
from ui import params
from ui.fmt import round_half_up as shown_as
from conftest import open_page, shown

EDITION, GROUP = 2024, "TCN"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo():
    tabs = derive(build_demo())
    regs = tabs["regions"]
    scored = regs.loc[regs["region_id"].isin(tabs["scores"]["region_id"]), "region_id"]
    cube = scoring.prepare(tabs["indicators"], tabs["scores"], regions=scored)
    return tabs, cube


def infos(at) -> str:
    return shown(" ".join(i.value for i in at.info))


#: A column that tells each table on these pages apart (AppTest does not expose the key of a
#: st.dataframe without selections).
SIGNATURE = {"compare-gaps": "Lowest coverage", "gap-matrix": "Overall",
             "table-data-rank-bands": "Median rank", "table-indicators": "Question",
             "table-dictionary": "Meaning"}


def frame_of(at, key) -> pd.DataFrame:
    """The DataFrame behind the table ``key`` (also when it is shown as a Styler)."""
    for df in at.dataframe:
        if SIGNATURE[key] in df.value.columns:
            return df.value
    raise AssertionError(f"no dataframe {key}")


def in_view(frame):
    return frame[(frame["edition"] == EDITION) & (frame["target_group"] == GROUP)]


# ------------------------------------------------------------------ pure helpers

def test_weights_roundtrip_and_bad_values():
    areas = ["labour market", "health", "culture & religion", "a,b:c"]
    w = {"labour market": 2.0, "health": 1.0, "culture & religion": 0.5, "a,b:c": 3.0}
    raw = params.encode_weights(w)
    assert raw == "labour market:2,culture & religion:0.5,a%2Cb%3Ac:3"
    assert params.parse_weights(raw, areas) == ({k: v for k, v in w.items() if v != 1}, [])
    parsed, problems = params.parse_weights("Labour Market:3, health:x,nope:2,housing,health:-1,"
                                            "health:99,health:nan", areas)
    assert parsed == {"labour market": 3.0}
    assert [r for _, r in problems] == ["number", "area", "form", "range", "range", "range"]
    parsed, problems = params.parse_weights(",".join(f"{a}:0" for a in [
        "labour market", "health", "culture & religion"]) + ",a%2Cb%3Ac:0", areas)
    assert parsed == {} and problems[-1][1] == "zero"
    assert params.encode_weights(dict.fromkeys(areas, 1.0)) is None


def test_gap_long_matches_scoring_gaps(demo):
    tabs, cube = demo
    agg = scoring.aggregate(cube)
    table = in_view(agg)
    countries = tabs["regions"].set_index("region_id")["country"]
    same_country = countries[countries == "ES"].index.intersection(cube.regions)
    for region in ("ES51", "ITF4"):
        ref_all = scoring.gaps(agg, region, peer_ids=list(cube.regions), target=70)
        ref_es = scoring.gaps(agg, region, peer_ids=list(same_country)
                              if region == "ES51" else None)
        ref_all = in_view(ref_all).set_index("area")
        for gap, col, kw in (("best", "gap_best", {}), ("target", "gap_target", {"target": 70}),
                             ("peers", "gap_peers", {})):
            got = G.gap_long(table, "area", gap, **kw).query("region_id == @region") \
                .set_index("area")["gap"]
            np.testing.assert_allclose(got.loc[ref_all.index], ref_all[col], equal_nan=True)
        got = G.gap_long(table, "area", "peers", peers="country", countries=countries) \
            .query("region_id == 'ES51'").set_index("area")["gap"]
        want = in_view(ref_es).set_index("area")["gap_peers"]
        if region == "ES51":
            np.testing.assert_allclose(got.loc[want.index], want, equal_nan=True)


def test_compare_long_references(demo):
    _, cube = demo
    table, ov = in_view(scoring.aggregate(cube)), in_view(scoring.overall(cube))
    ids = ["ES51", "ITF4", "SE224"]
    for vs in C.VS:
        long = C.compare_long(table, ov, ids, "area", vs)
        hs = long[long["area"] == "health"].set_index("region_id")
        scores = table[table["area"] == "health"].set_index("region_id")["score"]
        want = {"first": scores["ES51"], "group": scores[ids].mean(),
                "all": scores.mean()}[vs]
        assert hs["reference"].iloc[0] == pytest.approx(want)
        assert hs.loc["ITF4", "difference"] == pytest.approx(scores["ITF4"] - want)


# ------------------------------------------------------------------ Compare page

def test_compare_default_renders(tmp_path, monkeypatch, demo):
    at = open_page(tmp_path, monkeypatch, "pages/compare.py")
    chosen = at.multiselect(key="w_regions").value
    assert 2 <= len(chosen) <= 6
    assert at.query_params["regions"] == ",".join(chosen)
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert charts, "the radar chart is drawn"


def test_compare_url_values_match_scoring(tmp_path, monkeypatch, demo):
    _, cube = demo
    at = open_page(tmp_path, monkeypatch, "pages/compare.py", regions="ES51,ITF4,SE224",
                   vs="all", axis="area", edition=str(EDITION), group=GROUP)
    assert at.multiselect(key="w_regions").value == ["ES51", "ITF4", "SE224"]
    gaps = frame_of(at, "compare-gaps").set_index("Area")
    agg = in_view(scoring.aggregate(cube))
    hs = agg[agg["area"] == "health"].set_index("region_id")["score"]
    assert gaps.loc["health", "Mean of all regions"] == pytest.approx(shown_as(hs.mean()))
    col = [c for c in gaps.columns if c.startswith("ITF4")][0]
    assert gaps.loc["health", col] == pytest.approx(shown_as(hs["ITF4"] - hs.mean()))
    # ITF4 lacks social security in 2024: no data, never 0
    ss = agg[(agg["area"] == "social security")].set_index("region_id")["score"]
    assert np.isnan(ss["ITF4"]) and np.isnan(gaps.loc["social security", col])
    ov = in_view(scoring.overall(cube)).set_index("region_id")["score"]
    assert gaps.loc["Overall", col] == pytest.approx(shown_as(ov["ITF4"] - ov.mean()))


def test_compare_change_axis_and_regions(tmp_path, monkeypatch, demo):
    _, cube = demo
    at = open_page(tmp_path, monkeypatch, "pages/compare.py", regions="ES51,ITF3")
    at.radio(key="w_axis").set_value("phase").run()
    at.radio(key="w_vs").set_value("first").run()
    at.multiselect(key="w_regions").set_value(["ES51", "ITF3", "DE3"]).run()
    assert not at.exception
    assert at.query_params["axis"] == "phase"
    assert at.query_params["regions"] == "ES51,ITF3,DE3"
    gaps = frame_of(at, "compare-gaps").set_index("Phase")
    assert list(gaps.index) == ["formulation", "output", "implementation", "evaluation",
                                "Overall"]
    ph = in_view(scoring.aggregate(cube, by=("phase",)))
    ev = ph[ph["phase"] == "evaluation"].set_index("region_id")["score"]
    ref = [c for c in gaps.columns if c.endswith("(score)")][0]
    assert gaps.loc["evaluation", ref] == pytest.approx(shown_as(ev["ES51"]))
    col = [c for c in gaps.columns if c.startswith("DE3")][0]
    assert gaps.loc["evaluation", col] == pytest.approx(shown_as(ev["DE3"] - ev["ES51"]))
    at.selectbox(key="w_sort").set_value("DE3").run()
    body = frame_of(at, "compare-gaps")[col].iloc[:-1]
    assert body.is_monotonic_increasing


def test_compare_bad_url(tmp_path, monkeypatch):
    at = open_page(tmp_path, monkeypatch, "pages/compare.py", regions="XX99,ES51",
                   axis="bogus", vs="nope", chart="pie", sort="zz")
    text = infos(at)
    assert "XX99" in text and "at least two" in text
    assert "bogus" in text and "nope" in text and "pie" in text
    assert len(at.multiselect(key="w_regions").value) == 2
    assert at.radio(key="w_axis").value == "area"


def test_compare_too_many_regions(tmp_path, monkeypatch):
    at = open_page(tmp_path, monkeypatch, "pages/compare.py",
                   regions="ES51,ES52,ES61,ES62,ES30,ITF3,ITF4,PT20")
    assert len(at.multiselect(key="w_regions").value) == 6
    assert "At most 6" in infos(at)


# ------------------------------------------------------------------ Gaps page

def test_gaps_default_matches_scoring(tmp_path, monkeypatch, demo):
    _, cube = demo
    at = open_page(tmp_path, monkeypatch, "pages/gaps.py", edition=str(EDITION), group=GROUP)
    wide = frame_of(at, "gap-matrix").set_index("Code")
    agg = scoring.aggregate(cube)
    ref = in_view(scoring.gaps(agg, "ES51")).set_index("area")["gap_best"]
    np.testing.assert_allclose(wide.loc["ES51", ref.index].to_numpy(float),
                               shown_as(ref.to_numpy()), equal_nan=True)
    assert np.isnan(wide.loc["ITF4", "social security"])
    ov = in_view(scoring.overall(cube)).set_index("region_id")
    assert wide.loc["ES51", "Overall"] == pytest.approx(shown_as(ov.loc["ES51", "score"]
                                                                 - ov["score"].max()))
    assert wide.loc["ES51", "Coverage"] == pytest.approx(shown_as(ov.loc["ES51", "coverage"], 3))
    bands = frame_of(at, "table-data-rank-bands").set_index("Code")
    rb = scoring.robustness(cube, GROUP, EDITION).set_index("region_id")
    assert bands.loc["ES51", "Median rank"] == pytest.approx(shown_as(rb.loc["ES51", "median_rank"]))
    assert bands.loc["ES51", "Rank, 95th percentile"] == pytest.approx(rb.loc["ES51", "rank_p95"])


def test_gaps_target_peers_and_phase(tmp_path, monkeypatch, demo):
    _, cube = demo
    at = open_page(tmp_path, monkeypatch, "pages/gaps.py", gap="target", target="60",
                   axis="phase")
    wide = frame_of(at, "gap-matrix").set_index("Code")
    ph = in_view(scoring.aggregate(cube, by=("phase",)))
    s = ph[(ph["region_id"] == "ES51") & (ph["phase"] == "evaluation")]["score"].iloc[0]
    assert wide.loc["ES51", "evaluation"] == pytest.approx(shown_as(s - 60))
    at.number_input(key="w_target").set_value(75.0).run()
    assert at.query_params["target"] == "75"
    wide = frame_of(at, "gap-matrix").set_index("Code")
    assert wide.loc["ES51", "evaluation"] == pytest.approx(shown_as(s - 75))
    at.radio(key="w_gap").set_value("peers").run()
    wide = frame_of(at, "gap-matrix").set_index("Code")
    want = in_view(scoring.gaps(ph, "ES51", peer_ids=list(cube.regions)))
    want = want.set_index("phase")["gap_peers"]
    assert wide.loc["ES51", "evaluation"] == pytest.approx(shown_as(want["evaluation"]))


def test_gaps_weights_rescore_and_reset(tmp_path, monkeypatch, demo):
    _, cube = demo
    at = open_page(tmp_path, monkeypatch, "pages/gaps.py", w="health:3,labour market:0.5")
    assert at.number_input(key="weight::health").value == 3.0
    weights = {"health": 3.0, "labour market": 0.5}
    ov = in_view(scoring.overall(cube, group_weights=weights)).set_index("region_id")["score"]
    wide = frame_of(at, "gap-matrix").set_index("Code")
    assert wide.loc["ES51", "Overall"] == pytest.approx(shown_as(ov["ES51"] - ov.max()))
    bands = frame_of(at, "table-data-rank-bands").set_index("Code")
    rb = scoring.robustness(cube, GROUP, EDITION, group_weights=weights).set_index("region_id")
    assert bands.loc["ES51", "Median rank"] == pytest.approx(shown_as(rb.loc["ES51", "median_rank"]))
    at.number_input(key="weight::housing").set_value(2.0).run()
    assert set(at.query_params["w"].split(",")) == {"labour market:0.5", "health:3", "housing:2"}
    at.button(key="weights-reset").click().run()
    assert "w" not in at.query_params
    assert at.number_input(key="weight::health").value == 1.0
    ov = in_view(scoring.overall(cube)).set_index("region_id")["score"]
    wide = frame_of(at, "gap-matrix").set_index("Code")
    assert wide.loc["ES51", "Overall"] == pytest.approx(shown_as(ov["ES51"] - ov.max()))


def test_gaps_bad_url(tmp_path, monkeypatch):
    at = open_page(tmp_path, monkeypatch, "pages/gaps.py", gap="worst", target="abc",
                   w="health:lots,atlantis:2,housing:3", axis="x")
    text = infos(at)
    assert "worst" in text and "health:lots" in text and "atlantis:2" in text and "x" in text
    assert at.number_input(key="weight::housing").value == 3.0
    assert at.radio(key="w_gap").value == "best"
    at = open_page(tmp_path, monkeypatch, "pages/gaps.py", gap="target", target="150")
    assert "150" in infos(at)
    assert at.number_input(key="w_target").value == G.DEFAULT_TARGET


# ------------------------------------------------------------------ Methodology page

def test_methodology_renders_and_filters(tmp_path, monkeypatch, demo):
    tabs, cube = demo
    at = open_page(tmp_path, monkeypatch, "pages/methodology.py")
    md = " ".join(m.value for m in at.markdown)
    assert "50%" in md and "Solano" in md and "EuroGeographics" in md
    ind = frame_of(at, "table-indicators")
    assert len(ind) == len(tabs["indicators"])
    dic = frame_of(at, "table-dictionary")
    from data.templates import dictionary
    assert len(dic) == len(dictionary())
    assert any("VT07" in w.value for w in at.warning)  # indicator only in 2024
    at.multiselect(key="w_area").set_value(["health"]).run()
    at.multiselect(key="w_phase").set_value(["evaluation"]).run()
    ind = frame_of(at, "table-indicators")
    want = tabs["indicators"].query("area == 'health' and phase == 'evaluation'")
    assert sorted(ind["Code"]) == sorted(want["indicator_id"])
    assert at.query_params["area"] == "health"


def test_methodology_bad_filter(tmp_path, monkeypatch):
    at = open_page(tmp_path, monkeypatch, "pages/methodology.py", area="atlantis",
                   phase="evaluation")
    assert "atlantis" in infos(at)
    assert at.multiselect(key="w_phase").value == ["evaluation"]


def test_gap_matrix_coverage_is_written_in_the_language_of_the_page(tmp_path, monkeypatch):
    """In French the matrix showed "-52,9" next to "98.4%": the coverage column's own format
    (the browser's, English) replaced the table's French text ("98,4 %")."""
    import json

    import pyarrow as pa

    from ui import i18n

    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    i18n.set_language("fr")  # AppTest formats widgets in this thread
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params["lang"] = "fr"
        at.run()
        at.switch_page("pages/gaps.py")
        at.run()
    finally:
        i18n.set_language("en")
    assert not at.exception, [e.value for e in at.exception]
    grid = next(d for d in at.dataframe if "Couverture" in d.value.columns)
    config = json.loads(grid.proto.columns)["Couverture"]
    assert "format" not in config.get("type_config", {}), config
    shown_text = pa.ipc.open_stream(grid.proto.arrow_data.styler.display_values).read_all().to_pandas()
    cov = shown_text["Couverture"].dropna().astype(str)
    assert len(cov) and cov.str.fullmatch(r"\d{1,3},\d\s%").all(), cov.head().tolist()
    # the Compare page's "Lowest coverage", the same way
    i18n.set_language("fr")
    try:
        at.switch_page("pages/compare.py")
        at.run()
    finally:
        i18n.set_language("en")
    grid = next(d for d in at.dataframe if "Couverture la plus faible" in d.value.columns)
    config = json.loads(grid.proto.columns)["Couverture la plus faible"]
    assert "format" not in config.get("type_config", {}), config
    shown_text = pa.ipc.open_stream(grid.proto.arrow_data.styler.display_values).read_all().to_pandas()
    cov = shown_text["Couverture la plus faible"].dropna().astype(str)
    assert len(cov) and cov.str.fullmatch(r"\d{1,3},\d\s%").all(), cov.head().tolist()
