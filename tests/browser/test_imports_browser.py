"""Replacing a table in a real browser: the preview leads with what the publish removes, Publish
stays disabled until that is acknowledged and the table's name typed, and the next upload
starts from "add and update" again (issue 16, problem 9). Screenshots go to
artifacts/screenshots/test_replace_needs_acknowledgement_and_typed_name/.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from conftest import CSV
from data.store import Store
from tests.browser.conftest import app_errors, start_app, wait_for_app
from tests.browser.test_realdata_browser import sign_in
from tests.browser.test_staff_browser import choose, shot, sidebar


@pytest.fixture
def own_app(tmp_path):
    store_dir = tmp_path / "store"
    proc, url = start_app(store_dir)
    yield url, store_dir
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.browser
def test_replace_needs_acknowledgement_and_typed_name(own_app, page, tmp_path):
    url, store_dir = own_app
    page.goto(url)
    wait_for_app(page, 60_000)
    before = len(Store(store_dir).read_table("practices"))
    assert before > 1
    one = tmp_path / "one_practice.csv"
    one.write_text(CSV["practices"], encoding="utf-8")

    sign_in(page)
    choose(page, "What are you uploading?", "Practices", sidebar(page))
    sidebar(page).get_by_text("Replace the whole table").click()
    wait_for_app(page)
    sidebar(page).locator('input[type="file"]').set_input_files(str(one))
    wait_for_app(page)
    sidebar(page).get_by_role("link", name=re.compile("Data management")).click()
    page.get_by_text("Validation report").wait_for(timeout=60_000)
    wait_for_app(page)
    assert not app_errors(page)
    warning = page.get_by_text("Publishing this removes or blanks data that is published now:")
    warning.wait_for(timeout=30_000)
    assert page.get_by_text(f"Practices (Integration Lab): {before} rows removed").count() == 1
    publish = page.get_by_role("button", name="Publish", exact=True)
    assert publish.is_disabled()
    warning.scroll_into_view_if_needed()
    shot(page, "01_warning")

    page.get_by_text("I have read what this publish removes or blanks").click()
    wait_for_app(page)
    assert publish.is_disabled(), "the table's name is not typed yet"
    confirm = page.get_by_label(re.compile("This replaces the whole Practices"))
    confirm.fill("practices")
    confirm.press("Enter")
    wait_for_app(page)
    assert publish.is_enabled()
    publish.scroll_into_view_if_needed()
    shot(page, "02_confirmed")
    publish.click()
    page.get_by_text("Published version").wait_for(timeout=60_000)
    wait_for_app(page)
    assert list(Store(store_dir).read_table("practices")["practice_id"]) == ["P1"]
    # the sidebar is back to the safe choice for the next upload
    assert sidebar(page).get_by_role("radio", name="Add and update rows (by key)").is_checked()
    shot(page, "03_published")
