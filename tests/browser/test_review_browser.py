"""What a review with real data in a real browser found on every screen (each test failed
before its fix)."""

from __future__ import annotations

from tests.browser.conftest import TEST_STAFF, app_errors, wait_for_app

CUT = """(el) => { const t = el.querySelector('p') || el; return t.scrollWidth > t.clientWidth + 1; }"""


def test_staff_link_in_the_sidebar_is_not_cut(page, app_url):
    """Signed in, the sidebar's link to the staff page read "Data management: review, |"."""
    page.goto(app_url)
    wait_for_app(page, 60_000)
    side = page.locator('[data-testid="stSidebar"]')
    side.get_by_text("Staff", exact=True).click()
    side.get_by_label("Staff name", exact=True).fill(TEST_STAFF[0])
    side.get_by_label("Password", exact=True).fill(TEST_STAFF[1])
    side.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    assert not app_errors(page)
    link = side.locator('[data-testid="stPageLink"]').filter(has_text="Data management")
    link.first.wait_for()
    page.screenshot(path=page.shots / "signed-in.png", full_page=True)
    assert not link.first.evaluate(CUT), link.first.inner_text()
    link.first.click()
    wait_for_app(page)
    assert page.get_by_role("heading", name="Data management").count()
