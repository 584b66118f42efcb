"""Maps in Chromium with boundaries fetched the way a fresh server gets them: the app starts
with no boundary setting and a local HTTP server of GISCO's real files as its download source
(MIPEXR_GISCO_URL), fetches them in the background, and from then on the Overview and the
Integration Lab draw Europe's countries in outline with the regions shaded.

At 1366×768 and 390×844: screenshots of both maps (look at them), the polygons drawn (features
counted in the deck's layers, and the map's own colours found on the canvas), no label
overlapping another (label boxes at the map's first view), the map within the page's width.
A click on a region opens its profile. Skipped when ../shared/data/nuts is absent.
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.browser.conftest import app_errors, relevant_console_errors, start_app, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
NUTS = ROOT.parent / "shared" / "data" / "nuts"
pytestmark = pytest.mark.skipif(not (NUTS / "NUTS_RG_60M_2021_4326_LEVL_2.geojson").is_file(),
                                reason="real GISCO files not available")
VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}
COUNTRY_FILL = (244, 244, 241)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def gisco_base():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_Quiet, directory=str(NUTS.parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/nuts/"
    server.shutdown()


@pytest.fixture(scope="module")
def maps_app(tmp_path_factory, browser, gisco_base):
    store = tmp_path_factory.mktemp("maps-e2e") / "store"
    env = {"MIPEXR_BOUNDARIES": "", "MIPEXR_GISCO_URL": gisco_base}
    proc, url = start_app(store, env_extra=env)
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.goto(url)  # the first run asks for the boundaries
    wait_for_app(pg, timeout=60_000)
    ctx.close()
    records = store / "boundaries" / "sources.json"
    deadline = time.time() + 90
    while time.time() < deadline:  # wait on the cache, not on a clock
        names = set(json.loads(records.read_text())) if records.is_file() else set()
        if {"NUTS_RG_60M_2021_4326_LEVL_0.geojson", "NUTS_RG_60M_2021_4326_LEVL_2.geojson"} <= names:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the boundaries were not fetched from the local GISCO server")
    yield store, url, env
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def deck_spec(store: Path, env: dict, page: str) -> dict:
    """The deck JSON ``page`` sends (AppTest on the same store and settings)."""
    from streamlit.testing.v1 import AppTest

    keys = ("MIPEXR_STORE", *env)
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update({"MIPEXR_STORE": str(store), **env})
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        if page != "pages/overview.py":
            at.switch_page(page)
            at.run()
        assert not at.exception
        return json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def layer(spec: dict, layer_id: str) -> dict:
    return next(x for x in spec["layers"] if x["id"] == layer_id)


def label_boxes(spec: dict) -> pd.DataFrame:
    """Label boxes in pixels at the deck's first view (same projection and font metrics as
    geo.labels, from the JSON the browser received)."""
    import geo.labels as gl

    view = pd.Series(spec["initialViewState"])
    data = pd.DataFrame(layer(spec, gl.LABELS)["data"])
    x, y = gl.project(data["lon"], data["lat"], view)
    w, h = gl.text_box(data["text"])
    dy = data["offset"].str[1].astype(float)
    return pd.DataFrame({"region_id": data["text"], "x": x, "y": y + dy, "w": w, "h": h})


def open_map(page, url: str, path: str):
    """Go to ``path`` and wait until the deck has drawn the country outlines (its colours are
    on the canvas): a wait on what is shown, not a fixed sleep."""
    from PIL import Image

    page.goto(url + path)
    wait_for_app(page, timeout=60_000)
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(state="visible", timeout=30_000)
    canvas.scroll_into_view_if_needed()
    deadline = time.time() + 30
    while True:
        img = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
        small = img.resize((img.width // 3, img.height // 3), Image.NEAREST)
        found = sum(1 for px in small.getdata() if all(abs(a - b) <= 4 for a, b in zip(px, COUNTRY_FILL)))
        if found > 200 or time.time() > deadline:
            return canvas, img, found
        page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => r(true)))")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_overview_map_is_an_atlas_map(maps_app, browser, size):
    store, url, env = maps_app
    spec = deck_spec(store, env, "pages/overview.py")
    ids = [x["id"] for x in spec["layers"]]
    assert ids[:2] == ["countries", "regions"], "country outlines under the regions"
    assert len(layer(spec, "countries")["data"]["features"]) >= 35  # Europe, not only the 7 countries with data
    assert len(layer(spec, "regions")["data"]["features"]) == 24  # 25 regions, SE224 (NUTS 3) as a point
    assert not spec.get("mapProvider"), "no basemap provider (the browser test below checks the requests)"
    boxes = label_boxes(spec)
    assert len(boxes) >= 3
    import geo.labels as gl
    assert gl.overlaps(boxes) == []

    w, h = VIEWPORTS[size]
    ctx = browser.new_context(viewport={"width": w, "height": h})
    page = ctx.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    canvas, img, found = open_map(page, url, "/")
    shots = ROOT / "artifacts" / "screenshots" / f"maps-overview-{size}"
    shots.mkdir(parents=True, exist_ok=True)
    img.save(shots / "map.png")
    page.screenshot(path=str(shots / "page.png"))
    assert found > 200, "the country outlines are drawn"
    box = canvas.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= w + 1, "the map fits the page's width"
    assert not app_errors(page) and not relevant_console_errors(page)
    assert all(r.startswith(url) or r.startswith("data:") or r.startswith("blob:") for r in requests), \
        [r for r in requests if not r.startswith(url)][:3]
    caption = page.get_by_text("Click a region to open its profile.").first.inner_text()
    assert "shown as points until" not in caption and "could not be downloaded" not in caption
    ctx.close()


def test_click_on_a_region_opens_its_profile(maps_app, browser):
    store, url, env = maps_app
    spec = deck_spec(store, env, "pages/overview.py")
    import geo.labels as gl

    feats = layer(spec, "regions")["data"]["features"]
    import shapely.geometry

    target = max(feats, key=lambda f: shapely.geometry.shape(f["geometry"]).area)  # easiest to hit
    point = shapely.geometry.shape(target["geometry"]).representative_point()
    x, y = gl.project([point.x], [point.y], pd.Series(spec["initialViewState"]))
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    canvas, _, _ = open_map(page, url, "/")
    box = canvas.bounding_box()
    at = (box["x"] + box["width"] / 2 + float(x[0]), box["y"] + box["height"] / 2 + float(y[0]))
    page.mouse.move(at[0] - 2, at[1] - 2)  # as a hand does: deck.gl picks on hover, then clicks
    page.get_by_text(target["properties"]["title"]).first.wait_for(timeout=10_000)  # the tooltip
    page.mouse.click(*at)
    page.wait_for_url(lambda u: "region=" + target["properties"]["region_id"] in u, timeout=30_000)
    wait_for_app(page)
    assert "/region" in page.url
    ctx.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_lab_map_tells_practices_from_regions(maps_app, browser, size):
    store, url, env = maps_app
    spec = deck_spec(store, env, "pages/practices.py")
    ids = [x["id"] for x in spec["layers"]]
    assert ids.index("countries") < ids.index("regions") < ids.index("practices")
    assert len(layer(spec, "regions")["data"]["features"]) >= 20
    prac = layer(spec, "practices")
    assert prac["stroked"] and prac["lineWidthMinPixels"] >= 2, "practices are ringed markers"
    import geo.labels as gl

    data = pd.DataFrame(prac["data"])
    x, y = gl.project(data["lon"], data["lat"], pd.Series(spec["initialViewState"]))
    gaps = [((x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2) ** 0.5 for i in range(len(x)) for j in range(i)]
    assert min(gaps) >= 14, "practices at one place (or nearly) are spread a marker apart"
    region_alpha = {f["properties"]["fill"][3] for f in layer(spec, "regions")["data"]["features"]}
    assert max(region_alpha) <= 130, "the regions are a muted background"

    w, h = VIEWPORTS[size]
    ctx = browser.new_context(viewport={"width": w, "height": h})
    page = ctx.new_page()
    canvas, img, found = open_map(page, url, "/practices")
    shots = ROOT / "artifacts" / "screenshots" / f"maps-lab-{size}"
    shots.mkdir(parents=True, exist_ok=True)
    img.save(shots / "map.png")
    page.screenshot(path=str(shots / "page.png"))
    assert found > 200, "the country outlines are drawn"
    box = canvas.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= w + 1, "the map fits the page's width"
    assert not app_errors(page)
    ctx.close()


def test_lab_click_on_a_practice_brings_its_card_into_view_on_a_phone(maps_app, browser):
    """On a phone the card sits below the map: a click on a practice scrolls it into view."""
    store, url, env = maps_app
    spec = deck_spec(store, env, "pages/practices.py")
    import geo.labels as gl

    data = pd.DataFrame(layer(spec, "practices")["data"])
    data["x"], data["y"] = gl.project(data["lon"], data["lat"], pd.Series(spec["initialViewState"]))
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    canvas, _, _ = open_map(page, url, "/practices")
    box = canvas.bounding_box()
    inside = data[(data["x"].abs() < box["width"] / 2 - 30) & (data["y"].abs() < box["height"] / 2 - 30)]
    target = inside.iloc[0]  # a practice well inside the first view
    at = (box["x"] + box["width"] / 2 + float(target["x"]), box["y"] + box["height"] / 2 + float(target["y"]))
    page.mouse.move(at[0] - 1, at[1] - 1)
    tip = page.locator(".deck-tooltip")
    tip.get_by_text(target["title"]).wait_for(timeout=10_000)
    assert tip.bounding_box()["width"] <= 260  # narrow enough to stay inside a phone's map
    page.mouse.click(*at)
    card = page.locator(".st-key-practice_card")
    card.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => { const r = document.querySelector('.st-key-practice_card').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight - 100; }", timeout=15_000)
    assert target["title"] in card.inner_text()
    shots = ROOT / "artifacts" / "screenshots" / "maps-lab-phone"
    page.screenshot(path=str(shots / "card-after-click.png"))
    ctx.close()
