"""Real data in a real browser: staff upload MIPEX's published workbook through the sidebar,
read the check against the workbook's own figures, publish; the national index is then one
choice away in the sidebar, with its answers and the coders' comments in the drill-down;
the Eurostat unemployment table's gap for Catalonia is shown with its comparison and flags.

Screenshots (1366×768, 1920×1080 and 390×844) go to artifacts/screenshots/<test>/.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from data.schema import framework_of
from data.store import Store
from tests.browser.conftest import TEST_STAFF, app_errors, start_app, wait_for_app

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
WORKBOOK = SHARED / "mipex" / "mipex_EU_2020-2024.xlsx"
LFUR = SHARED / "eurostat" / "lfst_r_lfur2gac__custom_6388808_linear.csv"
SIZES = ((1366, 768), (1920, 1080), (390, 844))
MEASURE = "lfst_r_lfur2gac+sex%3DT+age%3DY15-64"


@pytest.fixture
def real_app(tmp_path):
    store_dir = tmp_path / "store"
    proc, url = start_app(store_dir, {"MIPEXR_WARM": "0"})
    yield url, store_dir
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def shot(page, name):
    page.screenshot(path=str(page.shots / f"{name}.png"))


def choose(page, label: str, option: str, scope=None):
    (scope or page).get_by_label(label).first.click()
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_for_app(page)


def sign_in(page):
    sidebar(page).get_by_text("Staff", exact=True).click()
    sidebar(page).get_by_label("Staff name", exact=True).fill(TEST_STAFF[0])
    sidebar(page).get_by_label("Password", exact=True).fill(TEST_STAFF[1])
    sidebar(page).get_by_role("button", name="Sign in").click()
    wait_for_app(page)


def at_sizes(page, url: str, name: str, heading: str | None = None):
    """Open ``url`` at each size, scroll ``heading`` to the top, screenshot."""
    for w, h in SIZES:
        page.set_viewport_size({"width": w, "height": h})
        page.goto(url)
        wait_for_app(page, 90_000)
        if heading:
            target = page.get_by_role("heading", name=heading).first
            target.wait_for(timeout=60_000)
            page.locator('[data-testid="stDataFrame"]').last.wait_for(timeout=60_000)
            target.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.wait_for_function("() => document.fonts.status === 'loaded'")
        assert not app_errors(page), app_errors(page)
        shot(page, f"{name}_{w}")


@pytest.mark.browser
@pytest.mark.skipif(not (WORKBOOK.exists() and LFUR.exists()), reason="shared files absent")
def test_mipex_workbook_through_the_sidebar_and_real_outcomes(real_app, page):
    url, store_dir = real_app
    page.goto(url)
    wait_for_app(page, 90_000)
    assert sidebar(page).get_by_label("Index").count() == 0  # one index so far
    sign_in(page)
    choose(page, "What are you uploading?", "MIPEX workbook", sidebar(page))
    sidebar(page).locator('input[type="file"]').set_input_files([str(WORKBOOK)])
    wait_for_app(page)
    sidebar(page).get_by_role("link", name=re.compile("Data management")).click()
    page.get_by_text("Validation report").wait_for(timeout=120_000)
    wait_for_app(page, 120_000)
    assert not app_errors(page)
    assert page.get_by_text("read as mipex").count() == 1
    check = page.get_by_text(re.compile(r"1,141 of 1,143 strand and overall scores"))
    check.wait_for(timeout=60_000)
    check.scroll_into_view_if_needed()
    shot(page, "01_check")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("Published version").wait_for(timeout=120_000)
    wait_for_app(page)
    tabs = Store(store_dir).tables()
    assert (framework_of(tabs["indicators"]) == "MIPEX").sum() == 79

    # the Eurostat unemployment table by country of birth, through the same sidebar
    choose(page, "What are you uploading?", "Recognise it from the columns", sidebar(page))
    sidebar(page).locator('input[type="file"]').set_input_files([str(LFUR)])
    wait_for_app(page)
    page.get_by_text("read as eurostat").wait_for(timeout=120_000)
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("Published version").wait_for(timeout=120_000)
    wait_for_app(page)

    # the national index, one choice away; its overview lists countries only
    at_sizes(page, url + "/overview?fw=MIPEX", "02_mipex_overview")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(url + "/overview?fw=MIPEX")
    wait_for_app(page, 90_000)
    sidebar(page).get_by_label("Index").first.wait_for(timeout=60_000)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Cataluña" not in main and "illustrative data" not in main
    # a country's drill-down: the answer, what it means and the coder's comment
    page.goto(url + "/region?fw=MIPEX&region=DE&edition=2020&area=labour+market+mobility")
    wait_for_app(page, 90_000)
    heading = page.get_by_role("heading", name="Indicator by indicator").first
    heading.scroll_into_view_if_needed()
    page.locator('[data-testid="stDataFrame"]').last.wait_for(timeout=60_000)
    assert not app_errors(page)
    shot(page, "03_mipex_drilldown_1366")

    # Catalonia: the gap of non-EU-born against all residents, its year and its flag
    at_sizes(page, url + f"/region?region=ES51&measure={MEASURE}", "04_catalonia_outcome",
             "Policy and outcomes")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Gap, 2022" in text and "all residents / non-EU-born residents" in text
    assert "compared with all residents (TOTAL)" in text
    # the Azores: the non-EU-born series is empty, flagged u, and the panel says so
    at_sizes(page, url + f"/region?region=PT20&measure={MEASURE}", "05_azores_outcome",
             "Policy and outcomes")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "publishes no figure for non-EU-born residents here in any year" in text
    assert not app_errors(page)
