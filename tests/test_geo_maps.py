"""The choropleth and the Lab map as plain functions: labels that fit and never overlap, the
selected outline, hover lines, practices spread apart, country outlines, the first view, and
the one-line boundary notes of the pages (AppTest)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely.geometry as sg

import geo
import geo.labels as gl

ROOT = Path(__file__).resolve().parent.parent


def squares(codes_sizes) -> gpd.GeoDataFrame:
    rows = []
    for code, x, y, size in codes_sizes:
        rows.append({"region_id": code, "name": f"name {code}", "shape": "polygon", "lat": np.nan,
                     "lon": np.nan, "geometry": sg.box(x, y, x + size, y + size)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def test_labels_only_where_they_fit_and_never_overlap():
    # a big region, a tiny one, and a dense row of neighbours whose labels would collide
    cells = [("BIG1", 0, 45, 8), ("TINY", 10, 45, 0.05)] + [(f"R{i:02d}", 12 + i * 0.5, 50 + i * 0.1, 1.0) for i in range(12)]
    m = squares(cells)
    view = geo.view_for((-1, 44, 20, 54), width_px=600, height_px=400)
    labels = geo.place_labels(m, view, width_px=600, height_px=400)
    assert "BIG1" in set(labels["region_id"]) and "TINY" not in set(labels["region_id"])
    assert geo.overlaps(labels) == []
    assert 0 < labels["region_id"].str.startswith("R").sum() < 12  # some of the row, not all
    # the selected region is labelled even where its label does not fit
    sel = geo.place_labels(m, view, selected="TINY", width_px=600, height_px=400)
    assert "TINY" in set(sel["region_id"]) and geo.overlaps(sel) == []


def test_labels_of_points_stand_above_them_and_leave_the_view_out():
    m = pd.DataFrame({"region_id": ["A", "B", "FAR"], "shape": "point", "lat": [50.0, 50.0, 50.0],
                      "lon": [10.0, 10.001, 80.0]})
    view = geo.view_for((9, 49, 11, 51), width_px=400, height_px=300)
    labels = geo.place_labels(m, view, width_px=400, height_px=300)
    assert labels["region_id"].tolist() == ["A"]  # B collides with A; FAR is outside the view
    assert labels["dy"].iloc[0] < 0
    layer = geo.label_layer(labels)
    assert layer.data[0]["offset"][1] < 0 and layer.get_text_anchor == "middle"


def test_selected_region_is_outlined_above_the_choropleth():
    m = squares([("AA11", 0, 45, 2), ("BB22", 3, 45, 2)])
    layer = geo.selected_layer(m, "BB22")
    assert layer.id == geo.SELECTED and not layer.filled and layer.get_line_width == 3
    assert len(layer.data["features"]) == 1
    assert geo.selected_layer(m, "ZZ99") is None and geo.selected_layer(m, None) is None


def test_hover_lines_replace_the_score_line():
    m = squares([("AA11", 0, 45, 2), ("BB22", 3, 45, 2)]).assign(score=[55.0, np.nan])
    detail = pd.Series(["score: 55.0\nRank: 1st", "score: no data\nRank: no data"])
    layers, legend = geo.region_layer(m, "score", detail=detail, palette="YlGnBu", alpha=120)
    props = [f["properties"] for f in layers[0].data["features"]]
    assert [p["detail"] for p in props] == detail.tolist()
    assert props[0]["fill"][3] == 120 and props[1]["fill"][:3] == list(geo.NO_DATA_RGBA[:3])
    assert legend[-1][0] == "no data"


def test_practices_sharing_a_place_are_spread_a_marker_apart():
    located = pd.DataFrame({"practice_id": list("abcdefg"), "lon": [10.0] * 6 + [20.0],
                            "lat": [50.0] * 6 + [40.0]})
    deg_per_px = 360 / (512 * 2 ** 4)
    out = geo.layers.spread(located, deg_per_px)
    assert out.loc[6, ["lon", "lat"]].tolist() == [20.0, 40.0] and out["stack"].tolist() == [6] * 6 + [1]
    x, y = gl.project(out["lon"][:6], out["lat"][:6], pd.Series({"longitude": 10, "latitude": 50, "zoom": 4}))
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    assert d[~np.eye(6, dtype=bool)].min() >= geo.layers.SPREAD_GAP_PX * 0.8
    assert np.hypot(x, y).max() < 4 * geo.layers.SPREAD_GAP_PX  # still at their place
    # near, not equal (two practices of Skåne 0.01° apart) overlap just the same: spread too
    near = pd.DataFrame({"practice_id": ["a", "b"], "lon": [13.546, 13.556], "lat": [55.955, 55.945]})
    out = geo.layers.spread(near, deg_per_px)
    x, y = gl.project(out["lon"], out["lat"], pd.Series({"longitude": 13.5, "latitude": 55.9, "zoom": 4}))
    assert out["stack"].tolist() == [2, 2] and np.hypot(x[0] - x[1], y[0] - y[1]) >= geo.layers.SPREAD_GAP_PX * 0.9


def test_practice_markers_are_ringed_and_say_how_many_share_a_place():
    practices = pd.DataFrame({"practice_id": ["p1", "p2"], "title": ["One", "Two"], "region_id": ["ES51"] * 2,
                              "lat": [41.8, 41.8], "lon": [1.5, 1.5], "areas": ["health", "housing"]})
    layer, _ = geo.practice_layer(practices, deg_per_px=0.01)
    assert layer.stroked and layer.line_width_min_pixels == 2
    assert all("2 practices here" in r["subtitle"] for r in layer.data)
    assert len({(r["lon"], r["lat"]) for r in layer.data}) == 2


def test_country_outlines_are_all_of_europe_in_the_regions_edition():
    b = gpd.GeoDataFrame({"NUTS_ID": ["ES", "FR", "ES", "ES51"], "LEVL_CODE": [0, 0, 0, 2],
                          "nuts_year": [2021, 2021, 2024, 2021], "CNTR_CODE": ["ES", "FR", "ES", "ES"],
                          "source": "x", "geometry": [sg.box(0, 0, 1, 1)] * 4}, crs=4326)
    regions = pd.DataFrame({"region_id": ["ES51"], "nuts_version": [2021]})
    c = geo.countries(b, regions)
    assert c["NUTS_ID"].tolist() == ["ES", "FR"] and set(c["nuts_year"]) == {2021}
    assert geo.countries(b, regions.assign(nuts_version=[2016]))["nuts_year"].unique().tolist() == [2024]
    assert geo.countries(None) is None and geo.countries(b[b["LEVL_CODE"] == 2]) is None


def test_first_view_fits_the_mainland_and_names_the_outermost_regions():
    pts = pd.DataFrame({"region_id": ["PT20", "ES51", "SE11"], "name": ["Açores", "Cataluña", "Stockholm"],
                        "lon": [-25.4, 1.5, 18.1], "lat": [37.8, 41.8, 59.3]})
    w, s, e, n = geo.extent(pts, trim=0, within=geo.MAINLAND)
    assert w == 1.5 and e == 18.1
    assert geo.extent(pts.head(1), trim=0, within=geo.MAINLAND)[0] == -25.4  # nothing inside: all
    assert geo.outside(pts)["region_id"].tolist() == ["PT20"]


def test_a_click_on_a_region_is_read_from_the_selection():
    from ui.charts import picked_region

    poly = {"selection": {"objects": {"regions": [{"type": "Feature", "properties": {"region_id": "ES51"}}]}}}
    point = {"selection": {"objects": {"region-points": [{"region_id": "SE224", "lon": 13.5}]}}}
    assert picked_region(poly) == "ES51" and picked_region(point) == "SE224"
    assert picked_region({"selection": {"objects": {}}}) is None and picked_region(None) is None


# --- the pages' one-line notes -------------------------------------------------------------

def overview(monkeypatch, tmp_path, **env):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def map_note(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Click a region to open its profile."))


def test_boundaries_off_is_one_line_and_points(monkeypatch, tmp_path):
    at = overview(monkeypatch, tmp_path, MIPEXR_BOUNDARIES="off")
    assert map_note(at) == ("Click a region to open its profile. Regions are shown as points: map boundaries "
                            "are turned off (MIPEXR_BOUNDARIES=off).")
    ids = [layer["id"] for layer in json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"]]
    assert ids[0] == "region-points" and "regions" not in ids
    assert not (tmp_path / "store" / "boundaries").exists()  # nothing fetched


def test_offline_server_works_with_points_and_a_note(monkeypatch, tmp_path):
    from geo import fetch as gf

    monkeypatch.delenv("MIPEXR_BOUNDARIES", raising=False)
    at = overview(monkeypatch, tmp_path, MIPEXR_GISCO_URL="http://127.0.0.1:9/nuts/")
    assert "until the map boundaries arrive" in map_note(at) or "could not be downloaded" in map_note(at)
    gf.fetcher(tmp_path / "store" / "boundaries").wait(30)
    at.run()
    assert map_note(at).endswith("could not be downloaded from Eurostat GISCO (is the server offline?). "
                                 "Trying again later.")


def test_a_missing_boundary_folder_is_named(monkeypatch, tmp_path):
    at = overview(monkeypatch, tmp_path, MIPEXR_BOUNDARIES=str(tmp_path / "nowhere"))
    assert f"the boundary folder or file {tmp_path / 'nowhere'} does not exist" in map_note(at)


@pytest.mark.parametrize("env", [{"MIPEXR_BOUNDARIES": "off"}])
def test_overview_map_hover_has_rank_and_coverage(monkeypatch, tmp_path, env):
    at = overview(monkeypatch, tmp_path, **env)
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    detail = spec["layers"][0]["data"][0]["detail"]
    assert "overall score: " in detail and "\nRank: " in detail and "(band " in detail and "\nCoverage: " in detail
