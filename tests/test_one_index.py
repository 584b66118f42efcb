"""One honest index (issue 14): the same number and the same advice on every page.

Each test here failed on the code before the issue was fixed:

* weights are data — changing one weight in the published data moves the score by the
  hand-computed amount, on every page; a weight of 0 excludes an indicator, visibly;
* one definition of "what to work on" — the Region profile, its "Practices for these gaps"
  link, the Integration Lab, the brief and the workshop list the same priority areas for
  every demo region × target group × edition;
* "coverage" has one meaning (headline = table), and "areas with a score" its own name;
* ``?w=`` is parsed the same on every page (bad items reported, good ones kept);
* ranks carry their band everywhere, from one computation;
* one rounding rule: the same figure on screen, in the brief's PDF text and in the CSV;
* the answer-map rule lives in one place; the series order of the profile's charts is fixed.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import CSV, shown
from streamlit.testing.v1 import AppTest

import scoring
from data import practices as dp
from ui import brief, fmt, params, profile
from ui import workshop as ws

APP = str(Path(__file__).resolve().parent.parent / "app.py")
MANIFEST = {"version": "v-test", "created": "2025-03-01T09:30:00", "illustrative": {}}


def run(store_dir, monkeypatch, page=None, **query) -> AppTest:
    monkeypatch.setenv("MIPEXR_STORE", str(store_dir))
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frame_with(at, column: str) -> pd.DataFrame:
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with {column!r}")


def notices(at) -> str:
    return shown(" ".join(str(e.value) for e in [*at.info, *at.warning]))


def page_text(at) -> str:
    return shown(" ".join(str(x.value) for x in [*at.title, *at.header, *at.subheader, *at.markdown,
                                                 *at.caption]))


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """One store with the default data, shared by the page tests of this module."""
    return tmp_path_factory.mktemp("one-index") / "store"


# ------------------------------------------------------------------ 1. weights are data

def tiny(weights: dict[str, float] | None = None):
    """The conftest tables as a cube, with some indicator weights changed."""
    ind = pd.read_csv(io.StringIO(CSV["indicators"]))
    for k, w in (weights or {}).items():
        ind.loc[ind["indicator_id"] == k, "weight"] = w
    sc = pd.read_csv(io.StringIO(CSV["scores"]))
    return scoring.prepare(ind, sc)


def es51_tcn(cube, **kw) -> pd.Series:
    ov = scoring.overall(cube, **kw)
    return ov[(ov["region_id"] == "ES51") & (ov["target_group"] == "TCN")].iloc[0]


def test_a_weight_in_the_data_moves_the_score_by_hand():
    # ES51 TCN: LM01 = A (100), LM02 = B (50), HE01 = A (100)
    # all weights 1: labour (100 + 50)/2 = 75, health 100 → overall 87.5
    assert es51_tcn(tiny())["score"] == 87.5
    # LM02 weight 3 in the data: labour (100 + 3·50)/4 = 62.5 → overall 81.25 (−6.25)
    moved = es51_tcn(tiny({"LM02": 3}))
    assert moved["score"] == 81.25
    assert es51_tcn(tiny({"LM02": 3}))["score"] - es51_tcn(tiny())["score"] == -6.25
    # MIPEX's unweighted rule stays available on request
    assert es51_tcn(tiny({"LM02": 3}), weights="equal")["score"] == 87.5
    # area weights from a link multiply on top: health × 3 → (62.5 + 3·100)/4 = 90.625
    assert es51_tcn(tiny({"LM02": 3}), group_weights={"health": 3})["score"] == 90.625
    # the rank bands draw around the data's weights: the nominal score is the same
    rb = scoring.robustness(tiny({"LM02": 3}), "TCN", n_draws=20).set_index("region_id")
    assert rb.loc["ES51", "nominal_score"] == 81.25


def test_weight_zero_excludes_an_indicator():
    # HE01 weight 0: health has no weighted indicator for TCN (HE02 is BIP only) → the
    # overall is labour alone; coverage and the area count leave HE01 out
    row = es51_tcn(tiny({"HE01": 0}))
    assert row["score"] == 75 and row["coverage"] == 1.0
    assert (row["n_present"], row["n_total"]) == (1, 1)
    # a missing heavy indicator weighs in coverage: ES62 TCN has LM01 only; LM02 weight 3
    # missing → labour coverage 1/4, below the threshold: no score, never a guess
    a = scoring.aggregate(tiny({"LM02": 3}), by="area")
    lab = a[(a["region_id"] == "ES62") & (a["target_group"] == "TCN")
            & (a["area"] == "labour market")].iloc[0]
    assert lab["coverage"] == 0.25 and np.isnan(lab["score"])


def test_published_weight_moves_every_page(settings, small_store, monkeypatch):
    """Change one weight in the published indicators table: the Overview, the Region profile
    and the brief all move by the hand-computed amount, and the Methodology page lists it."""
    from data.imports import Upload, plan_import, publish_plan

    monkeypatch.setenv("MIPEXR_STORE", str(settings.store_path))
    before = run(settings.store_path, monkeypatch)
    table = frame_with(before, "Overall score").set_index("Region code")
    assert table.loc["ES51", "Overall score"] == 87.5
    ind = CSV["indicators"].replace("LM02,Job counselling,Is counselling offered?,labour market,"
                                    "implementation,resources,TCN;BIP,A=100;B=50;C=0,1,",
                                    "LM02,Job counselling,Is counselling offered?,labour market,"
                                    "implementation,resources,TCN;BIP,A=100;B=50;C=0,3,")
    assert ind != CSV["indicators"]
    plan = plan_import(small_store, [Upload("indicators.csv", ind.encode(), "indicators")],
                       settings)
    assert plan.ok, plan.problems.to_string()
    publish_plan(small_store, plan, who="test", note="LM02 weighs 3")
    after = run(settings.store_path, monkeypatch)
    table = frame_with(after, "Overall score").set_index("Region code")
    # 81.25 shown by the one rounding rule: 81.3 (Python's format would print 81.2)
    assert table.loc["ES51", "Overall score"] == 81.3
    region = run(settings.store_path, monkeypatch, "pages/region.py", region="ES51")
    assert metrics(region)["Overall score"] == "81.3"
    drill = frame_with(region, "Question").set_index("Indicator")
    assert drill.loc["LM02", "Weight"] == "3"
    method = run(settings.store_path, monkeypatch, "pages/methodology.py")
    weights = frame_with(method, "Weight")
    assert "LM02" in set(weights["Code"]) and "Indicators whose weight is not 1" in \
        page_text(method)
    b = run(settings.store_path, monkeypatch, "pages/brief.py", region="ES51")
    assert metrics(b)["Overall score"] == "81.3"


# ------------------------------------------------------------------ 2. what to work on

def _five_lists(tabs, cube, lab_table, region, group, edition, names) -> dict[str, list]:
    """The priority areas as each of the five places computes them (their own models)."""
    regions, practices = tabs["regions"], tabs["practices"]
    # 1. the Region profile's "Learn from other regions" (default peer group)
    prof = profile.practice_links(cube, practices, regions, region, group, edition)
    # 2. its "Practices for these gaps" link, read as the Integration Lab reads it
    link = prof["link"]
    scored = sorted(map(str, cube.regions))
    mode, ids, _ = params.parse_peers(link.get(params.PEERS_PARAM), scored, link["region"])
    linked = profile.practice_links(cube, practices, regions, link["region"], link["group"],
                                    int(link["edition"]), mode, tuple(ids))
    # 3. the Integration Lab's own ranking on its own table (ui.practices.area_scores)
    lab = dp.gap_suggestions(practices, regions, lab_table, region, target_group=group,
                             edition=edition)
    # 4. the brief's gaps table / priorities, 5. the workshop's step 4
    brf = brief.area_gaps(cube, region, group, edition, names,
                          profile.peer_ids(profile.axis_table(cube, "area"), region, "all", [],
                                           regions, group, edition))
    shop = ws.gap_areas(cube, tabs, region, group, edition, names)
    return {"profile": prof["areas"], "link": linked["result"].areas,
            "lab": lab.areas if lab.reason in ("", "no_practices") else [],
            "brief": brf.loc[brf["priority"], "area"].tolist(),
            "workshop": shop["area"].tolist()}


def test_five_places_list_the_same_priority_areas(demo):
    tabs, cube = demo
    names = profile.region_label(tabs["regions"])
    lab_table = scoring.aggregate(cube, by=("area",)).astype(
        {"region_id": str, "target_group": str, "area": str})
    seen = 0
    for region in map(str, cube.regions):
        for group in cube.groups:
            for edition in cube.editions:
                lists = _five_lists(tabs, cube, lab_table, region, group, edition, names)
                first = lists["profile"]
                assert all(v == first for v in lists.values()), (region, group, edition, lists)
                seen += bool(first)
    assert seen > 100  # most views do have priorities: the comparison is not vacuous


@pytest.mark.parametrize("region,group,edition", [("ITF3", "TCN", "2024"),
                                                  ("ES51", "BIP", "2021")])
def test_five_pages_show_the_same_areas(demo_store, monkeypatch, demo, region, group, edition):
    """The same, read off the rendered pages: profile → its link → the Lab; brief; workshop."""
    _, cube = demo
    peers = [r for r in map(str, cube.regions) if r != region]
    prio = scoring.priorities(scoring.aggregate(cube, by="area"), region, peers, group,
                              int(edition), n=profile.N_PRIORITIES)
    areas = prio.loc[prio["priority"], "area"].tolist()
    assert areas
    reasons = [profile.priority_reason(r) for _, r in prio[prio["priority"]].iterrows()]
    listed = "\n".join(f"{k}. **{a}** — {why}"
                       for k, (a, why) in enumerate(zip(areas, reasons), start=1))
    at = run(demo_store, monkeypatch, "pages/region.py", region=region, group=group,
             edition=edition)
    assert listed in page_text(at)
    link = next(p for p in at.get("page_link") if "practices" in p.proto.page)
    query = dict(kv.split("=", 1) for kv in link.proto.query_string.split("&"))
    lab = run(demo_store, monkeypatch, "pages/practices.py", **query)
    assert listed in page_text(lab)
    b = run(demo_store, monkeypatch, "pages/brief.py", region=region, group=group,
            edition=edition)
    assert "Priority areas, where it falls furthest below its peers' mean: " + "; ".join(
        f"{a}: {why}" for a, why in zip(areas, reasons)) in page_text(b)
    shop = run(demo_store, monkeypatch, "pages/workshop.py", region=region, group=group,
               edition=edition, step="4")
    assert "Priority areas, where it falls furthest below its peers' mean: " + "; ".join(
        f"**{a}** ({fmt.signed(-s)})" for a, s in zip(areas, prio.loc[prio["priority"],
                                                                     "shortfall"])) \
        in page_text(shop)


def test_priority_rule_ties_and_no_shortfall():
    table = pd.DataFrame({
        "region_id": ["R", "R", "R", "P", "P", "P"], "target_group": "TCN", "edition": 2024,
        "area": ["a", "b", "c"] * 2, "score": [40.0, 30.0, 90.0, 50.0, 40.0, 90.0],
        "coverage": 1.0})
    table.attrs["by"] = ("area",)
    p = scoring.priorities(table, "R", ["P"], "TCN", 2024, n=3)
    # a and b are both 10 below: the lower own score (b, 30) comes first; c is level
    assert p.loc[p["priority"], "area"].tolist() == ["b", "a"]
    assert p.set_index("area").loc["c", "reason"] == "at_or_above_peers"
    ahead = scoring.priorities(table, "P", ["R"], "TCN", 2024)
    assert not ahead["priority"].any()


def test_workshop_never_calls_a_region_above_its_peers_where_it_is_not(demo):
    tabs, cube = demo
    names = profile.region_label(tabs["regions"])
    found = False
    for region in map(str, cube.regions):
        g = brief.area_gaps(cube, region, "TCN", 2024, names,
                            [r for r in map(str, cube.regions) if r != region])
        lines = ws.profile_sentences(cube, tabs, region, "TCN", 2024, names, ws.view_key({}))
        if (g["gap_peers"].dropna() <= 0).all():
            found = True
            assert not any("above" in s and "**" in s.split("above")[1][:4] for s in lines)
            assert lines[0] == "Above its peers' mean in no area."
        else:
            top = g.sort_values("gap_peers", ascending=False).iloc[0]
            assert f"**{top['area']}** (+" in shown(lines[0])
    assert found, "the demo has a region below its peers everywhere"


# ------------------------------------------------------------------ 3. coverage, one meaning

def test_coverage_headline_equals_tables(demo_store, monkeypatch, demo):
    tabs, cube = demo
    at = run(demo_store, monkeypatch, "pages/region.py", region="ITF3")
    headline = metrics(at)["Coverage"]
    ov = profile.overall_table(cube, tabs["regions"], 2024, "TCN").set_index("region_id")
    assert headline == fmt.percent(ov.loc["ITF3", "coverage"])
    # the same figure in the Overview's table
    overview = frame_with(run(demo_store, monkeypatch), "Overall score").set_index("Region code")
    assert overview.loc["ITF3", "Coverage"] == fmt.round_half_up(ov.loc["ITF3", "coverage"], 3)
    # and it is what the area table beside the radar says: the mean of the area coverages
    # (every area has a score here, and the areas weigh the same)
    areas = frame_with(at, "Peers")
    assert metrics(at)["Areas with a score"] == f"{len(areas)} / {len(areas)}"
    a = scoring.aggregate(cube, by="area")
    a = a[(a["region_id"] == "ITF3") & (a["target_group"] == "TCN") & (a["edition"] == 2024)]
    assert headline == fmt.percent(a["coverage"].mean())
    assert fmt.percent(a["coverage"].min()) != "100.0%"  # not a vacuous 100 % everywhere
    # the brief prints the profile's cards
    b = brief.build(cube, tabs, MANIFEST, "ITF3", "TCN", 2024)
    assert dict(brief.headline_lines(b))["Coverage"] == headline


# ------------------------------------------------------------------ 3b. ?w= on every page

def test_w_is_parsed_the_same_on_every_page(demo_store, monkeypatch, demo):
    tabs, cube = demo
    ov = scoring.overall(cube, group_weights={"health": 2.0})
    want = ov[(ov["region_id"] == "ES51") & (ov["target_group"] == "TCN")
              & (ov["edition"] == 2024)]["score"].item()
    plain = profile.overall_table(cube, tabs["regions"], 2024, "TCN").set_index("region_id")
    assert fmt.number(want) != fmt.number(plain.loc["ES51", "score"])  # the weight shows
    w = "health:2,foo:1"
    pages = {
        "overview": run(demo_store, monkeypatch, w=w),
        "region": run(demo_store, monkeypatch, "pages/region.py", region="ES51", w=w),
        "gaps": run(demo_store, monkeypatch, "pages/gaps.py", w=w),
        "brief": run(demo_store, monkeypatch, "pages/brief.py", region="ES51", w=w),
        "workshop": run(demo_store, monkeypatch, "pages/workshop.py", region="ES51", step="1",
                        w=w),
    }
    for name, at in pages.items():
        # the bad item is named, the good one is kept (not "equal weights are used instead")
        assert "The link's weight “foo:1” was ignored" in notices(at), name
        assert "health:2" not in notices(at), name
    table = frame_with(pages["overview"], "Overall score").set_index("Region code")
    assert table.loc["ES51", "Overall score"] == fmt.round_half_up(want)
    for name in ("region", "brief", "workshop"):
        assert metrics(pages[name])["Overall score"] == fmt.number(want), name
    assert pages["gaps"].number_input(key="weight::health").value == 2.0


# ------------------------------------------------------------------ 4. ranks with their band

def test_every_rank_has_its_band(demo_store, monkeypatch, demo):
    tabs, cube = demo
    ov = profile.overall_table(cube, tabs["regions"], 2024, "TCN").set_index("region_id")
    row = ov.loc["ITF3"]
    band = fmt.rank_band(row["rank"], row["rank_low"], row["rank_high"])
    assert re.fullmatch(r"\d+(st|nd|rd|th) \(band \d+–\d+\)", band)
    rb = scoring.robustness(cube, "TCN", 2024, regions=tabs["regions"]).set_index("region_id")
    assert (row["rank_low"], row["rank_high"]) == (rb.loc["ITF3", "rank_p05"],
                                                   rb.loc["ITF3", "rank_p95"])
    overview = frame_with(run(demo_store, monkeypatch), "Rank band").set_index("Region code")
    assert overview.loc["ITF3", "Rank band"] == fmt.band(row["rank_low"], row["rank_high"])
    region = metrics(run(demo_store, monkeypatch, "pages/region.py", region="ITF3"))
    assert region["Rank among 25 regions"] == band
    assert metrics(run(demo_store, monkeypatch, "pages/brief.py",
                       region="ITF3"))["Rank among 25 regions"] == band
    shop = run(demo_store, monkeypatch, "pages/workshop.py", region="ITF3", step="1")
    big = next(m for m in shop.metric if m.label == "Rank among 25 regions")
    assert (big.value, big.delta) == (fmt.ordinal(row["rank"]),  # large on a projector
                                      fmt.band_words(row["rank_low"], row["rank_high"]))
    reveal = run(demo_store, monkeypatch, "pages/workshop.py", region="ITF3", step="1",
                 guess="1", reveal="1")
    assert f"ranked {band} among 25 regions" in page_text(reveal)
    # computed once per data version (cached on the version id): the same object again
    from data.backends import open_store

    vv = open_store(demo_store).current_id()
    assert profile.overall_of(vv, 2024, "TCN") is profile.overall_of(vv, 2024, "TCN")


def test_nominal_rank_of_the_bands_is_the_overall_rank(demo):
    tabs, cube = demo
    for group in cube.groups:
        for edition in cube.editions:
            rb = scoring.robustness(cube, group, edition, n_draws=10, regions=tabs["regions"])
            ov = scoring.overall(cube, regions=tabs["regions"])
            ov = ov[(ov["target_group"] == group) & (ov["edition"] == edition)]
            np.testing.assert_allclose(rb["nominal_score"], ov["score"], equal_nan=True)
            assert rb["nominal_rank"].astype("Float64").equals(ov["rank"].reset_index(drop=True)
                                                               .astype("Float64"))


# ------------------------------------------------------------------ 5. one rounding rule

def test_one_rounding_rule():
    r = fmt.round_half_up
    assert (r(31.25), r(-56.25), r(0.15), r(2.675, 2), r(0.8575, 3)) == \
        (31.3, -56.3, 0.2, 2.68, 0.858)
    assert fmt.number(31.25) == "31.3" and fmt.signed(-56.25) == "-56.3"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_same_rounding_on_screen_in_the_brief_pdf_and_in_the_csv(demo_store, monkeypatch,
                                                                 demo, tmp_path):
    """Campania's strengths hold exact ties (+31.25, −56.25): Python's format printed 31.2 /
    −56.2 in the brief while the screen showed 31.3 / −56.3. Now all three agree."""
    from data.export import table_csv
    from ui.components import export_frames

    tabs, cube = demo
    at = run(demo_store, monkeypatch, "pages/region.py", region="ITF3")
    shown = frame_with(at, "Difference")
    ties = {31.3, -56.3}
    assert ties <= set(shown["Difference"].round(6))
    # the CSV download of that table
    full = profile.strengths_shown(cube, "ITF3", [r for r in map(str, cube.regions)
                                                  if r != "ITF3"], "TCN", 2024,
                                   tabs["indicators"])
    assert ties & set(full["Difference"]) == set()  # unrounded, the ties are .25 / .75
    csv = table_csv(export_frames(full)[0]).decode("utf-8-sig")
    assert ",31.3\n" in csv and ",-56.3\n" in csv
    # the brief's PDF text
    b = brief.build(cube, tabs, MANIFEST, "ITF3", "TCN", 2024)
    path = tmp_path / "brief.pdf"
    path.write_bytes(brief.to_pdf(b))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert re.search(r"\b31\.3\b", text) and re.search(r"-56\.3\b", text)
    assert not re.search(r"\b31\.2\b", text) and not re.search(r"-56\.2\b", text)
    # the XLSX keeps full precision on a second sheet
    sheets = export_frames(full, "strengths")[1]
    assert list(sheets) == ["strengths", "full precision"]
    assert sheets["full precision"]["Difference"].equals(full["Difference"])


# ------------------------------------------------------------------ 6. charts and answers

def _offsets(spec) -> list:
    out = []

    def walk(node):
        if isinstance(node, dict):
            enc = node.get("encoding", {})
            if "yOffset" in enc:
                out.append(enc["yOffset"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(spec)
    return out


def test_series_order_is_region_peers_best_in_every_chart(demo):
    tabs, cube = demo
    table = profile.axis_table(cube, "area")
    names = profile.region_label(tabs["regions"])
    order = profile.area_order(cube)
    for region in ("ITF4", "ES51", "PT20"):  # ITF4 lacks social security: a missing value
        peers = profile.peer_ids(table, region, "all", [], tabs["regions"], "TCN", 2024)
        radar = profile.radar_frame(table, region, peers, "TCN", 2024, names)
        series = radar["series"].drop_duplicates().tolist()
        assert series == [names[region], "Peer-group mean", "Best performer"]
        from ui import charts
        bars = charts.bar_chart(radar, "area", series="series", category_order=order,
                                series_order=series).to_dict()
        offsets = _offsets(bars)
        assert offsets and all(o["field"] == "_offset" and o["scale"]["domain"] == series
                               for o in offsets), offsets
        b = brief.build(cube, tabs, MANIFEST, region, "TCN", 2024)
        for o in _offsets(brief.area_bars(b).to_dict()):
            assert o["scale"]["domain"][1:] == ["Peer-group mean", "Best performer"]


def test_answer_map_rule_lives_in_one_place():
    import data.answers
    import data.imports
    import data.validate
    import scoring.values

    assert scoring.values.answer_values is data.answers.answer_values
    assert data.validate.score_values is data.answers.score_values
    assert data.imports.score_values is data.answers.score_values
    ind = pd.read_csv(io.StringIO(CSV["indicators"]))
    sc = pd.DataFrame({"region_id": ["ES51", "ES51", "ES51"],
                       "indicator_id": ["LM01", "LM02", "HE02"],
                       "target_group": ["TCN", "TCN", "BIP"], "edition": 2024,
                       "answer": [" B ", "C", None], "value": [None, 10.0, 40.0]})
    rule = data.answers.score_values(sc, ind)
    assert rule.value.tolist() == [50.0, 0.0, 40.0]  # spaces trimmed; the answer wins
    assert rule.disagree.tolist() == [False, True, False]  # C = 0, not 10: reported
    cube = scoring.prepare(ind, sc)
    r, e = cube.region_index("ES51"), cube.edition_index(2024)
    ids = list(cube.indicators["indicator_id"])
    assert cube.raw[r, cube.group_index("TCN"), e, ids.index("LM01")] == 50.0
    bad = sc.assign(answer=["Z", None, None])
    assert data.answers.score_values(bad, ind).unknown.tolist() == [True, False, False]
    with pytest.raises(ValueError, match="LM01=Z"):
        scoring.prepare(ind, bad)


def test_rank_bands_do_not_depend_on_the_row_order_of_the_indicators(demo):
    """The store keeps rows in its own order; the bands must be the same for the same data."""
    tabs, cube = demo
    shuffled = scoring.prepare(tabs["indicators"].sample(frac=1, random_state=3),
                               tabs["scores"], regions=cube.regions)
    a = scoring.robustness(cube, "TCN", 2024, n_draws=200)
    b = scoring.robustness(shuffled, "TCN", 2024, n_draws=200)
    assert a[["rank_p05", "rank_p95", "median_rank"]].equals(b[["rank_p05", "rank_p95",
                                                                 "median_rank"]])
