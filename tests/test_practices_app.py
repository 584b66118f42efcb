"""The Integration Lab page in AppTest: filters and search from the URL, practices for my
gaps, the card (escaped), and the layers in the deck JSON. AppTest sends no pydeck
selection events: the selection handler is tested here through its session-state
callback, and clicking the canvas is tested in tests/browser/test_practices_browser.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data.demo import build_demo
from data.imports import derive
from data.schema import TABLE_ORDER
from data.store import Store

ROOT = Path(__file__).resolve().parent.parent
NUTS = ROOT.parent / "shared" / "data" / "nuts"
XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_LESSONS = "<script>alert('lessons')</script> **not bold** [click](javascript:alert(2))"


def xss_tables():
    """The demo tables plus practice PX01 carrying markup in its title and lessons."""
    tables = derive(build_demo())
    p = tables["practices"]
    row = p[p["practice_id"] == "P037"].copy()
    row = row.assign(practice_id="PX01", title=XSS_TITLE, lessons_learnt=XSS_LESSONS,
                     summary="<b>bold?</b> $x^2$ :red[red?]", lat=42.6, lon=-8.1,
                     url="javascript:alert(3)")
    tables["practices"] = pd.concat([p, row], ignore_index=True)
    return tables


def publish_xss(store_dir: Path) -> Store:
    store = Store(store_dir)
    tables = xss_tables()
    store.publish({t: tables[t] for t in TABLE_ORDER}, base_version=store.current_id(), who="test",
                  note="XSS practice", illustrative={t: True for t in TABLE_ORDER})
    return store


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    return tmp_path_factory.mktemp("lab") / "store"


@pytest.fixture(scope="module")
def xss_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("labxss") / "store"
    publish_xss(path)
    return path


def run_page(store: Path, params: dict | None = None, boundaries: Path | None = None) -> AppTest:
    os.environ["MIPEXR_STORE"] = str(store)
    if boundaries:
        os.environ["MIPEXR_BOUNDARIES"] = str(boundaries)
    else:
        os.environ.pop("MIPEXR_BOUNDARIES", None)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(params or {})
    at.run()
    at.switch_page("pages/practices.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def listed(at) -> list[str]:
    return at.dataframe[0].value["practice_id"].tolist()


def deck(at) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def test_default_lists_every_practice_and_draws_points(demo_store):
    at = run_page(demo_store)
    assert len(listed(at)) == 40
    spec = deck(at)
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert list(layers) == ["region-points", "practices"]  # no boundary file: regions as circles
    assert len(layers["practices"]["data"]) == 40
    assert layers["practices"]["pickable"] is True
    assert layers["practices"]["radiusUnits"] == "pixels"  # not pydeck's "@@=pixels" expression
    assert "mapProvider" not in spec or spec.get("mapProvider") in (None, "")
    assert json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)["html"].count("{title}") == 1


@pytest.mark.skipif(not NUTS.is_dir(), reason="no NUTS files in ../shared/data/nuts")
def test_boundaries_give_countries_and_region_polygons(demo_store):
    at = run_page(demo_store, boundaries=NUTS)
    layers = {layer["id"]: layer for layer in deck(at)["layers"]}
    assert ["countries", "regions", "region-points", "practices"] == list(layers)
    regions = layers["regions"]["data"]["features"]
    assert len(regions) == 24  # 25 scored regions; Skåne (NUTS-3) has no polygon file → a point
    no_data = [f for f in regions if "no data" in f["properties"]["detail"]]
    assert all(f["properties"]["dash"] != [0, 0] for f in no_data)
    assert layers["countries"]["pickable"] is False
    assert layers["regions"]["lineWidthUnits"] == "pixels"


def test_url_filters_are_applied_and_kept(demo_store):
    at = run_page(demo_store, {"area": "housing", "tg": "BIP"})
    assert listed(at) == ["P009", "P014", "P031", "P033", "P036"]
    assert at.query_params["area"] == "housing" and at.query_params["tg"] == "BIP"
    assert len(deck(at)["layers"][-1]["data"]) == 5  # the map shows what the list shows


def test_search_ranks_and_combines_with_filters(demo_store):
    at = run_page(demo_store, {"q": "housing"})
    assert set(listed(at)[:2]) == {"P009", "P036"} and len(listed(at)) == 4
    at = run_page(demo_store, {"q": "housing", "country": "ES,PT"})
    assert sorted(listed(at)) == ["P036", "P038"]


def test_search_typed_in_the_box_goes_to_the_url(demo_store):
    at = run_page(demo_store)
    at.text_input(key="w_q").input("mentoria").run()
    assert listed(at) == ["P002"] and at.query_params["q"] == "mentoria"


def test_unknown_url_value_is_a_notice_not_an_error(demo_store):
    at = run_page(demo_store, {"area": "housing,astrology", "practice": "NOPE"})
    notes = " ".join(i.value for i in at.info)
    assert "astrology" in notes and "NOPE" in notes
    assert len(listed(at)) == 7


def test_practices_for_my_gaps(demo_store):
    at = run_page(demo_store, {"region": "ITF3", "for_gaps": "1", "group": "BIP", "edition": "2024"})
    frame = at.dataframe[0].value
    assert frame["practice_id"].tolist()[:4] == ["P008", "P031", "P004", "P003"]
    assert "Campania" not in set(frame["region_name"])
    assert frame["why"].iloc[0].startswith(
        "Campania is 19.1 points below its peers' mean in health; Skåne län scores 75.0")
    text = " ".join(m.value for m in at.markdown)
    # the priority areas with their reasons, as the Region profile lists them
    assert "Campania's priority areas" in text
    assert "1. **anti\\-discrimination** — 21.4 points below its peers' mean" in text
    assert at.query_params["shade"] == "anti-discrimination"  # the map shades the first priority


def test_gaps_with_same_country_peers(demo_store):
    at = run_page(demo_store, {"region": "ES51", "for_gaps": "1", "group": "TCN", "peers": "country"})
    assert not at.exception and "why" in at.dataframe[0].value.columns


def test_card_from_url_shows_every_field(demo_store):
    at = run_page(demo_store, {"practice": "P037"})
    text = " ".join(m.value for m in at.markdown)
    for words in ("Comunidad de Madrid", "Lessons learnt", "Tips for transferability", "REGIN criteria",
                  "Funding", "Stakeholders", "Regional authority", "Target groups", "Years"):
        assert words in text, words
    assert any("Psychological first aid" in h.value for h in at.subheader)


def test_selection_callback_opens_the_card(demo_store):
    """What a click on the map does: the pydeck selection callback sets the practice."""
    from ui import practices as ui

    at = run_page(demo_store)
    assert not any("Psychological" in h.value for h in at.subheader)
    # AppTest cannot click a canvas: do what the on_select callback does with the event
    # Streamlit would send (the selection dict), then rerun.
    event = {"selection": {"indices": {"practices": [36]}, "objects": {"practices": [{"practice_id": "P037"}]}}}
    assert ui.selected_practice(event) == "P037"
    at.session_state[ui.SEL_KEY] = "P037"
    at.run()
    assert any("Psychological first aid" in h.value for h in at.subheader)


def test_user_markup_is_shown_as_text_in_the_card(xss_store):
    at = run_page(xss_store, {"practice": "PX01"})
    title = [h.value for h in at.subheader if "img" in h.value]
    assert title == [r"\<img src\=x onerror\=alert\(1\)\>"]
    bodies = " ".join(m.value for m in at.markdown)
    assert r"\<script\>alert\(\'lessons\'\)\<\/script\>" in bodies
    assert "<script>" not in bodies and "<img" not in bodies
    assert r"\*\*not bold\*\*" in bodies and r"\$x\^2\$" in bodies
    assert not [b for b in at.get("link_button")]  # a javascript: link is not offered
    # the list holds the raw text (a data grid renders it as text)
    assert XSS_TITLE in at.dataframe[0].value["title"].tolist()
    # the deck carries raw text for Streamlit's tooltip, which escapes it itself
    layers = {layer["id"]: layer for layer in deck(at)["layers"]}
    assert any(d["title"] == XSS_TITLE for d in layers["practices"]["data"])
    assert "selected" in layers  # the open practice is ringed on the map


def test_aggregated_cells_above_the_threshold(tmp_path):
    """Many practices: the map shows counted cells, the list all of them."""
    import numpy as np

    tables = derive(build_demo())
    p = tables["practices"]
    rng = np.random.default_rng(1)
    n = 6000
    big = p.sample(n, replace=True, random_state=1).reset_index(drop=True)
    big["practice_id"] = [f"B{i:05d}" for i in range(n)]
    big["lat"] = rng.uniform(36, 60, n)
    big["lon"] = rng.uniform(-9, 25, n)
    tables["practices"] = pd.concat([p, big], ignore_index=True)
    Store(tmp_path / "store").publish(tables, base_version=None, who="test")
    at = run_page(tmp_path / "store")
    layer = deck(at)["layers"][-1]
    assert layer["id"] == "practices" and 0 < len(layer["data"]) <= 5000
    assert "count" in layer["data"][0]
    assert len(at.dataframe[0].value) == 500  # the grid is capped; the downloads hold all
    assert any("first 500 of 6,040" in c.value for c in at.caption)


def test_why_suggested_rows_are_tall_enough_to_wrap(demo_store):
    """The reason a practice is suggested is a sentence: in "for my gaps" the list's rows are
    tall enough for it to wrap (a cut sentence hid the other region's score)."""
    from ui import practices

    at = run_page(demo_store, {"region": "ITF3", "for_gaps": "1", "group": "BIP", "edition": "2024"})
    assert at.dataframe[0].proto.row_height == practices.WHY_ROW_HEIGHT
    at = run_page(demo_store)
    assert at.dataframe[0].proto.row_height != practices.WHY_ROW_HEIGHT
