"""Public-sector hosting defaults, as a visitor's browser sees them: the app started with the
repository's own ``.streamlit/config.toml`` (no extra flags) sends no request anywhere but
its own server (no usage statistics to Streamlit), and shows no Deploy button or developer
menu entries.
"""

from __future__ import annotations

from urllib.parse import urlparse

from tests.browser.conftest import wait_for_app


def test_no_third_party_request_and_no_developer_controls(app_url, page):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(app_url + "/overview")
    wait_for_app(page, 60_000)
    page.locator('[data-testid="stDeckGlJsonChart"], [data-testid="stVegaLiteChart"]').first.wait_for(
        timeout=30_000)
    own = urlparse(app_url).netloc
    foreign = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
               and urlparse(u).netloc != own]
    assert foreign == [], foreign

    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0
    menu = page.locator('[data-testid="stMainMenu"]')
    if menu.count():
        menu.first.click()
        popover = page.locator('[data-testid="stMainMenuPopover"], [data-testid="stMainMenuList"]').first
        popover.wait_for(timeout=10_000)
        text = popover.inner_text().lower()
        for developer_item in ("deploy", "clear cache", "rerun"):
            assert developer_item not in text, text
        page.screenshot(path=str(page.shots / "menu.png"))
    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0
