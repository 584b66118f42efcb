"""Propose a practice in Chromium: a visitor sends a proposal whose title and lessons carry
markup and script payloads, staff approve it, and its card and map tooltip show the text
literally — no dialog ever fires, no planted element appears.

Screenshots: artifacts/screenshots/test_proposal_with_payloads_is_shown_as_text/.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.browser.conftest import app_errors, start_app, sign_in_staff, wait_for_app
from tests.browser.test_practices_browser import BOUNDARIES, _warm, deck_spec, open_page, project

TITLE = "<img src=x onerror=alert(1)> Mentoring <script>alert('title')</script>"
LESSONS = "<script>alert('lessons')</script> **not bold** <img src=x onerror=alert(2)> [x](javascript:alert(3))"
PLACE = ("Granollers test town", 41.62, 2.30)


@pytest.fixture(scope="module")
def propose_app(tmp_path_factory, browser):
    store = tmp_path_factory.mktemp("propose-e2e") / "store"
    proc, url = start_app(store, env_extra=BOUNDARIES)
    _warm(browser, url)
    yield store, url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def shot(page, name):
    page.screenshot(path=str(page.shots / f"{name}.png"), full_page=True)


def main(page):
    return page.locator('[data-testid="stMain"]')


def pick(page, label: str, option: str):
    """Choose ``option`` in a selectbox or multiselect: type it, take the first match."""
    main(page).get_by_label(label, exact=True).first.click()
    page.keyboard.type(option)
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    main(page).get_by_text(label, exact=True).first.click()  # close the menu
    page.wait_for_timeout(200)


def no_payload_ran(page):
    page.wait_for_timeout(800)
    assert page.dialogs == []
    assert page.locator('img[src="x"]').count() == 0
    assert not app_errors(page)


@pytest.mark.browser
def test_proposal_with_payloads_is_shown_as_text(page, propose_app):
    store, url = propose_app
    page.goto(f"{url}/propose")
    wait_for_app(page, 60_000)
    m = main(page)
    m.get_by_text("A municipality or place not in the list").click()
    wait_for_app(page)
    m.get_by_label("Title of the practice", exact=True).fill(TITLE)
    m.get_by_label("Name of the municipality or place", exact=True).fill(PLACE[0])
    pick(page, "Country", "ES")
    m.get_by_label("Latitude", exact=True).fill(str(PLACE[1]))
    m.get_by_label("Longitude", exact=True).fill(str(PLACE[2]))
    m.get_by_label("First year", exact=True).fill("2021")
    pick(page, "Areas of integration", "health")
    pick(page, "Target groups", "third-country nationals")
    m.get_by_text("direct: it runs or funds the practice").click()
    m.get_by_label("Innovation", exact=True).fill("The first mentoring scheme for nurses <b>in the region</b>.")
    m.get_by_label("Summary: what was done", exact=True).fill(
        "Nurses trained abroad are paired with a mentor <i>for a year</i> while their diploma is recognised.")
    m.get_by_label("Lessons learnt", exact=True).fill(LESSONS)
    m.get_by_label("Tips for transferability", exact=True).fill("Start with one hospital that already recruits abroad.")
    m.get_by_label("Your contact e-mail", exact=True).fill("proposer@example.org")
    m.get_by_role("button", name="Preview").click()
    wait_for_app(page)
    card = page.locator(".st-key-practice_card")
    card.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    shot(page, "01_preview")
    text = card.inner_text().replace("\u2060", "")  # without the joiners that stop autolinks
    assert TITLE in text and LESSONS in text
    no_payload_ran(page)

    m.get_by_role("button", name="Send the proposal").click()
    wait_for_app(page)
    receipt_box = page.locator(".st-key-proposal_receipt")
    receipt_box.wait_for(timeout=30_000)
    receipt = re.search(r"LAB-\d{8}-[A-Z2-7]{8}", receipt_box.inner_text()).group(0)
    shot(page, "02_receipt")
    no_payload_ran(page)

    # staff: sign in, open the queue, look at the proposal, approve it
    side = sign_in_staff(page)
    side.get_by_role("link", name=re.compile("Data management")).click()
    wait_for_app(page)
    main(page).get_by_text("Proposals", exact=True).click()
    wait_for_app(page)
    card = page.locator(".st-key-practice_card")
    card.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    shot(page, "03_queue")
    assert TITLE in card.inner_text().replace("\u2060", "") and LESSONS in card.inner_text().replace("\u2060", "")
    assert "proposer@example.org" in main(page).inner_text().replace("\u2060", "")
    no_payload_ran(page)
    main(page).get_by_role("button", name="Approve and publish").click()
    wait_for_app(page)
    main(page).get_by_text(f"Proposal {receipt} approved").wait_for(timeout=30_000)
    shot(page, "04_approved")

    # the public page: its card and the map tooltip at the place
    region = "ES-LAU-GRANOLLERS-TEST-TOWN"
    query = f"?practice={receipt}&from_region={region}"
    canvas = open_page(page, url, query)
    card = page.locator(".st-key-practice_card")
    card.wait_for(timeout=20_000)
    text = card.inner_text().replace("\u2060", "")  # without the joiners that stop autolinks
    assert TITLE in text and LESSONS in text
    assert "Target groups: TCN\n" in text
    assert "proposer@example.org" not in page.content()
    spec = deck_spec(store, {"practice": receipt, "from_region": region})
    x, y = project(spec["initialViewState"], PLACE[2], PLACE[1], canvas.bounding_box())
    page.mouse.move(x, y)
    page.wait_for_timeout(800)
    tip = page.locator(".deck-tooltip")
    assert TITLE in tip.inner_text()
    assert "&lt;img" in tip.inner_html()
    shot(page, "05_card_and_tooltip")
    no_payload_ran(page)
