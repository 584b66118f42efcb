"""The staff flow in a real browser: sign in, upload a real Eurostat file as outcomes, read the
report and the preview, publish, see the new version on another page, roll back.

Uses its own app and store (rolling back must not disturb other browser tests). Screenshots
of each step go to artifacts/screenshots/test_staff_flow/.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from data.store import Store
from tests.browser.conftest import TEST_STAFF, app_errors, start_app, wait_for_app

EUROSTAT = (__import__("pathlib").Path(__file__).resolve().parents[3] / "shared" / "data" /
            "eurostat" / "edat_lfse_16_linear.csv")


@pytest.fixture
def staff_app(tmp_path):
    store_dir = tmp_path / "store"
    proc, url = start_app(store_dir)
    yield url, store_dir
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def shot(page, name):
    page.screenshot(path=str(page.shots / f"{name}.png"), full_page=True)


def version_caption(page) -> str:
    text = sidebar(page).get_by_text("Data version").first.inner_text()
    return re.search(r"Data version: ?([0-9a-f]{16})", text).group(1)


def choose(page, label: str, option: str, scope=None):
    (scope or page).get_by_label(label).first.click()
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_for_app(page)


@pytest.mark.browser
@pytest.mark.skipif(not EUROSTAT.exists(), reason="shared Eurostat file absent")
def test_staff_flow(staff_app, page):
    url, store_dir = staff_app
    page.goto(url)
    wait_for_app(page, 60_000)
    original = version_caption(page)
    # a visitor: the Staff expander holds only the sign-in form
    sidebar(page).get_by_text("Staff", exact=True).click()
    page.wait_for_timeout(300)
    assert sidebar(page).locator('input[type="file"]').count() == 0
    shot(page, "01_visitor")

    sidebar(page).get_by_label("Staff name", exact=True).fill(TEST_STAFF[0])
    sidebar(page).get_by_label("Password", exact=True).fill(TEST_STAFF[1])
    sidebar(page).get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    assert sidebar(page).get_by_text(f"Signed in as {TEST_STAFF[0]}").count() == 1
    assert TEST_STAFF[1] not in page.content()
    shot(page, "02_signed_in")

    choose(page, "What are you uploading?", "Outcomes", sidebar(page))
    sidebar(page).locator('input[type="file"]').set_input_files(str(EUROSTAT))
    wait_for_app(page)
    sidebar(page).get_by_role("link", name=re.compile("Data management")).click()
    page.get_by_text("Validation report").wait_for(timeout=60_000)
    wait_for_app(page)
    assert not app_errors(page)
    assert page.get_by_text(re.compile(r"No errors. Warnings: [\d,]+")).count() == 1
    assert page.get_by_text("read as eurostat").count() == 1
    shot(page, "03_report")

    # one per changed table: the outcomes, and the catalogue entry of the new measure
    page.get_by_role("button", name="Download the changes (XLSX)").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    assert page.get_by_text(re.compile(r"Outcomes: \d+ added")).count() == 1
    shot(page, "04_preview")

    note = page.get_by_label("Note (optional): what this version is")
    note.fill("Eurostat early leavers (browser test)")
    note.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("Published version").wait_for(timeout=60_000)
    wait_for_app(page)
    published = Store(store_dir).current_id()
    assert published != original
    assert page.get_by_text(f"Published version {published}").count() == 1
    shot(page, "05_published")

    # another page, same session: the sidebar shows the new version
    sidebar(page).locator('[data-testid="stSidebarNav"] a').filter(has_text="Overview").click()
    wait_for_app(page)
    assert version_caption(page) == published
    rows = Store(store_dir).manifest()["rows"]["outcomes"]
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert published in main or f"outcomes {rows}" in main  # the page itself shows the new data
    assert not app_errors(page)
    shot(page, "06_other_page")
    # and a brand-new visitor session sees it as well
    other = page.context.new_page()
    other.goto(url + "/overview")
    wait_for_app(other, 60_000)
    assert version_caption(other) == published
    other.close()
    manifest = Store(store_dir).manifest()
    assert manifest["note"] == "Eurostat early leavers (browser test)"
    assert manifest["sources"][0]["name"] == EUROSTAT.name

    # history and rollback
    sidebar(page).get_by_role("link", name=re.compile("Data management")).click()
    wait_for_app(page)
    page.locator('[data-testid="stRadio"]').get_by_text("History", exact=True).click()
    wait_for_app(page)
    shot(page, "07_history")
    choose(page, "Version", original)
    page.get_by_role("button", name=f"Roll back to {original}").click()
    page.get_by_text(f"Version {original} is current again").wait_for(timeout=60_000)
    wait_for_app(page)
    assert Store(store_dir).current_id() == original
    assert Store(store_dir).history()[0]["action"] == "rollback"
    assert not app_errors(page)
    page.get_by_text(f"Version {original} is current again").scroll_into_view_if_needed()
    shot(page, "08_rolled_back")
    sidebar(page).locator('[data-testid="stSidebarNav"] a').filter(has_text="Overview").click()
    wait_for_app(page)
    assert version_caption(page) == original
