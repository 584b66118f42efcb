"""Tests of geo/: boundaries, matching, colours, layers, deck. Real GISCO files are used when
present in ../shared/data/nuts (skipped otherwise); synthetic files cover the same logic always."""

from __future__ import annotations

import ast
import json
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import geo
from geo.boundaries import parse_name

ROOT = Path(__file__).resolve().parent.parent
NUTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "nuts"  # when present
if not NUTS.is_dir():
    NUTS = ROOT.parent / "shared" / "data" / "nuts"
XSS = "<img src=x onerror=alert(1)>"


def real(name: str) -> Path:
    path = NUTS / name
    if not path.is_file():
        pytest.skip(f"{name} not available")
    return path


def square(x: float, y: float, size: float = 1.0) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def write_nuts(directory: Path, name: str, features: dict[str, dict], level: int) -> Path:
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geom,
         "properties": {"NUTS_ID": code, "LEVL_CODE": level, "CNTR_CODE": code[:2],
                        "NAME_LATN": f"name {code}", "NUTS_NAME": f"name {code}"}}
        for code, geom in features.items()]}
    path = directory / name
    path.write_text(json.dumps(fc))
    return path


@pytest.fixture
def nuts_dir(tmp_path) -> Path:
    """Synthetic GISCO directory: 2021 and 2024 level 2 (PT17 only in 2021, PT1A only in 2024),
    a 2024 level 0, and files that must be ignored."""
    write_nuts(tmp_path, "NUTS_RG_60M_2021_4326_LEVL_2.geojson",
               {"ES51": square(1, 41), "PT17": square(-9, 38), "PT20": square(-26, 37)}, 2)
    write_nuts(tmp_path, "NUTS_RG_20M_2024_4326_LEVL_2.geojson",
               {"ES51": square(1, 41), "PT1A": square(-9, 39), "PT20": square(-26, 37)}, 2)
    write_nuts(tmp_path, "NUTS_RG_01M_2024_4326_LEVL_2.geojson", {"ES51": square(1, 41)}, 2)
    write_nuts(tmp_path, "NUTS_RG_20M_2024_4326_LEVL_0.geojson", {"ES": square(-9, 36, 12)}, 0)
    (tmp_path / "notes.txt").write_text("not a boundary file")
    return tmp_path


@pytest.fixture
def regions() -> pd.DataFrame:
    return pd.DataFrame({
        "region_id": ["ES51", "PT20", "ITF3", "SE224", "PT17", "LAU-IT-063049", "XX99"],
        "name": ["Cataluña", "Região Autónoma dos Açores", "Campania", "Skåne", "Área Metropolitana de Lisboa",
                 "Napoli", "Nowhere"],
        "country": ["ES", "PT", "IT", "SE", "PT", "IT", "XX"],
        "level": ["NUTS2", "NUTS2", "NUTS2", "NUTS3", "NUTS2", "LAU", "NUTS2"],
        "parent_id": ["ES5", "PT2", "ITF", "SE22", "PT1", "ITF33", None],
        "lat": [41.8, 37.8, 40.9, 55.9, 38.8, 40.85, None],
        "lon": [1.5, -25.5, 14.8, 13.5, -9.1, 14.27, None],
        "nuts_version": pd.array([2021, 2021, 2021, 2021, 2021, pd.NA, 2021], dtype="Int64"),
    })


# --- files ------------------------------------------------------------------------------------

def test_parse_name_reads_gisco_names():
    f = parse_name("x/NUTS_RG_20M_2024_4326_LEVL_2.geojson")
    assert (f.kind, f.scale, f.year, f.level) == ("RG", "20M", 2024, 2)
    assert f.label == "NUTS_RG_20M_2024 (level 2)"
    lb = parse_name("NUTS_LB_2021_4326_LEVL_0.geojson")
    assert (lb.kind, lb.scale, lb.year, lb.level) == ("LB", None, 2021, 0)
    assert parse_name("NUTS_RG_20M_2024_3035_LEVL_2.geojson") is None  # not WGS84
    assert parse_name("regions.geojson") is None


def test_pick_files_prefers_web_scale_per_level_and_year(nuts_dir):
    picked = geo.pick_files(geo.discover_files(nuts_dir))
    assert [(f.level, f.year, f.scale) for f in picked] == [(0, 2024, "20M"), (2, 2021, "60M"), (2, 2024, "20M")]
    assert [f.year for f in geo.pick_files(geo.discover_files(nuts_dir), level=2, year=2024)] == [2024]


