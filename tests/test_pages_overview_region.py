"""Overview and Region profile under AppTest: they render on the default data, the main
interactions and every URL parameter give the numbers the scoring engine gives, and bad
links give notices and sensible defaults, never a traceback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import scoring
from ui import fmt, profile
from conftest import shown

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pages") / "store"


def run(monkeypatch, store_dir, page=None, **params) -> AppTest:
    monkeypatch.setenv("MIPEXR_STORE", str(store_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at, label_start: str) -> str:
    hits = [m.value for m in at.metric if m.label.startswith(label_start)]
    assert hits, [m.label for m in at.metric]
    return hits[0]


def frame_with(at, column: str) -> pd.DataFrame:
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with column {column!r}: "
                         f"{[list(d.value.columns) for d in at.dataframe]}")


def qp(at, key):
    """A query parameter as text (AppTest keeps lists for values the app wrote)."""
    v = at.query_params[key]
    return v[-1] if isinstance(v, list) else v


def notices(at) -> str:
    return shown(" ".join(str(e.value) for e in [*at.info, *at.warning]))


def shown_as(values, decimals=1):
    """What a table shows (and a CSV holds): the one display rounding rule."""
    return fmt.round_half_up(np.asarray(values, dtype=float), decimals)


def expected_overall(cube, group, edition, weights=None):
    ov = scoring.overall(cube, group_weights=weights)
    ov = ov[(ov["target_group"] == group) & (ov["edition"] == edition)]
    return ov.assign(region_id=ov["region_id"].astype(str)).set_index("region_id")


# ---------------------------------------------------------------------------- overview

def test_overview_default_matches_scoring(monkeypatch, store_dir, demo):
    _, cube = demo
    at = run(monkeypatch, store_dir)
    exp = expected_overall(cube, "TCN", 2024)
    shown = frame_with(at, "Overall score").set_index("Region code")
    assert len(shown) == 25
    np.testing.assert_allclose(shown["Overall score"].astype(float),
                               shown_as(exp.loc[shown.index, "score"]), rtol=1e-9)
    assert shown["Rank"].tolist() == exp.loc[shown.index, "rank"].astype(int).tolist()
    assert shown["Rank"].tolist() == sorted(shown["Rank"].tolist())
    assert "Coverage" in shown.columns
    assert metric(at, "Median overall score") == fmt.number(exp['score'].median())
    assert at.get("deck_gl_json_chart"), "the map is drawn"
    assert len(at.get("vega_lite_chart")) >= 2


def test_overview_strongest_and_weakest_areas(monkeypatch, store_dir, demo):
    _, cube = demo
    at = run(monkeypatch, store_dir)
    shown = frame_with(at, "mean_score")
    a = scoring.aggregate(cube, by="area")
    a = a[(a["target_group"] == "TCN") & (a["edition"] == 2024)]
    exp = a.groupby("area", observed=True)["score"].mean().sort_values(ascending=False)
    assert shown["area"].tolist() == [str(x) for x in exp.index]
    np.testing.assert_allclose(shown["mean_score"], shown_as(exp))
    # REGIN: health and education most favourable, housing among the least
    strongest = shown.loc[shown["standing"] == "strongest", "area"].tolist()
    assert "health" in strongest and "education" in strongest
    assert "housing" in shown.loc[shown["standing"] == "weakest", "area"].tolist()


@pytest.mark.parametrize("group,edition", [("BIP", 2021), ("ALL", 2024), ("TCN", 2021)])
def test_overview_group_and_edition_from_url(monkeypatch, store_dir, demo, group, edition):
    _, cube = demo
    at = run(monkeypatch, store_dir, group=group, edition=str(edition))
    exp = expected_overall(cube, group, edition)
    shown = frame_with(at, "Overall score").set_index("Region code")
    np.testing.assert_allclose(shown["Overall score"].astype(float),
                               shown_as(exp.loc[shown.index, "score"]))
    assert qp(at, "group") == group


def test_overview_weights_from_url(monkeypatch, store_dir, demo):
    _, cube = demo
    at = run(monkeypatch, store_dir, w="health:3,Housing:0")
    exp = expected_overall(cube, "TCN", 2024, {"health": 3.0, "housing": 0.0})
    shown = frame_with(at, "Overall score").set_index("Region code")
    np.testing.assert_allclose(shown["Overall score"].astype(float),
                               shown_as(exp.loc[shown.index, "score"]))
    assert not np.allclose(exp["score"], expected_overall(cube, "TCN", 2024)["score"])


def test_overview_bad_link_gives_notices_and_defaults(monkeypatch, store_dir, demo):
    _, cube = demo
    at = run(monkeypatch, store_dir, edition="1999", group="XYZ", w="health:lots")
    text = notices(at)
    for bad in ("1999", "XYZ", "health:lots"):
        assert bad in text
    exp = expected_overall(cube, "TCN", 2024)
    shown = frame_with(at, "Overall score").set_index("Region code")
    np.testing.assert_allclose(shown["Overall score"].astype(float),
                               shown_as(exp.loc[shown.index, "score"]))


# ---------------------------------------------------------------------- region profile

def test_region_default_renders(monkeypatch, store_dir, demo):
    tabs, cube = demo
    at = run(monkeypatch, store_dir, "pages/region.py")
    region = qp(at, "region")
    exp = expected_overall(cube, "TCN", 2024)
    assert metric(at, "Overall score") == fmt.number(exp.loc[region, 'score'])
    bands = profile.rank_bands(cube, tabs["regions"], 2024, "TCN").set_index("region_id")
    assert metric(at, "Rank among 25 regions") == fmt.rank_band(
        exp.loc[region, "rank"], bands.loc[region, "rank_p05"], bands.loc[region, "rank_p95"])
    assert "(band " in metric(at, "Rank among")
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 2  # radar + heatmap


def test_region_from_url_with_country_peers(monkeypatch, store_dir, demo):
    tabs, cube = demo
    at = run(monkeypatch, store_dir, "pages/region.py", region="ES51", group="BIP",
             edition="2021", peers="country")
    exp = expected_overall(cube, "BIP", 2021)
    assert metric(at, "Overall score") == fmt.number(exp.loc['ES51', 'score'])
    table = scoring.aggregate(cube, by="area")
    peers = scoring.peers(table, "ES51", "country", target_group="BIP", edition=2021,
                          regions=tabs["regions"])["region_id"].tolist()
    assert sorted(peers) == ["ES30", "ES52", "ES61", "ES62"]
    g = scoring.gaps(table[(table["target_group"] == "BIP") & (table["edition"] == 2021)],
                     "ES51", peer_ids=peers).set_index("area")
    shown = frame_with(at, "Peers").set_index("Area")  # the radar's table, beside it
    np.testing.assert_allclose(shown["Peers"], shown_as(g.loc[shown.index, "peer_mean"]))
    np.testing.assert_allclose(shown["Best"], shown_as(g.loc[shown.index, "best_score"]))
    np.testing.assert_allclose(shown["ES51"].astype(float),
                               shown_as(g.loc[shown.index, "score"]))
    np.testing.assert_allclose(shown["Coverage"].astype(float),
                               shown_as(g.loc[shown.index, "coverage"], 3))
    assert qp(at, "peers") == "country"


@pytest.mark.parametrize("peers,mode", [("similar", "similar"), ("ES52,ES61", "list")])
def test_region_peer_groups(monkeypatch, store_dir, demo, peers, mode):
    tabs, cube = demo
    at = run(monkeypatch, store_dir, "pages/region.py", region="ES51", peers=peers)
    table = scoring.aggregate(cube, by="area")
    ids = peers.split(",") if mode == "list" else None
    exp_peers = scoring.peers(table, "ES51", mode, target_group="TCN", edition=2024, ids=ids,
                              k=profile.N_SIMILAR)["region_id"].tolist()
    g = scoring.gaps(table[(table["target_group"] == "TCN") & (table["edition"] == 2024)],
                     "ES51", peer_ids=exp_peers).set_index("area")
    shown = frame_with(at, "Peers").set_index("Area")
    np.testing.assert_allclose(shown["Peers"], shown_as(g.loc[shown.index, "peer_mean"]))
    assert at.radio(key="w_peers_mode").value == mode
    similar = frame_with(at, "Distance")
    exp_sim = scoring.peers(table, "ES51", "similar", target_group="TCN", edition=2024, k=5)
    assert similar["Region code"].tolist() == exp_sim["region_id"].tolist()


def test_region_switch_tcn_bip_on_page(monkeypatch, store_dir, demo):
    _, cube = demo
    at = run(monkeypatch, store_dir, "pages/region.py", region="ITF3")
    assert metric(at, "Overall score") == fmt.number(expected_overall(cube, 'TCN', 2024).loc['ITF3', 'score'])
    at.radio(key="region_group").set_value("BIP").run()
    assert not at.exception
    assert metric(at, "Overall score") == fmt.number(expected_overall(cube, 'BIP', 2024).loc['ITF3', 'score'])
    assert qp(at, "group") == "BIP"
    assert at.session_state["w_group"] == "BIP"  # the sidebar follows


def test_region_pick_region_and_edition(monkeypatch, store_dir, demo):
    _, cube = demo
    at = run(monkeypatch, store_dir, "pages/region.py", region="ITF3")
    at.selectbox(key="w_region").set_value("PT20").run()
    assert not at.exception
    assert qp(at, "region") == "PT20"
    assert metric(at, "Overall score") == fmt.number(expected_overall(cube, 'TCN', 2024).loc['PT20', 'score'])
    at.sidebar.selectbox(key="w_edition").set_value(2021).run()
    assert metric(at, "Overall score") == fmt.number(expected_overall(cube, 'TCN', 2021).loc['PT20', 'score'])
    assert "first edition" in notices(at)  # nothing to compare 2021 with


def test_region_change_since_previous_edition(monkeypatch, store_dir, demo):
    _, cube = demo
    at = run(monkeypatch, store_dir, "pages/region.py", region="ES51", edition="2024")
    shown = frame_with(at, "Comparable?").set_index("Area")
    exp = scoring.edition_change(cube, by=("area",), edition_to=2024)
    exp = exp[(exp["region_id"] == "ES51") & (exp["target_group"] == "TCN")]
    exp = exp.assign(area=exp["area"].astype(str)).set_index("area")
    areas = [a for a in shown.index if a in exp.index]
    np.testing.assert_allclose(shown.loc[areas, "Change"].astype(float),
                               shown_as(exp.loc[areas, "change"]))
    flags = np.where(exp.loc[areas, "comparable"], "comparable", "not comparable")
    assert shown.loc[areas, "Comparable?"].tolist() == flags.tolist()
    assert "not comparable" in shown["Comparable?"].tolist()
    total = scoring.edition_change(cube, by=None, edition_to=2024)
    total = total[(total["region_id"] == "ES51") & (total["target_group"] == "TCN")]
    assert shown.loc["Overall", "Change"] == pytest.approx(shown_as(total["change"].iloc[0]))


def test_region_outcome_gap_and_proxy(monkeypatch, store_dir, demo):
    tabs, _ = demo
    o = tabs["outcomes"]
    emp = o[(o["measure"] == "employment_rate_20_64") & (o["year"] == 2023)]

    def rate(region, group):
        return float(emp[(emp["region_id"] == region) & (emp["group"] == group)]["value"].iloc[0])

    at = run(monkeypatch, store_dir, "pages/region.py", region="ES51")
    gap = rate("ES51", "NAT") - rate("ES51", "NEU27_2020_FOR")
    assert metric(at, "Gap, 2023") == f"{gap:.1f} pp"
    assert "proxy" not in notices(at)

    at = run(monkeypatch, store_dir, "pages/region.py", region="SE224")
    gap = rate("SE22", "NAT") - rate("SE22", "NEU27_2020_FOR")
    assert metric(at, "Gap, 2023") == f"{gap:.1f} pp"
    assert "as a proxy" in notices(at) and "SE22" in notices(at)
    shown = frame_with(at, "Figures of")
    assert (shown["Figures of"].iloc[1:] == "SE22 (proxy)").all()


def test_region_outcome_flags_with_meaning(monkeypatch, store_dir, demo):
    tabs, _ = demo
    o = tabs["outcomes"]
    cat = profile.measure_catalogue(tabs["measures"], o)
    latest = profile.outcome_gap(scoring.aggregate(demo[1], by="area"), o, cat, tabs["regions"],
                                 "ES51", "TCN", 2024)
    assert latest is not None
    flagged = o[(o["measure"] == "employment_rate_20_64") & o["flag"].notna()]
    region = str(flagged["region_id"].iloc[0])
    res = profile.outcome_gap(scoring.aggregate(demo[1], by="area"), o, cat, tabs["regions"],
                              region, "TCN", 2024)
    rows = profile.outcome_rows(res) if res else None
    if rows is not None and (rows["Flag"] != "–").any():
        assert rows.loc[rows["Flag"] != "–", "Flag means"].str.contains(":").all()
    assert profile.flag_meaning("u") == "u: low reliability"
    assert profile.flag_meaning("bu") == "b: break in time series; u: low reliability"
    assert profile.flag_meaning(None) is None


def test_region_bars_alternative_and_axis(monkeypatch, store_dir, demo):
    _, cube = demo
    at = run(monkeypatch, store_dir, "pages/region.py", region="ES51", chart="bars",
             axis="phase")
    assert at.radio(key="w_chart").value == "bars"
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert '"bar"' in spec
    shown = frame_with(at, "Peer-group mean")
    assert shown["Phase"].tolist() == ["formulation", "output", "implementation", "evaluation"]
    p = scoring.aggregate(cube, by="phase")
    p = p[(p["region_id"] == "ES51") & (p["target_group"] == "TCN") & (p["edition"] == 2024)]
    exp = p.assign(phase=p["phase"].astype(str)).set_index("phase")["score"]
    np.testing.assert_allclose(shown.set_index("Phase")["Cataluña (ES51)"].astype(float),
                               shown_as(exp.loc[shown["Phase"]]))


def test_region_heatmap_numbers(monkeypatch, store_dir, demo):
    _, cube = demo
    at = run(monkeypatch, store_dir, "pages/region.py", region="ES62", group="ALL")
    shown = frame_with(at, "Weakest phase of the area")
    h = scoring.aggregate(cube, by=("area", "phase"))
    h = h[(h["region_id"] == "ES62") & (h["target_group"] == "ALL") & (h["edition"] == 2024)]
    np.testing.assert_allclose(shown["Score"].astype(float), shown_as(h["score"]))
    assert shown["Score"].isna().sum() == h["score"].isna().sum()


def test_region_drilldown(monkeypatch, store_dir, demo):
    tabs, cube = demo
    at = run(monkeypatch, store_dir, "pages/region.py", region="ES51", area="health")
    shown = frame_with(at, "Question")
    assert set(shown["Area"]) == {"health"}
    r, g, e = cube.region_index("ES51"), cube.group_index("TCN"), cube.edition_index(2024)
    ids = cube.indicators["indicator_id"].tolist()
    exp = [cube.values[r, g, e, ids.index(i)] for i in shown["Indicator"]]
    np.testing.assert_allclose(shown["Value"].astype(float), exp)
    s = tabs["scores"]
    row = s[(s["region_id"] == "ES51") & (s["edition"] == 2024) & (s["target_group"] == "TCN")
            & (s["indicator_id"] == shown["Indicator"].iloc[0])].iloc[0]
    assert shown["Answer"].iloc[0] == row["answer"] or pd.isna(row["answer"])


def test_region_bad_link(monkeypatch, store_dir, demo):
    _, cube = demo
    at = run(monkeypatch, store_dir, "pages/region.py", region="NOPE", peers="ZZ9,QQ1",
             chart="pie", axis="colour", area="space", w="health:abc", edition="x",
             group="")
    text = notices(at)
    for bad in ("NOPE", "ZZ9", "pie", "colour", "space", "health:abc"):
        assert bad in text, bad
    region = qp(at, "region")
    assert region in set(map(str, cube.regions))
    assert at.radio(key="w_peers_mode").value == "all"
    assert at.radio(key="w_chart").value == "radar"


def test_region_practice_links(monkeypatch, store_dir, demo):
    tabs, cube = demo
    at = run(monkeypatch, store_dir, "pages/region.py", region="ES51")
    a = scoring.aggregate(cube, by="area")
    peers = [r for r in map(str, cube.regions) if r != "ES51"]
    prio = scoring.priorities(a, "ES51", peers, "TCN", 2024, n=profile.N_PRIORITIES)
    chosen = prio[prio["priority"]]
    text = " ".join(m.value for m in at.markdown)
    assert "**Priority areas**" in text
    for _, r in chosen.iterrows():  # each priority with its reason, in order
        assert f"{int(r['order'])}. **{r['area']}** — {profile.priority_reason(r)}" in text
    if (Path(APP).parent / "pages" / "practices.py").exists():
        links = [p for p in at.get("page_link") if "practices" in p.proto.page]
        qs = links[0].proto.query_string
        assert links and "for_gaps=1" in qs and "region=ES51" in qs and "group=TCN" in qs \
            and "edition=2024" in qs


def test_parsers():
    from ui import params

    areas = ["health", "housing", "labour market"]
    assert params.parse_weights("Health:2,labour%20market:0.5", areas) == (
        {"health": 2.0, "labour market": 0.5}, [])
    for bad in ("health", "health:-1", "health:11", "nope:1"):
        w, problems = params.parse_weights(bad, areas)
        assert w == {} and problems
    # one bad item does not throw away the good ones
    assert params.parse_weights("health:2,foo:1", areas) == ({"health": 2.0}, [("foo:1", "area")])
    w, problems = params.parse_weights("health:0,housing:0,labour market:0", areas)
    assert w == {} and problems[-1][1] == "zero"
    ids = ["ES51", "ES52", "ES61"]
    assert params.parse_peers(None, ids, "ES51") == ("all", [], None)
    assert params.parse_peers("country", ids, "ES51") == ("country", [], None)
    mode, chosen, msg = params.parse_peers("ES52,XX", ids, "ES51")
    assert (mode, chosen) == ("list", ["ES52"]) and "XX" in msg
    mode, chosen, msg = params.parse_peers("ES51", ids, "ES51")
    assert mode == "all" and msg


def test_practice_links_for_a_region_with_only_its_own_practices(demo):
    """No practice of another region: priorities but an empty list, not a KeyError."""
    tabs, cube = demo
    practices = pd.DataFrame({"practice_id": ["P1"], "title": ["One-stop shop"],
                              "region_id": ["ITF3"], "areas": ["language"],
                              "target_groups": ["TCN;BIP"], "lessons_learnt": [""],
                              "transferability_tips": [""]})
    res = profile.practice_links(cube, practices, tabs["regions"], "ITF3", "TCN", 2024)
    assert res["areas"] and res["practices"].empty and res["n_practices"] == 0
    other = profile.practice_links(cube, practices, tabs["regions"], "ES51", "TCN", 2024)
    assert "language" in other["areas"] and other["practices"]["practice_id"].tolist() == ["P1"]


def test_drilldown_answer_is_not_no_data_when_a_value_was_given(demo):
    """Scores given as a value without an answer code show "–" as the answer, so "no data"
    in that column only ever means the indicator has no value."""
    from ui import profile

    tabs, cube = demo
    direct = tabs["scores"][tabs["scores"]["answer"].isna() & tabs["scores"]["value"].notna()]
    assert len(direct)
    row = direct.iloc[0]
    frame = profile.drilldown(cube, tabs["indicators"], tabs["scores"], str(row["region_id"]),
                              str(row["target_group"]), row["edition"])
    got = frame.set_index("indicator_id").loc[row["indicator_id"]]
    assert got["answer"] == "–" and pd.notna(got["value"])
    assert (frame["answer"].isna() <= frame["value"].isna()).all()
