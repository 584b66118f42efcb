"""The Integration Lab page in Chromium: the map draws offline, a click on a practice opens
its card, and markup planted in a practice never runs (card, tooltip, list).

Where to click: the deck's initial view comes from the same page run in AppTest (same
store, same boundaries), and the practice's lon/lat is projected with deck.gl's Web
Mercator (512-px tiles) onto the canvas's bounding box.
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import app_errors, relevant_console_errors, start_app, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
NUTS = ROOT.parent / "shared" / "data" / "nuts"
BOUNDARIES = {"MIPEXR_BOUNDARIES": str(NUTS)} if NUTS.is_dir() else {}


def _warm(browser, url):
    """Visit / once: until some session has run app.py, Streamlit treats a deep link such
    as /practices as an old pages-folder app (the page runs without app.py). Known and
    reported (see test_compare_gaps_browser.test_deep_link_on_fresh_server)."""
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.goto(url)
    pg.wait_for_selector('[data-testid="stSidebarNav"] >> text=Integration Lab', timeout=60_000)
    wait_for_app(pg, timeout=60_000)
    ctx.close()


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def deck_spec(store: Path, params: dict) -> dict:
    """The deck JSON the page sends for ``params`` (AppTest, same store and boundaries)."""
    from streamlit.testing.v1 import AppTest

    saved = {k: os.environ.get(k) for k in ("MIPEXR_STORE", "MIPEXR_BOUNDARIES")}
    os.environ["MIPEXR_STORE"] = str(store)
    os.environ.update(BOUNDARIES)
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params.update(params)
        at.run()
        at.switch_page("pages/practices.py")
        at.run()
        return json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def project(view: dict, lon: float, lat: float, box: dict) -> tuple[float, float]:
    """Page coordinates of (lon, lat) on a deck.gl MapView canvas at its initial view."""
    size = 512 * 2 ** view["zoom"]

    def xy(lo, la):
        y = math.log(math.tan(math.pi / 4 + math.radians(la) / 2))
        return size * (lo + 180) / 360, size * (math.pi - y) / (2 * math.pi)

    x0, y0 = xy(view["longitude"], view["latitude"])
    x1, y1 = xy(lon, lat)
    return box["x"] + box["width"] / 2 + (x1 - x0), box["y"] + box["height"] / 2 + (y1 - y0)


def open_page(page, url: str, query: str = ""):
    page.goto(f"{url}/practices{query}")
    wait_for_app(page)
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(state="visible", timeout=30_000)
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(2500)  # deck.gl draws after the first animation frames
    return canvas


def pixels(png: bytes):
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    return img, img.load()


def near(c1, c2, tol=28) -> bool:
    return all(abs(int(a) - int(b)) <= tol for a, b in zip(c1[:3], c2[:3]))


def count_colour(img, px, rgb, tol=28, step=2) -> int:
    w, h = img.size
    return sum(1 for x in range(0, w, step) for y in range(0, h, step) if near(px[x, y], rgb, tol))


def blend(rgba, bg=(255, 255, 255)):
    a = rgba[3] / 255
    return tuple(round(c * a + b * (1 - a)) for c, b in zip(rgba[:3], bg))


@pytest.fixture(scope="module")
def lab_app(tmp_path_factory, browser):
    store = tmp_path_factory.mktemp("lab-e2e") / "store"
    proc, url = start_app(store, env_extra=BOUNDARIES)
    _warm(browser, url)
    yield store, url
    _stop(proc)


@pytest.fixture(scope="module")
def xss_app(tmp_path_factory, browser):
    from tests.test_practices_app import publish_xss

    store = tmp_path_factory.mktemp("lab-xss") / "store"
    publish_xss(store)
    proc, url = start_app(store, env_extra=BOUNDARIES)
    _warm(browser, url)
    yield store, url
    _stop(proc)


def test_map_draws_regions_and_practices_offline(page, lab_app):
    store, url = lab_app
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((url, "data:", "blob:")) else None)
    canvas = open_page(page, url)
    page.screenshot(path=str(page.shots / "page.png"), full_page=True)
    png = canvas.screenshot(path=str(page.shots / "map.png"))
    img, px = pixels(png)
    spec = deck_spec(store, {})
    layers = {layer["id"]: layer for layer in spec["layers"]}
    # practices: every colour used by a practice point is on the canvas
    practice_colours = {tuple(d["fill"]) for d in layers["practices"]["data"]}
    seen = {c for c in practice_colours if count_colour(img, px, blend(c), tol=35, step=1) >= 6}
    assert len(seen) >= len(practice_colours) - 1, (practice_colours - seen)
    # regions: shaded polygons (with boundary files) or circles, in their scale colours
    if "regions" in layers:
        fills = {tuple(f["properties"]["fill"]) for f in layers["regions"]["data"]["features"]}
        assert {c for c in fills if count_colour(img, px, blend(c, (244, 244, 241)), tol=30) >= 20}
        assert count_colour(img, px, (244, 244, 241), tol=4) > 2000  # the country base layer
    assert not outside, f"the map fetched from the internet: {outside[:3]}"
    assert not app_errors(page) and not relevant_console_errors(page)


def test_click_on_a_practice_opens_its_card(page, lab_app):
    store, url = lab_app
    canvas = open_page(page, url)
    spec = deck_spec(store, {})
    practice = next(d for d in spec["layers"][-1]["data"] if d["practice_id"] == "P037")  # Madrid: alone
    box = canvas.bounding_box()
    x, y = project(spec["initialViewState"], practice["lon"], practice["lat"], box)
    page.mouse.move(x, y)
    page.wait_for_timeout(600)
    tooltip = page.locator(".deck-tooltip")
    assert "Psychological first aid" in tooltip.inner_text()
    card = page.locator(".st-key-practice_card")
    # On a loaded machine a click can land while the map is being redrawn by a late rerun
    # and be lost; a person would click again, and so does the test (at most three times).
    for _ in range(3):
        page.mouse.click(x, y)
        try:
            card.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            wait_for_app(page)
    card.wait_for(timeout=10_000)
    wait_for_app(page)
    text = card.inner_text()
    page.screenshot(path=str(page.shots / "card.png"), full_page=True)
    assert "Psychological first aid for refugees" in text
    assert "Lessons learnt" in text and "Tips for transferability" in text
    assert "practice=P037" in page.url  # the open card is in the link
    assert not app_errors(page)


def test_planted_markup_never_runs(page, xss_app):
    from tests.test_practices_app import XSS_TITLE

    store, url = xss_app
    canvas = open_page(page, url, "?practice=PX01")
    card = page.locator(".st-key-practice_card")
    card.wait_for(timeout=20_000)
    text = card.inner_text().replace("\u2060", "")  # without the joiners that stop autolinks
    assert XSS_TITLE in text
    assert "<script>alert('lessons')</script> **not bold** [click](javascript:alert(2))" in text
    assert "<b>bold?</b> $x^2$" in text
    # the tooltip on the map, at the planted practice
    spec = deck_spec(store, {"practice": "PX01"})
    x, y = project(spec["initialViewState"], -8.1, 42.6, canvas.bounding_box())
    page.mouse.move(x, y)
    page.wait_for_timeout(800)
    tip = page.locator(".deck-tooltip")
    assert XSS_TITLE in tip.inner_text()
    assert "&lt;img" in tip.inner_html()
    page.screenshot(path=str(page.shots / "xss.png"), full_page=True)
    # the list: search for it, the grid shows the row
    page.goto(f"{url}/practices?q=lessons+alert")
    wait_for_app(page)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(page.shots / "xss-list.png"), full_page=True)
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    # nothing ran, nothing was injected
    page.wait_for_timeout(1000)
    assert page.dialogs == []
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("() => document.querySelectorAll('script:not([src])').length") == \
        page.evaluate("() => [...document.scripts].filter(s => !s.src).length")
    assert not app_errors(page)
