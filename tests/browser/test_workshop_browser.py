"""Workshop mode in a real browser at projector size (1280×720): no sidebar, type large
enough for the back of a room (computed font sizes), every step's URL renders without an
error, and the prev/next buttons move through the steps. Screenshots go to
artifacts/screenshots/<test name>/ — look at them."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, app_errors, relevant_console_errors, wait_for_app

SIZES_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const px = el => parseFloat(getComputedStyle(el).fontSize);
  const visible = el => el.offsetParent !== null && el.innerText.trim().length > 0;
  const body = [...main.querySelectorAll('[data-testid="stMarkdownContainer"] p')].filter(visible);
  const heads = [...main.querySelectorAll('h1, h2')].filter(visible);
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const opener = document.querySelector('[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"]');
  const shown = el => !!el && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().width > 0;
  return {body: body.map(px), heads: heads.map(px), bodyText: body.map(e => e.innerText.slice(0, 40)),
          sidebar: shown(sidebar), opener: shown(opener)};
}"""


@pytest.fixture
def projector(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    pg.shots = ARTIFACTS / request.node.name
    pg.shots.mkdir(parents=True, exist_ok=True)
    yield pg
    context.close()


def open_step(pg, url):
    pg.goto(url)
    # the first visit on a fresh server publishes the default data first: wait for the page
    pg.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
    wait_for_app(pg)


def test_presentation_view_is_large_and_has_no_sidebar(app_url, projector):
    pg = projector
    for step in (1, 2, 3, 4, 5, 6):
        open_step(pg, f"{app_url}/workshop?region=ES51&step={step}")
        pg.wait_for_timeout(800 if step in (2, 3, 4) else 300)  # charts draw
        pg.screenshot(path=str(pg.shots / f"step-{step}.png"))
        assert not app_errors(pg), app_errors(pg)
        sizes = pg.evaluate(SIZES_JS)
        assert not sizes["sidebar"] and not sizes["opener"], sizes
        assert sizes["heads"] and min(sizes["heads"]) >= 40, sizes
        assert sizes["body"] and min(sizes["body"]) >= 24, sizes
    assert not relevant_console_errors(pg), pg.console_errors


def test_next_button_and_guess_round(app_url, projector):
    pg = projector
    open_step(pg, f"{app_url}/workshop?region=ES51&step=1&guess=1")
    assert "Cataluña" not in pg.inner_text('[data-testid="stMain"]')
    assert "Mystery region" in pg.inner_text('[data-testid="stMain"]')
    pg.wait_for_timeout(1000)  # the shortcut listeners are attached after the first render
    pg.locator("h1").first.click()  # focus the page, as a presenter would
    pg.keyboard.press("PageDown")  # a presenter remote's "next"
    pg.wait_for_function("() => location.search.includes('step=2')", timeout=20_000)
    pg.wait_for_selector("h1:has-text('Its profile against its peers')", timeout=20_000)
    wait_for_app(pg)
    assert "Its profile against its peers" in pg.inner_text("h1")
    pg.get_by_role("button", name="Reveal the names").click()
    wait_for_app(pg)
    pg.wait_for_timeout(800)
    assert "Cataluña" in pg.inner_text('[data-testid="stMain"]')
    pg.screenshot(path=str(pg.shots / "revealed.png"))
    assert not app_errors(pg)
