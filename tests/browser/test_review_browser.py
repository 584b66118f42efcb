"""What a review with real data in a real browser found on every screen (each test failed
before its fix)."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS, app_errors, sign_in_staff, wait_for_app

CUT = """(el) => { const t = el.querySelector('p') || el; return t.scrollWidth > t.clientWidth + 1; }"""


def test_staff_link_in_the_sidebar_is_not_cut(page, app_url):
    """Signed in, the sidebar's link to the staff page read "Data management: review, |"."""
    page.goto(app_url)
    wait_for_app(page, 60_000)
    side = sign_in_staff(page)
    assert not app_errors(page)
    link = side.locator('[data-testid="stPageLink"]').filter(has_text="Data management")
    link.first.wait_for()
    page.screenshot(path=page.shots / "signed-in.png", full_page=True)
    assert not link.first.evaluate(CUT), link.first.inner_text()
    link.first.click()
    wait_for_app(page)
    assert page.get_by_role("heading", name="Data management").count()


def test_workshop_step_links_stay_on_one_row_on_a_phone(browser, app_url):
    """At 390 px the six step numbers stacked in a column (columns stack on a phone), a
    screen of numbers before the step itself."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(app_url + "/workshop?step=1")
        wait_for_app(page, 60_000)
        tops_js = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPageLink"]')]
            .filter(e => /^\\s*[1-6]\\s*$/.test(e.innerText)).map(e => Math.round(e.getBoundingClientRect().top))"""
        # wait until the six links are drawn (the layout settles after the first paint)
        page.wait_for_function(f"() => ({tops_js})().length === 6", timeout=30_000)
        wait_for_app(page)
        tops = page.evaluate(tops_js)
        page.screenshot(path=str(ARTIFACTS / "workshop-phone.png"))
        assert len(tops) == 6 and max(tops) - min(tops) < 20, tops
        page.set_viewport_size({"width": 1366, "height": 768})
        wait_for_app(page)
        page.screenshot(path=str(ARTIFACTS / "workshop-laptop.png"))
    finally:
        context.close()
