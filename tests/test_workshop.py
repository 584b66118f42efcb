"""Workshop mode: the pure pieces (step URLs, letters, the what-if) and every step by URL
under AppTest, with the numbers the Region profile and the scoring engine give."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import scoring
from ui import fmt, profile
from ui import workshop as ws

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("workshop") / "store"


def run(monkeypatch, store_dir, **params) -> AppTest:
    monkeypatch.setenv("MIPEXR_STORE", str(store_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/workshop.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at) -> str:
    return " ".join(str(x.value) for x in [*at.title, *at.header, *at.markdown, *at.caption,
                                           *at.info, *at.warning])


# ------------------------------------------------------------------------------ pure

def test_parse_step():
    assert ws.parse_step(None) == (1, None)
    assert ws.parse_step("3") == (3, None)
    assert ws.parse_step("gaps") == (4, None)
    assert ws.parse_step("WHATIF") == (6, None)
    for bad in ("0", "7", "x", "-1", "2.5"):
        step, msg = ws.parse_step(bad)
        assert step == 1 and bad in msg


def test_letters_and_guess_names():
    assert ws.letters(3) == ["A", "B", "C"]
    assert ws.letters(28)[25:] == ["Z", "AA", "AB"]
    ids = ["ES51", "PT20", "ITF3", "SE224"]
    a, b = ws.guess_names(ids, 1), ws.guess_names(list(reversed(ids)), 1)
    assert a == b  # the same round gives the same letters whatever the order
    assert sorted(a.values()) == [f"Region {c}" for c in "ABCD"]
    assert ws.parse_guess("1") == 1 and ws.parse_guess("yes") == 1 and ws.parse_guess(None) is None
    assert ws.parse_guess("0") is None and ws.parse_guess("7") == 7


def test_step_urls_cover_every_step():
    urls = ws.step_urls("/workshop", "ES51", 2024, "TCN")
    assert len(urls) == len(ws.STEPS) == 6
    assert urls[2] == "/workshop?region=ES51&step=3&edition=2024&group=TCN"


def test_what_if_matches_scoring(demo):
    tabs, cube = demo
    edition = cube.editions[-1]
    opts = ws.what_if_options(cube, "ES51", "TCN", edition)
    assert len(opts) and (opts["value"].dropna().diff().dropna() >= 0).all()  # weakest first
    assert not (opts["value"] >= opts["best_value"]).any()
    ind = opts["indicator_id"].iloc[0]
    best = ws.answer_options(cube, ind)[0][0]
    r = ws.what_if(cube, "ES51", ind, best, "TCN", edition)
    raw = scoring.what_if(cube, "ES51", {(ind, "TCN"): best}, edition)
    raw = raw[raw["target_group"] == "TCN"]
    ov = raw[raw["level"] == "overall"].iloc[0]
    assert r["overall_new"] == pytest.approx(ov["score_new"])
    # "before" is exactly the Region profile's headline
    head = profile.overall_table(cube, tabs["regions"], edition, "TCN").set_index("region_id").loc["ES51"]
    assert r["overall_old"] == pytest.approx(head["score"]) and r["rank_old"] == head["rank"]
    assert r["score_new"] >= r["score_old"] and r["overall_new"] >= r["overall_old"]


def test_neighbourhood_is_around_the_region(demo):
    tabs, cube = demo
    edition = cube.editions[-1]
    labels = profile.region_label(tabs["regions"])
    near = ws.neighbourhood(cube, tabs["regions"], "ITF3", "TCN", edition, labels)
    assert "ITF3" in set(near["region_id"]) and len(near) <= 2 * ws.NEIGHBOURS + 1
    assert near["score"].is_monotonic_decreasing


# ------------------------------------------------------------------------------ AppTest

@pytest.mark.parametrize("step", range(1, 7))
def test_every_step_renders_by_url(monkeypatch, store_dir, step):
    at = run(monkeypatch, store_dir, region="ES51", step=str(step))
    assert at.title[0].value == ws.step_titles()[step - 1]
    assert f"Step {step} of 6" in texts(at)
    assert "Cataluña" in texts(at)
    if step in (1, 2, 3, 4):
        assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")


def test_step_one_numbers_equal_region_page(monkeypatch, store_dir, demo):
    tabs, cube = demo
    at = run(monkeypatch, store_dir, region="ITF4", step="1", group="BIP", edition="2021")
    row = profile.overall_table(cube, tabs["regions"], 2021, "BIP").set_index("region_id").loc["ITF4"]
    values = {m.label: m.value for m in at.metric}
    assert values["Overall score"] == fmt.number(row["score"])
    # on the projector the rank is large and its band under it (the metric's delta)
    rank = [m for m in at.metric if m.label.startswith("Rank among")]
    assert [m.value for m in rank] == [fmt.ordinal(row["rank"])]
    assert [m.delta for m in rank] == [fmt.band_words(row["rank_low"], row["rank_high"])]


def test_what_if_step_by_url(monkeypatch, store_dir, demo):
    tabs, cube = demo
    edition = cube.editions[-1]
    opts = ws.what_if_options(cube, "PT20", "TCN", edition)
    ind = opts["indicator_id"].iloc[1]
    answer = ws.answer_options(cube, ind)[0][0]
    at = run(monkeypatch, store_dir, region="PT20", step="6", group="TCN", indicator=ind,
             answer=answer)
    r = ws.what_if(cube, "PT20", ind, answer, "TCN", edition)
    values = {m.label: m.value for m in at.metric}
    assert values["Overall score"] == fmt.number(r["overall_new"])
    assert values[f"{r['area']} score"] == fmt.number(r["score_new"])
    assert values[f"Rank among {r['n_ranked']} regions"] == fmt.ordinal(r["rank_new"])
    assert f"Rank with the new answer: {fmt.rank_band(r['rank_new'], *r['band_new'])}." in \
        texts(at)


def test_guess_round_hides_and_reveals_names(monkeypatch, store_dir):
    at = run(monkeypatch, store_dir, region="ES51", step="2", guess="1")
    shown = texts(at)
    assert "Mystery region: Region" in shown and "Cataluña" not in shown
    assert any(b.label == "Reveal the names" for b in at.button)
    at = run(monkeypatch, store_dir, region="ES51", step="2", guess="1", reveal="1")
    assert "Cataluña" in texts(at)


def test_bad_step_gives_notice(monkeypatch, store_dir):
    at = run(monkeypatch, store_dir, region="ES51", step="99")
    assert at.title[0].value == ws.step_titles()[0]
    assert "step “99”" in texts(at)


def test_next_button_moves_one_step(monkeypatch, store_dir):
    at = run(monkeypatch, store_dir, region="ES51", step="2")
    nxt = [b for b in at.button if b.key == "ws-next"][0]
    nxt.click()
    at.run()
    assert at.title[0].value == ws.step_titles()[2]
    q = at.query_params["step"]
    assert (q[-1] if isinstance(q, list) else q) == "3"


def test_presentation_css_has_no_user_text():
    assert "{" in ws.PRESENTATION_CSS and "stSidebar" in ws.PRESENTATION_CSS
    assert np.all([c not in ws.PRESENTATION_CSS for c in ("Cataluña", "<script")])


def test_projector_charts_write_labels_at_least_28_px():
    """A slide is read from the back of a room: the workshop's charts scale their axis and
    legend labels to 28 px or more (the radar's, which sit around the circle, to 26)."""
    import pandas as pd

    from ui import charts, export, workshop

    frame = pd.DataFrame({"area": ["health", "housing"], "gap_peers": [-3.0, 4.0]})
    spec = export.scale_fonts(charts.bar_chart(frame, "area", "gap_peers", domain=None),
                              workshop.CHART_SCALE)
    sizes = [v for k, v in _walk(spec) if k == "labelFontSize"]
    assert sizes and min(sizes) >= 28, sizes
    assert charts.LABEL_SIZE * workshop.RADAR_SCALE >= 26


def _walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("data", "datasets"):
                continue
            yield k, v
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)