def test_no_directory_means_no_boundaries(tmp_path):
    assert geo.discover_files(tmp_path / "absent") == []
    assert len(geo.load_boundaries(None)) == 0
    assert len(geo.load_boundaries(tmp_path)) == 0
    with pytest.raises(FileNotFoundError):
        geo.load_boundaries(tmp_path / "absent.geojson")


@pytest.mark.parametrize("name,count", [
    ("NUTS_RG_60M_2021_4326_LEVL_0.geojson", 37),
    ("NUTS_RG_60M_2021_4326_LEVL_2.geojson", 334),
    ("NUTS_RG_20M_2024_4326_LEVL_0.geojson", 39),
    ("NUTS_RG_20M_2024_4326_LEVL_2.geojson", 299),
])
def test_load_real_files(name, count):
    gdf = geo.load_boundaries(real(name))
    assert len(gdf) == count
    assert gdf["NUTS_ID"].notna().all() and gdf["NUTS_ID"].is_unique
    assert gdf.crs.to_epsg() == 4326
    level = int(name[-9])
    assert (gdf["LEVL_CODE"] == level).all()
    assert gdf["source"].iloc[0].endswith(f"(level {level})")


def test_load_real_directory_one_file_per_level_and_year():
    real("NUTS_RG_20M_2024_4326_LEVL_2.geojson")
    gdf = geo.load_boundaries(NUTS)
    assert set(gdf["source"]) >= {"NUTS_RG_20M_2024 (level 2)", "NUTS_RG_60M_2021 (level 2)",
                                  "NUTS_RG_20M_2024 (level 0)"}
    assert not gdf.duplicated(["NUTS_ID", "nuts_year"]).any()
    lb = geo.load_label_points(NUTS)
    assert {"PT17", "ES51"} <= set(lb["NUTS_ID"])


# --- matching ---------------------------------------------------------------------------------

def test_match_real_2024_reports_2021_codes_in_words(regions):
    b = geo.load_boundaries(real("NUTS_RG_20M_2024_4326_LEVL_2.geojson"))
    matched, report = geo.match_regions(regions, b)
    shape = dict(zip(matched["region_id"], matched["shape"]))
    assert shape == {"ES51": "polygon", "PT20": "polygon", "ITF3": "polygon", "SE224": "point",
                     "PT17": "point", "LAU-IT-063049": "point", "XX99": "none"}
    assert report.codes("edition_mismatch") == ["PT17", "XX99"]
    assert report.codes("no_file_for_level") == ["SE224"]
    assert report.codes("municipality") == ["LAU-IT-063049"]
    text = " ".join(report.messages)
    mismatch = next(m for m in report.messages if "PT17" in m)
    assert mismatch.startswith("2 regions have no boundary in NUTS_RG_20M_2024 (level 2): PT17")
    assert "These regions are coded in NUTS 2021, the level-2 boundaries loaded are NUTS 2024" in mismatch
    assert "no NUTS level-3 boundary file is loaded: SE224 (Skåne)" in text
    assert "cannot be placed on the map at all" in text and "XX99 (Nowhere)" in text
    assert report.n_polygons == 3 and report.n_points == 3 and report.n_unplaced == 1


def test_match_real_directory_uses_each_regions_edition(regions):
    real("NUTS_RG_60M_2021_4326_LEVL_2.geojson")
    real("NUTS_RG_20M_2024_4326_LEVL_2.geojson")
    extra = pd.DataFrame({"region_id": ["PT1A", "PT"], "name": ["Grande Lisboa", "Portugal"], "country": ["PT", "PT"],
                          "level": ["NUTS2", "NUTS0"], "nuts_version": pd.array([2024, 2024], dtype="Int64")})
    matched, report = geo.match_regions(pd.concat([regions, extra], ignore_index=True), geo.load_boundaries(NUTS))
    file = dict(zip(matched["region_id"], matched["file"]))
    assert file["PT17"] == "NUTS_RG_60M_2021 (level 2)"
    assert file["PT1A"] == "NUTS_RG_20M_2024 (level 2)"
    assert file["PT"] == "NUTS_RG_20M_2024 (level 0)"
    assert report.codes("edition_mismatch") == []
    # a region without lat/lon but with a polygon gets a point inside it
    pt1a = matched.set_index("region_id").loc["PT1A"]
    assert pt1a["geometry"].contains(__import__("shapely").Point(pt1a["lon"], pt1a["lat"]))


