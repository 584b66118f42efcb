"""Real-browser tests: the app served by Streamlit on loopback, driven by Playwright in
Debian's Chromium (never a downloaded browser). Skipped when Chromium is absent, unless
MIPEXR_REQUIRE_BROWSER=1 (as in CI), where a missing browser is a failure.

Screenshots go to ``artifacts/screenshots/<test name>/``; look at them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
#: A staff account for the tests; the hash is made at start-up, nothing is stored.
TEST_STAFF = ("teststaff", "correct horse battery staple")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("MIPEXR_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError("MIPEXR_REQUIRE_BROWSER=1 but Chromium is not installed "
                                "(apt-get install chromium).")
    skip = pytest.mark.skip(reason="Chromium not installed")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(store_dir: Path, env_extra: dict | None = None):
    """Start ``streamlit run app.py`` on a free loopback port; return (process, base url)."""
    import bcrypt

    port = free_port()
    user, password = TEST_STAFF
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
    env = dict(os.environ, MIPEXR_STORE=str(store_dir), MIPEXR_STAFF_USERS=f"{user}:{hashed}",
               **(env_extra or {}))
    log = open(store_dir.parent / f"streamlit-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.fileWatcherType", "none"],  # the rest from .streamlit/config.toml, as deployed
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError(f"Streamlit did not start; see {log.name}")


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    store = tmp_path_factory.mktemp("e2e") / "store"
    proc, url = start_app(store)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    """A fresh page at 1366×900 that records console errors and page errors and dialogs."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    pg.console_errors = []
    pg.dialogs = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))

    def on_dialog(d):
        pg.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.shots = ARTIFACTS / request.node.name
    pg.shots.mkdir(parents=True, exist_ok=True)
    yield pg
    context.close()


IDLE = ("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelector('[data-testid=\"stMain\"]')")


def wait_for_app(page, timeout=30_000):
    """Wait until Streamlit has finished running the script (no 'Running…' widget), and
    is still idle a moment later: a rerun (a page switching into app.py, a URL update)
    can start right after the first run ends."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_timeout(300)
    for _ in range(5):
        page.wait_for_function(IDLE, timeout=timeout)
        page.wait_for_timeout(500)
        if page.evaluate(IDLE):
            return


def app_errors(page) -> list[str]:
    """Texts of Streamlit exception boxes on the page."""
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stException"]')]


def relevant_console_errors(page) -> list[str]:
    """Console errors, minus those of a closed network (a blocked font or tile request)."""
    noise = ("net::ERR_", "Failed to load resource", "favicon")
    return [e for e in page.console_errors if not any(n in e for n in noise)]


def sign_in_staff(page, name: str = TEST_STAFF[0], password: str = TEST_STAFF[1]):
    """Sign in as staff through the sidebar's form and wait for the rerun; returns the
    sidebar locator."""
    side = page.locator('[data-testid="stSidebar"]')
    side.get_by_text("Staff", exact=True).click()
    side.get_by_label("Staff name", exact=True).fill(name)
    side.get_by_label("Password", exact=True).fill(password)
    side.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    return side
