"""Limits keyed on the client, through a real server (issue 16, problems 3–5): after failed
sign-ins, new sessions (reloads) of the same client stay paused, for any name; the audit log
has time, client, user and action for each attempt and never a password.

(A second client is tested in tests/test_security.py and tests/test_auth.py: Chromium does not
send Playwright's extra headers on the websocket, from which Streamlit reads them, so a
browser on this machine cannot pose as a second address behind a proxy.)"""

from __future__ import annotations

import subprocess

import pytest

from tests.browser.conftest import (TEST_STAFF, app_errors, sign_in_staff, start_app,
                                    wait_for_app)


@pytest.fixture(scope="module")
def limits_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("limits-e2e")
    audit_log = folder / "audit.log"
    proc, url = start_app(folder / "store", env_extra={"MIPEXR_STAFF_MAX_FAILURES": "2",
                                                       "MIPEXR_AUDIT_LOG": str(audit_log)})
    yield url, audit_log
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def visitor(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    return context, context.new_page()


def sign_in(page, url: str, name: str, password: str) -> str:
    page.goto(url)
    wait_for_app(page, 60_000)
    side = sign_in_staff(page, name, password)
    assert not app_errors(page)
    return side.inner_text()


def test_failures_pause_the_client_across_reloads_and_are_audited(browser, limits_app):
    url, audit_log = limits_app
    ctx, page = visitor(browser)
    try:
        assert "Wrong name or password." in sign_in(page, url, TEST_STAFF[0], "wrong-one-5f1c")
        assert "Too many failed attempts" in sign_in(page, url, "Hunter2-as-name", "wrong-two-77ab")
        # a reload is a new session: still paused, even with the right password
        text = sign_in(page, url, TEST_STAFF[0], TEST_STAFF[1])
        assert "Too many failed attempts" in text and "Signed in as" not in text
        page.screenshot(path=_shot("paused"), full_page=True)
    finally:
        ctx.close()
    ctx, page = visitor(browser)  # a new browser context: no cookie, no session, same client
    try:
        assert "Too many failed attempts" in sign_in(page, url, TEST_STAFF[0], TEST_STAFF[1])
    finally:
        ctx.close()
    lines = audit_log.read_text(encoding="utf-8").splitlines()
    fields = [(ln.split("outcome=")[1].split()[0], ln.split("user=")[1].split(" client=")[0],
               ln.split("client=")[1].split()[0]) for ln in lines]
    assert fields == [("failure", "teststaff", "local"), ("failure", '"unknown name"', "local"),
                      ("refused-locked", "teststaff", "local"), ("refused-locked", "teststaff", "local")]
    text = audit_log.read_text(encoding="utf-8")
    assert "wrong-one-5f1c" not in text and "Hunter2-as-name" not in text and TEST_STAFF[1] not in text


def _shot(name: str) -> str:
    from tests.browser.conftest import ARTIFACTS

    folder = ARTIFACTS / "test_limits_browser"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{name}.png")