def test_match_unknown_code_in_same_edition(nuts_dir, regions):
    r = regions.assign(nuts_version=pd.array([2024] * len(regions), dtype="Int64"))
    _, report = geo.match_regions(r, geo.load_boundaries(nuts_dir, level=2, year=2024))
    assert report.codes("not_in_file") == ["ITF3", "PT17", "XX99"]
    assert any("The codes are not in that file" in m for m in report.messages)


def test_match_synthetic(nuts_dir, regions):
    matched, report = geo.match_regions(regions, geo.load_boundaries(nuts_dir, level=2, year=2024))
    assert report.codes("edition_mismatch") == ["ITF3", "PT17", "XX99"]
    assert report.codes("other_edition") == ["ES51", "PT20"]  # same code, 2024 file, 2021 data
    assert any("coded in NUTS 2021 are drawn with the boundary" in m for m in report.messages)


def test_match_without_any_file_falls_back_to_points(regions):
    matched, report = geo.match_regions(regions, None)
    assert set(matched["shape"]) == {"point", "none"}
    placed = matched[matched["shape"] == "point"]
    assert placed[["lat", "lon"]].notna().all().all()
    assert matched.geometry.isna().all()
    assert report.messages[0] == "No boundary file is configured: 5 regions are shown as points at their coordinates."
    # deck still builds, regions as circles
    matched["score"] = 50.0
    layers, _ = geo.region_layer(matched, "score")
    assert [layer.id for layer in layers] == ["region-points"]
    assert len(layers[0].data) == 6


def test_match_fills_missing_coordinates_from_parent_and_labels(regions):
    r = regions.copy()
    r.loc[r["region_id"] == "LAU-IT-063049", ["lat", "lon", "parent_id"]] = [np.nan, np.nan, "ITF3"]
    matched, _ = geo.match_regions(r, None)
    row = matched.set_index("region_id").loc["LAU-IT-063049"]
    assert (row["lat"], row["lon"]) == (40.9, 14.8)
    labels = pd.DataFrame({"NUTS_ID": ["XX99"], "LEVL_CODE": [2], "lat": [50.0], "lon": [10.0]})
    matched, report = geo.match_regions(regions, None, labels=labels)
    assert matched.set_index("region_id").loc["XX99", "shape"] == "point"
    assert report.n_unplaced == 0


# --- colours ----------------------------------------------------------------------------------

def test_colour_scale_fixed_bins_edges_and_no_data():
    values = [0, 19.99, 20, 40, 59.9, 80, 99, 100, np.nan, np.inf, -5, 120]
    rgba, legend = geo.colour_scale(values)
    labels = [label for label, _ in legend]
    assert labels == ["0–20", "20–40", "40–60", "60–80", "80–100", "no data"]
    colour_of = {tuple(c): label for label, c in legend}
    got = [colour_of[tuple(int(x) for x in row)] for row in rgba]
    assert got == ["0–20", "0–20", "20–40", "40–60", "40–60", "80–100", "80–100", "80–100",
                   "no data", "no data", "0–20", "80–100"]
    scale = {c for label, c in legend if label != "no data"}
    assert geo.NO_DATA_RGBA not in scale and len(scale) == 5
    assert rgba.shape == (12, 4) and rgba.dtype == np.uint8


def test_colour_scale_quantile_and_bad_edges():
    v = pd.Series(np.arange(100, dtype=float))
    rgba, legend = geo.colour_scale(v, bins="quantile", classes=4, palette="YlGnBu")
    assert len(legend) == 5 and legend[-1][0] == "no data"
    assert (pd.Series(map(tuple, rgba)).value_counts() == 25).all()
    _, legend = geo.colour_scale([np.nan, np.nan], bins="quantile")  # all missing: fixed bins
    assert legend[0][0] == "0–20"
    with pytest.raises(ValueError):
        geo.colour_scale([1, 2], bins=[0, 50, 40])
    with pytest.raises(ValueError, match="no-data colour"):
        geo.colour_scale([1], palette=["#c8c8c8"], alpha=110, bins=[0, 100])


