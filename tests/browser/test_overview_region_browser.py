"""Overview and Region profile in a real browser: no exception, no console error, charts and
the map drawn, no horizontal scroll at 1366 px. Screenshots in ``page.shots``."""

from __future__ import annotations

import pytest

from tests.browser.conftest import app_errors, relevant_console_errors, wait_for_app

CHART = '[data-testid="stVegaLiteChart"]'


def _open(page, url):
    page.goto(url)
    wait_for_app(page, timeout=60_000)
    page.wait_for_timeout(1500)  # vega-embed and deck.gl draw after the script finishes


def _no_horizontal_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def _chart_marks(page, index: int) -> dict:
    """Size of the index-th Vega chart's canvas/svg and its number of drawn SVG paths."""
    return page.evaluate(
        """([sel, i]) => {
            const el = document.querySelectorAll(sel)[i];
            if (!el) return {found: false};
            const c = el.querySelector('canvas'), s = el.querySelector('svg');
            const box = (c || s) ? (c || s).getBoundingClientRect() : {width: 0, height: 0};
            return {found: true, width: box.width, height: box.height,
                    paths: s ? s.querySelectorAll('path, line, text').length : -1,
                    canvas: !!c};
        }""", [CHART, index])


def _shot(page, name):
    """The whole page: Streamlit scrolls inside stMain, so the viewport is made as tall as
    its content for the shot (width stays 1366 px), then restored."""
    measure = "() => document.querySelector('[data-testid=stMain]').scrollHeight"
    height, previous = page.evaluate(measure), -1
    for _ in range(20):  # until the page stops growing (charts size themselves late)
        if height == previous:
            break
        page.wait_for_timeout(500)
        previous, height = height, page.evaluate(measure)
    page.set_viewport_size({"width": 1366, "height": max(900, min(int(height), 8000))})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(page.shots / f"{name}.png"))
    page.set_viewport_size({"width": 1366, "height": 900})


def test_overview_loads_with_map_and_charts(app_url, page):
    _open(page, app_url + "/")  # the default page lives at the root
    _shot(page, "overview")
    assert app_errors(page) == []
    assert relevant_console_errors(page) == []
    assert page.get_by_text("Regional integration policy at a glance").count() == 1
    assert page.locator('[data-testid="stDeckGlJsonChart"]').count() == 1
    assert page.locator(CHART).count() >= 2
    ranked = _chart_marks(page, 0)
    assert ranked["found"] and ranked["width"] > 200 and ranked["height"] > 300
    assert page.get_by_text("no data").count() >= 1  # the legends' "no data" entry
    assert _no_horizontal_scroll(page)


def test_region_profile_draws_radar_and_heatmap(app_url, page):
    _open(page, app_url + "/region?region=ES51&group=TCN&edition=2024&peers=country")
    _shot(page, "region-ES51")
    assert app_errors(page) == []
    assert relevant_console_errors(page) == []
    assert page.get_by_role("heading", name="Cataluña (ES51)").count() == 1
    radar, heat = _chart_marks(page, 0), _chart_marks(page, 1)
    for chart in (radar, heat):
        assert chart["found"] and chart["width"] > 200 and chart["height"] > 150
        assert chart["canvas"] or chart["paths"] > 20
    assert _no_horizontal_scroll(page)


def test_region_profile_bars_and_proxy_outcomes(app_url, page):
    _open(page, app_url + "/region?region=SE224&chart=bars&group=BIP")
    _shot(page, "region-SE224-bars")
    assert app_errors(page) == []
    assert relevant_console_errors(page) == []
    assert page.get_by_text("as a proxy").count() >= 1
    bars = _chart_marks(page, 0)
    assert bars["found"] and bars["height"] > 300
    assert _no_horizontal_scroll(page)


@pytest.mark.parametrize("query", ["region=NOPE&edition=1999&group=XYZ&peers=ZZ9,QQ1&chart=pie"
                                   "&axis=colour&w=health:abc"])
def test_region_profile_bad_link_shows_notices(app_url, page, query):
    _open(page, app_url + "/region?" + query)
    _shot(page, "region-bad-link")
    assert app_errors(page) == []
    assert relevant_console_errors(page) == []
    # (without the invisible joiners that keep a URL value from becoming a link)
    alerts = [a.replace("\u2060", "") for a in page.locator('[data-testid="stAlert"]').all_inner_texts()]
    text = " ".join(alerts)
    for bad in ("NOPE", "1999", "XYZ", "ZZ9", "pie", "colour", "health:abc"):
        assert bad in text, (bad, alerts)
