"""One honest index, in a real browser (issue 14): the profile's bars keep the order region /
peer mean / best performer whatever the data (only the browser's Vega shows the order), and
a walk through every page for two regions finds the same score, rank band and priority areas
everywhere. Screenshots at 1366×768, 1920×1080 and 390×844 in ``page.shots``."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import app_errors, relevant_console_errors, wait_for_app

CHART = '[data-testid="stVegaLiteChart"]'
METRIC = '[data-testid="stMetric"]'
SERIES = ["#0072b2", "#e69f00", "#009e73"]  # region, peer-group mean, best performer
SIZES = {"laptop": (1366, 768), "desktop": (1920, 1080), "phone": (390, 844)}


def _open(page, url, wait_for: str | None = None):
    page.goto(url)
    wait_for_app(page, timeout=90_000)
    if wait_for:
        page.wait_for_selector(wait_for, timeout=90_000)
    # the page's elements are drawn (no placeholder skeleton left) and the app is idle
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')",
                           timeout=90_000)
    wait_for_app(page, timeout=90_000)


def _charts_drawn(page, n: int = 1):
    page.wait_for_function(
        """([sel, n]) => [...document.querySelectorAll(sel)].filter(
               e => e.querySelector('svg path, canvas')).length >= n""",
        arg=[CHART, n], timeout=90_000)


def _metrics(page) -> dict[str, str]:
    """Metric label → value, with the delta (the workshop's band under a rank) after it."""
    out = {}
    for m in page.locator(METRIC).all():
        label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        value = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
        delta = m.locator('[data-testid="stMetricDelta"]')
        out[label] = value + (f" ({delta.inner_text().strip()})" if delta.count() else "")
    return out


def _shots(page, name: str, sizes=("laptop",)):
    for size in sizes:
        w, h = SIZES[size]
        page.set_viewport_size({"width": w, "height": h})
        wait_for_app(page, timeout=60_000)
        page.screenshot(path=str(page.shots / f"{name}-{size}.png"))
    page.set_viewport_size({"width": 1366, "height": 900})


def _bar_fills_top_down(page, index: int = 0) -> list[str]:
    """The fill colours of the index-th chart's bars, from the top of the chart down."""
    return page.evaluate(
        """([sel, i, colours]) => {
            const svg = document.querySelectorAll(sel)[i].querySelector('svg');
            const bars = [...svg.querySelectorAll('g.mark-rect path')]
                .map(p => [p.getBoundingClientRect().top, (p.getAttribute('fill') || '').toLowerCase()])
                .filter(([, f]) => colours.includes(f));
            bars.sort((a, b) => a[0] - b[0]);
            return bars.map(([, f]) => f);
        }""", [CHART, index, SERIES])


@pytest.mark.parametrize("region", ["ITF4", "ES51"])  # ITF4 misses an area: a "no data" slot
def test_bars_keep_the_series_order(app_url, page, region):
    _open(page, f"{app_url}/region?region={region}&chart=bars", wait_for=CHART)
    _charts_drawn(page)
    _shots(page, f"bars-{region}")
    fills = _bar_fills_top_down(page)
    assert len(fills) >= 3 * 8
    # the first area's three bars, top to bottom: the region, its peers' mean, the best
    assert fills[:3] == SERIES, fills[:6]
    # and every blue bar comes before the orange and green bars of its area
    assert fills.count(SERIES[0]) >= 8
    assert app_errors(page) == [] and relevant_console_errors(page) == []


def _listed_priorities(page) -> list[str]:
    """The numbered priority areas as the page lists them (an ordered list: "language —
    24.4 points below its peers' mean (…)"), in order."""
    items = page.locator('[data-testid="stMain"] ol li').all_inner_texts()
    return [i.split(" — ", 1)[0].strip() for i in items if "points below its peers' mean" in i]


def _sentence_priorities(text: str) -> list[str]:
    """The priority areas of a sentence "Priority areas, where it falls furthest below its
    peers' mean: a: 24.4 points below … (…); b: …" (brief) or "…: a (-24.4); b (-23.3)"
    (workshop), in order."""
    part = text.split("Priority areas, where it falls furthest below its peers' mean: ", 1)[-1]
    part = part.split("\n", 1)[0]
    found = re.findall(r"(?:^|; )([^;:()]+?)(?:: [\d.,]+ points below| \([-−+][\d.,]+\))",
                       part)
    return [f.strip() for f in found]


@pytest.mark.parametrize("region", ["ITF3", "ES51"])
def test_walk_every_page_for_a_region(app_url, page, region):
    """Region profile, its practices link, the brief and the workshop say the same overall
    score, rank band and priority areas; every page opens without an error. Screenshots of
    each page at 1366×768 (and the profile and the Overview at the other two sizes)."""
    seen = {}
    _open(page, f"{app_url}/region?region={region}", wait_for=METRIC)
    _charts_drawn(page, 2)
    profile = _metrics(page)
    assert "(band " in profile["Rank among 25 regions"]
    areas = _listed_priorities(page)
    assert areas, page.locator('[data-testid="stMain"]').inner_text()[-1500:]
    seen["region"] = areas
    _shots(page, f"{region}-1-region", ("laptop", "desktop", "phone"))
    page.locator('[data-testid="stMain"]').get_by_text("Practices for these gaps").click()
    wait_for_app(page, timeout=90_000)
    page.wait_for_function("() => document.body.innerText.includes(\"priority areas\")",
                           timeout=90_000)
    seen["lab"] = _listed_priorities(page)
    _shots(page, f"{region}-2-practices-for-gaps")
    assert app_errors(page) == []

    _open(page, f"{app_url}/brief?region={region}", wait_for=METRIC)
    brief = _metrics(page)
    seen["brief"] = _sentence_priorities(page.locator('[data-testid="stMain"]').inner_text())
    _shots(page, f"{region}-3-brief")
    for step in (1, 2, 3, 4, 5, 6):
        _open(page, f"{app_url}/workshop?region={region}&step={step}", wait_for="h1")
        if step in (1, 2, 3, 4):
            _charts_drawn(page)
        if step == 1:
            shop = _metrics(page)
        if step == 4:
            seen["workshop"] = _sentence_priorities(
                page.locator('[data-testid="stMain"]').inner_text())
        _shots(page, f"{region}-4-workshop-{step}")
        assert app_errors(page) == [], step
    for key in ("Overall score", "Rank among 25 regions"):
        assert profile[key] == brief[key] == shop[key], (key, profile, brief, shop)
    assert profile["Coverage"] == brief["Coverage"]
    assert all(v == areas for v in seen.values()), seen


def test_walk_the_pages_of_all_regions(app_url, page):
    for path, name, wait in (("/", "overview", CHART), ("/gaps", "gaps", CHART),
                             ("/compare?regions=ES51,ITF3", "compare", CHART),
                             ("/practices", "practices", '[data-testid="stDeckGlJsonChart"]'),
                             ("/methodology", "methodology", "h1")):
        _open(page, app_url + path, wait_for=wait)
        _shots(page, name, ("laptop", "desktop", "phone") if name == "overview" else ("laptop",))
        assert app_errors(page) == [], name
        assert relevant_console_errors(page) == [], name