def test_category_colours_order_other_and_first_area():
    areas = geo.first_item(pd.Series(["housing;language", " labour market ", None, "", "health"]))
    assert areas.tolist() == ["housing", "labour market", "other", "other", "health"]
    rgba, legend = geo.category_colours(areas, order=["labour market", "housing"])
    assert [label for label, _ in legend] == ["labour market", "housing", "other"]
    assert tuple(rgba[0]) == legend[1][1] and tuple(rgba[4]) == legend[2][1]  # health not in order → other
    many = [f"a{i}" for i in range(10)]
    _, legend = geo.category_colours(many)
    assert len(legend) == 8 and legend[-1][0] == "other"
    assert len({c for _, c in legend}) == 8


# --- layers, tooltips, deck -------------------------------------------------------------------

@pytest.fixture
def practices() -> pd.DataFrame:
    return pd.DataFrame({
        "practice_id": ["P1", "P2", "P3"],
        "title": [XSS, "Women's network & mentoring", "Language café"],
        "region_id": ["ES51", "PT20", "NOPE"],
        "lat": [np.nan, 37.7, np.nan], "lon": [np.nan, -25.6, np.nan],
        "areas": ["housing;language", "labour market", "language"],
    })


def test_tooltip_fields_are_escaped(practices, regions):
    layer, legend = geo.practice_layer(practices, regions)
    rows = {r["practice_id"]: r for r in layer.data}
    assert set(rows) == {"P1", "P2"}  # P3 has no place
    assert rows["P1"]["title"] == XSS
    assert rows["P1"]["title_html"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert rows["P2"]["title_html"] == "Women&#x27;s network &amp; mentoring"
    assert (rows["P1"]["lon"], rows["P1"]["lat"]) == (1.5, 41.8)  # region's coordinates
    for r in rows.values():
        assert all("<" not in r[f"{f}_html"] for f in ("title", "subtitle", "detail"))
    assert [label for label, _ in legend] == ["housing", "labour market"]


def test_tooltip_templates_use_only_safe_fields():
    import re
    escaped = re.findall(r"{(\w+)}", geo.TOOLTIPS["escaped"]["html"])
    assert escaped and all(f.endswith("_html") for f in escaped)
    raw = re.findall(r"{(\w+)}", geo.TOOLTIPS["streamlit"]["html"])
    assert raw == ["title", "subtitle", "detail"]  # Streamlit escapes these itself


def _deck(regions, practices, boundaries=None, **kw):
    matched, _ = geo.match_regions(regions, boundaries)
    matched["score"] = [54, np.nan, 20, 80, 100, np.nan, 3]
    region_layers, legend = geo.region_layer(matched, "score")
    practice_layer, _ = geo.practice_layer(practices, regions)
    base = geo.country_layer(boundaries[boundaries["LEVL_CODE"] == 0]) if boundaries is not None else None
    return geo.build_deck([base, region_layers, practice_layer], bounds=geo.extent(matched), **kw), legend


def test_deck_json_layer_ids_and_offline(nuts_dir, regions, practices):
    deck, legend = _deck(regions, practices, geo.load_boundaries(nuts_dir))
    spec = json.loads(deck.to_json())
    assert [layer["id"] for layer in spec["layers"]] == ["countries", "regions", "region-points", "practices"]
    assert "mapProvider" not in spec or spec["mapProvider"] is None
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")  # pydeck's sentinel; Streamlit drops it
    practices_spec = spec["layers"][3]
    assert practices_spec["pickable"] is True and practices_spec["@@type"] == "ScatterplotLayer"
    assert spec["layers"][0].get("pickable") is False
    view = spec["initialViewState"]
    assert 30 < view["latitude"] < 60 and -30 < view["longitude"] < 30 and 2 <= view["zoom"] <= 8
    assert "\n" not in deck.to_json()  # compact
    assert geo.payload_bytes(deck) == len(deck.to_json().encode())


def test_deck_with_basemap_when_configured(regions, practices):
    deck, _ = _deck(regions, practices, map_style="light")
    spec = json.loads(deck.to_json())
    assert spec["mapProvider"] == "carto" and spec["mapStyle"].startswith("https://")


def test_region_no_data_style(nuts_dir, regions):
    matched, _ = geo.match_regions(regions, geo.load_boundaries(nuts_dir))
    matched["score"] = [np.nan, 90, 20, 80, 100, np.nan, 3]
    layers, legend = geo.region_layer(matched, "score")
    feats = {f["properties"]["region_id"]: f["properties"] for f in layers[0].data["features"]}
    es = feats["ES51"]
    assert tuple(es["fill"]) == geo.NO_DATA_RGBA and tuple(es["line"]) == geo.NO_DATA_LINE_RGBA
    assert es["dash"] != [0, 0] and es["detail"] == "score: no data"
    assert feats["PT20"]["dash"] == [0, 0] and feats["PT20"]["detail"] == "score: 90"
    assert tuple(feats["PT20"]["fill"]) in {c for _, c in legend[:-1]}
    points = {r["region_id"]: r for r in layers[1].data}
    assert tuple(points["LAU-IT-063049"]["fill"]) == geo.NO_DATA_RGBA
    spec = json.loads(geo.build_deck(layers).to_json())
    assert spec["layers"][0]["getFillColor"] == "@@=properties.fill"


def test_simplified_payload_is_smaller_than_raw():
    path = real("NUTS_RG_20M_2024_4326_LEVL_2.geojson")
    raw = json.loads(path.read_text())
    gdf = geo.load_boundaries(path)
    light = geo.simplify(gdf, 0.02, 3)
    assert light.geometry.notna().all()
    assert len(light) == len(gdf) and not light.geometry.is_empty.any()
    small = geo.payload_bytes(json.loads(light[["NUTS_ID", "geometry"]].to_json(drop_id=True)))
    assert small < 0.7 * geo.payload_bytes(raw)
    assert geo.payload_bytes(geo.country_layer(gdf)) < geo.payload_bytes(geo.country_layer(gdf, tolerance=0, decimals=6))


def test_simplify_rounds_synthetic(nuts_dir):
    gdf = geo.load_boundaries(nuts_dir / "NUTS_RG_20M_2024_4326_LEVL_0.geojson")
    gdf.loc[0, "geometry"] = gdf.geometry[0].buffer(0.123456789)
    coords = np.asarray(geo.simplify(gdf, 0.01, 3).geometry[0].exterior.coords)
    assert np.allclose(coords, coords.round(3))


def test_many_practices_are_aggregated():
    rng = np.random.default_rng(1)
    n = 6000
    practices = pd.DataFrame({"practice_id": [f"P{i}" for i in range(n)], "title": "t", "region_id": "X",
                              "lon": rng.uniform(-10, 30, n), "lat": rng.uniform(35, 65, n),
                              "areas": rng.choice(["housing", "health;language"], n)})
    layer, legend = geo.practice_layer(practices, max_points=5000)
    assert layer.id == "practices" and layer.pickable is True
    assert len(layer.data) <= 5000
    assert sum(r["count"] for r in layer.data) == n
    assert "practice_id" not in layer.data[0] and layer.data[0]["title"].endswith("practices")
    assert {"west", "south", "east", "north"} <= set(layer.data[0])
    assert {label for label, _ in legend} <= {"housing", "health"}


def test_view_defaults_to_europe_and_trims_outliers():
    v = geo.view_for(None)
    assert 45 < v.latitude < 60 and 2.5 <= v.zoom <= 5
    pts = pd.DataFrame({"lon": list(np.linspace(0, 20, 98)) + [-61, 55], "lat": list(np.linspace(40, 60, 98)) + [4, -21]})
    w, s, e, n = geo.extent(pts)
    assert w > -5 and e < 25 and s > 35


# --- download -----------------------------------------------------------------------------------

def test_download_is_reported_not_raised_offline(tmp_path):
    from geo import fetch as gf

    result = gf.fetch([(2024, 2)], tmp_path, base="http://127.0.0.1:9/", timeout=2)
    assert result.error.startswith("cannot reach http://127.0.0.1:9/") and result.missing == [(2024, 2)]
    assert list(tmp_path.iterdir()) == []
    assert gf.file_name(2024, "20m", 2) == "NUTS_RG_20M_2024_4326_LEVL_2.geojson"
    assert gf.file_name(2024, "20M") == "NUTS_RG_20M_2024_4326.geojson"


def test_download_writes_gisco_name(tmp_path, monkeypatch, nuts_dir):
    from geo import fetch as gf

    body = (nuts_dir / "NUTS_RG_20M_2024_4326_LEVL_0.geojson").read_bytes()

    class Resp:
        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def read(self):
            return body

    seen = []

    def urlopen(url, timeout):
        seen.append(url)
        if url.endswith("NUTS_RG_20M_2024_4326_LEVL_0.geojson"):
            return Resp()
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    monkeypatch.delenv("MIPEXR_GISCO_URL", raising=False)  # GISCO's own address (urlopen is faked)
    result = gf.fetch([(2024, 0)], tmp_path / "store")
    assert seen == [gf.GISCO_BASE + "NUTS_RG_20M_2024_4326_LEVL_0.geojson"]
    assert [p.name for p in result.files] == ["NUTS_RG_20M_2024_4326_LEVL_0.geojson"]
    assert len(geo.load_boundaries(tmp_path / "store")) == 1


# --- boundaries of the package ----------------------------------------------------------------

def test_geo_imports_only_data_schema():
    for path in (ROOT / "geo").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert not name.startswith("streamlit"), path
                top = name.split(".")[0]
                assert top != "data" or name == "data.schema", (path, name)


# --- integration ------------------------------------------------------------------------------

def test_streamlit_accepts_the_deck():
    """st.pydeck_chart takes the CompactDeck with selection on, and sends our compact JSON."""
    testing = pytest.importorskip("streamlit.testing.v1")

    def app():
        import pandas as pd
        import streamlit as st

        import geo

        regions = pd.DataFrame({"region_id": ["ES51"], "name": ["Cataluña"], "country": ["ES"],
                                "level": ["NUTS2"], "lat": [41.8], "lon": [1.5]})
        practices = pd.DataFrame({"practice_id": ["P1"], "title": ["<img src=x onerror=alert(1)>"],
                                  "region_id": ["ES51"], "areas": ["housing"]})
        matched, _ = geo.match_regions(regions, None)
        matched["score"] = [50.0]
        layers, _ = geo.region_layer(matched, "score")
        layer, _ = geo.practice_layer(practices, regions)
        st.pydeck_chart(geo.build_deck([layers, layer]), on_select="rerun", selection_mode="single-object")

    at = testing.AppTest.from_function(app, default_timeout=30).run()
    assert not at.exception
    chart = at.get("deck_gl_json_chart")[0]
    spec = json.loads(chart.proto.json)
    assert [layer["id"] for layer in spec["layers"]] == ["region-points", "practices"]
    assert "mapProvider" not in spec
    assert json.loads(chart.proto.tooltip)["html"] == geo.TOOLTIPS["streamlit"]["html"]


def test_benchmark_runs_quick(capsys, tmp_path):
    bench = pytest.importorskip("bench.bench_map")
    assert bench.main(["--quick", "--n", "6000", "--nuts", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "| 40 practices |" in out and "generated points" in out


def test_units_reach_deckgl_as_plain_strings(regions, practices):
    """pydeck would send "@@=pixels" (an accessor); deck.gl needs the unit itself."""
    layer, _ = geo.practice_layer(practices, regions)
    deck = geo.build_deck([geo.point_layer(regions.assign(fill=[[1, 2, 3, 255]] * len(regions)),
                                           layer_id="r"), layer])
    spec = json.loads(deck.to_json())
    units = [v for lyr in spec["layers"] for k, v in lyr.items() if k.endswith("Units")]
    assert units and set(units) == {"pixels"}


def test_a_region_not_on_the_map_is_not_also_said_to_be_a_point(nuts_dir):
    """Canada in MIPEX's workbook: no NUTS boundary and no coordinates. The note said both "It
    is shown as a point." and "cannot be placed on the map at all"; only the second is true."""
    ca = pd.DataFrame({"region_id": ["CA"], "name": ["Canada"], "country": ["CA"], "level": ["NUTS0"],
                       "parent_id": [None], "lat": [None], "lon": [None],
                       "nuts_version": pd.array([2024], dtype="Int64")})
    _, report = geo.match_regions(ca, geo.load_boundaries(nuts_dir))
    text = " ".join(report.messages)
    assert "cannot be placed on the map at all" in text and "CA (Canada)" in text
    assert "shown as a point" not in text, text


def test_map_notes_speak_the_interface_language(nuts_dir, regions):
    """The notes under a map were English on every language's page."""
    from ui.i18n import t, using

    with using("fr"):
        _, report = geo.match_regions(regions, None, t=t)
        _, matched = geo.match_regions(regions, geo.load_boundaries(nuts_dir, level=2, year=2024), t=t)
    assert report.messages[0] == ("Aucun fichier de limites n'est configuré : 5 régions sont affichées "
                                  "comme des points à leurs coordonnées.")
    text = " ".join(report.messages + matched.messages)
    for english in ("region", "shown", "boundary", "cannot be placed", " and "):
        assert english not in text, (english, text)
    assert "ne peut pas du tout être placée" in text and "codées en NUTS 2021" in text
