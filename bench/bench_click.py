"""A click in Chromium until the page is idle, against the same click on a page with no work.

What a visitor feels: the app served by ``streamlit run app.py`` (deploy/'s serving settings,
a fresh store with the default data, ``MIPEXR_BOUNDARIES=off``), driven by Debian's Chromium
headless through Playwright. Three kinds of click, ``--clicks`` of each:

    switch page   a link of the sidebar navigation (overview → region → compare → …)
    pick region   the Region page's region picker, another region
    switch group  the sidebar's target-group radio (TCN ↔ BIP)

Each is timed from the click until the page is idle: the server's "script finished" message
for a run started since the click has reached the browser (read off the page's websocket:
a fast run can go from running to finished between two renders, so the DOM alone may never
show it running), then ``stApp`` is ``notRunning`` with no ``stSkeleton`` and no
``stStatusWidget`` (``page.wait_for_function``). Waits are on events and state, never sleeps.

The baseline is the same three clicks, timed the same way in the same run, on a second server
running a Streamlit app with the same controls and no work (an empty page per navigation
entry, the same radio and picker). Both figures and their ratio are printed.

    python bench/bench_click.py                # 10 clicks of each kind
    python bench/bench_click.py --quick        # 4 of each
    python bench/bench_click.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]

#: The navigation entries both apps have (url paths), cycled through by "switch page".
NAV_PATHS = ["region", "compare", "gaps", "methodology", "practices", "home"]

#: Idle once the run is over: the app not running, nothing drawn as a skeleton, no status.
IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"]')
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !!document.querySelector('[data-testid="stMain"]');
}"""


#: The no-work app: the same navigation paths, sidebar radio and region picker as app.py.
EMPTY_APP = '''
import streamlit as st

def empty():
    pass

def region():
    st.selectbox("Region", [f"Region {i:02d}" for i in range(25)], key="w_region")

pages = [st.Page(empty, title="Overview", url_path="home", default=True),
         st.Page(region, title="Region profile", url_path="region")]
pages += [st.Page(empty, title=p.title(), url_path=p) for p in
          ("compare", "gaps", "methodology", "practices")]
page = st.navigation(pages)
with st.sidebar:
    st.radio("Target group", ["TCN", "BIP"], key="w_group")
page.run()
'''


# ---------------------------------------------------------------------- servers

def serving_flags() -> list[str]:
    """deploy/'s serving settings as flags, as a replica runs (plain flags if unavailable)."""
    try:
        from deploy.servers import serving_flags as flags
        return flags()
    except Exception:  # noqa: BLE001 — the deploy module changed: serve with Streamlit's defaults
        return ["--server.headless", "true", "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(script: Path, env_extra: dict, log_path: Path,
                    timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """``streamlit run script`` on a free loopback port; (process, base url) once healthy."""
    port = free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), *serving_flags(),
         "--server.address", "127.0.0.1", "--server.port", str(port)],
        cwd=ROOT, env=dict(os.environ, **env_extra), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.2)
        if proc.poll() is not None:
            break
    stop(proc)
    raise RuntimeError(f"Streamlit did not start; see {log_path}")


def stop(proc: subprocess.Popen, timeout: float = 10):
    """Stop one server this script started (by its process id only)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def init_store(store: Path, env_extra: dict | None = None):
    """Publish the default data into a fresh store with the staff command line."""
    env = {**os.environ, **(env_extra or {}), "MIPEXR_STORE": str(store)}
    subprocess.run([sys.executable, "-m", "data", "init"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


# ---------------------------------------------------------------------- the browser

def launch(pw):
    if not Path(CHROMIUM).exists():
        raise SystemExit("No Chromium at /usr/bin/chromium (apt-get install chromium).")
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def is_finished(payload) -> bool:
    """A websocket frame that is the server's "script finished" (not "early, for a rerun")."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if isinstance(payload, str):
        return False
    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:  # noqa: BLE001 — not a ForwardMsg
        return False
    return (msg.WhichOneof("type") == "script_finished"
            and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN)


def new_page(browser):
    """A tab whose websocket frames are watched: ``page.finished`` counts finished runs."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.errors, page.finished, page.ws = [], 0, None

    def on_frame(payload):
        if is_finished(payload):
            page.finished += 1

    def on_ws(ws):
        if ws.url.endswith("/_stcore/stream"):
            page.ws = ws
            ws.on("framereceived", on_frame)

    page.on("websocket", on_ws)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def wait_idle(page, before: int, timeout_ms: float):
    """Until a run finished after ``before`` runs had, and the page shows it, idle."""
    deadline = time.perf_counter() + timeout_ms / 1000
    while page.finished <= before:
        left = (deadline - time.perf_counter()) * 1000
        if left <= 0:
            raise TimeoutError("no script run finished in time")
        if page.ws is None:
            page.wait_for_event("websocket", timeout=left)
            continue
        page.ws.wait_for_event("framereceived", predicate=is_finished, timeout=left)
    page.wait_for_function(IDLE, timeout=max(deadline - time.perf_counter(), 1) * 1000,
                           polling="raf")


def open_url(page, url: str, timeout_ms: float = 120_000) -> float:
    """Load ``url``; seconds until the first run has finished and the page is idle."""
    before = page.finished
    t0 = time.perf_counter()
    page.goto(url, timeout=timeout_ms)
    wait_idle(page, before, timeout_ms)
    return time.perf_counter() - t0


def timed_click(page, locator, timeout_ms: float) -> float:
    """Seconds from clicking ``locator`` until a run started since has finished and the
    page is idle."""
    locator.wait_for(state="visible", timeout=timeout_ms)
    before = page.finished
    t0 = time.perf_counter()
    locator.click()
    wait_idle(page, before, timeout_ms)
    return time.perf_counter() - t0


def nav_link(page, path: str):
    """The navigation link to ``path`` (the default page's link is the site root)."""
    end = "/" if path == "home" else f"/{path}"
    return page.locator(f'[data-testid="stSidebarNav"] a[href$="{end}"]').first


def click_nav(page, path: str, timeout_ms: float) -> float:
    return timed_click(page, nav_link(page, path), timeout_ms)


def click_group(page, timeout_ms: float) -> float:
    """Click the target-group option that is not chosen."""
    radio = page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').filter(
        has_text="Target group").first
    other = radio.locator("label").filter(has=page.locator("input:not(:checked)")).first
    return timed_click(page, other, timeout_ms)


def click_region(page, rng: random.Random, timeout_ms: float) -> float:
    """Open the Region picker (not timed: no run) and click another visible region."""
    box = page.locator('[data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]',
                         has_text=re.compile(r"^\s*Region\s*$"))).first
    box.click()
    options = page.locator('[role="option"][aria-selected="false"]')
    options.first.wait_for(state="visible", timeout=timeout_ms)
    n = options.count()
    return timed_click(page, options.nth(rng.randrange(min(n, 8))), timeout_ms)


def click_session(browser, url: str, clicks: int, seed: int, timeout_ms: float) -> dict:
    """One tab: load the app, then ``clicks`` page switches, region picks, group switches."""
    rng = random.Random(seed)
    page = new_page(browser)
    out = {"load": [open_url(page, url + "/", timeout_ms)], "switch page": [],
           "pick region": [], "switch group": []}
    for i in range(clicks):
        out["switch page"].append(click_nav(page, NAV_PATHS[i % len(NAV_PATHS)], timeout_ms))
    if page.url.rstrip("/").split("/")[-1].split("?")[0] != "region":
        click_nav(page, "region", timeout_ms)
    for _ in range(clicks):
        out["pick region"].append(click_region(page, rng, timeout_ms))
    for _ in range(clicks):
        out["switch group"].append(click_group(page, timeout_ms))
    out["page_errors"] = page.errors[:5]
    page.context.close()
    return out


# ---------------------------------------------------------------------- figures

def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summary(app: dict, base: dict) -> list[dict]:
    rows = []
    kinds = ["switch page", "pick region", "switch group"]
    for kind in [*kinds, "all clicks"]:
        a = sum((app[k] for k in kinds), []) if kind == "all clicks" else app[kind]
        b = sum((base[k] for k in kinds), []) if kind == "all clicks" else base[kind]
        row = {"click": kind, "n": len(a)}
        for q, name in ((.5, "p50"), (.95, "p95")):
            row[f"{name}_s"] = round(percentile(a, q), 3)
            row[f"baseline_{name}_s"] = round(percentile(b, q), 3)
            row[f"{name}_x_baseline"] = round(percentile(a, q) / percentile(b, q), 1)
        rows.append(row)
    rows.append({"click": "first load", "n": 1, "p50_s": round(app["load"][0], 3),
                 "baseline_p50_s": round(base["load"][0], 3),
                 "p50_x_baseline": round(app["load"][0] / base["load"][0], 1)})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="4 clicks of each kind")
    ap.add_argument("--clicks", type=int, default=None, help="clicks of each kind (default 10)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds a click may take")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    clicks = args.clicks or (4 if args.quick else 10)
    timeout_ms = args.timeout * 1000
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="mipexr-click-"))
    procs = []
    try:
        env = {"MIPEXR_STORE": str(folder / "store"), "MIPEXR_BOUNDARIES": "off"}
        init_store(folder / "store", env)
        empty_app = folder / "empty_app.py"
        empty_app.write_text(EMPTY_APP)
        app_proc, app_url = start_streamlit(ROOT / "app.py", env, folder / "app.log")
        procs.append(app_proc)
        base_proc, base_url = start_streamlit(empty_app, {}, folder / "empty.log")
        procs.append(base_proc)
        with sync_playwright() as pw:
            browser = launch(pw)
            # A first tab on each warms imports and the version's caches, as a server in
            # service has them; the timed tab comes second. Baseline and app alternate.
            click_session(browser, base_url, len(NAV_PATHS), 0, timeout_ms)
            click_session(browser, app_url, len(NAV_PATHS), 0, timeout_ms)
            base = click_session(browser, base_url, clicks, 1, timeout_ms)
            app = click_session(browser, app_url, clicks, 1, timeout_ms)
            browser.close()
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(folder, ignore_errors=True)
    rows = summary(app, base)
    print(f"Chromium click → idle, default data, {clicks} clicks of each kind; baseline: the "
          f"same clicks on a Streamlit app with no work, same run\n")
    print("| click | n | p50 (s) | p95 (s) | baseline p50 (s) | baseline p95 (s) | "
          "p50 × baseline | p95 × baseline |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    def cell(r, key, fmt="{:.3f}"):
        return fmt.format(r[key]) if key in r else "—"

    for r in rows:
        print(f"| {r['click']} | {r['n']} | {cell(r, 'p50_s')} | {cell(r, 'p95_s')} | "
              f"{cell(r, 'baseline_p50_s')} | {cell(r, 'baseline_p95_s')} | "
              f"{cell(r, 'p50_x_baseline', '{}')} | {cell(r, 'p95_x_baseline', '{}')} |")
    errors = app["page_errors"] + base["page_errors"]
    if errors:
        print("\nPage errors:", *errors, sep="\n  ")
    if args.json:
        args.json.write_text(json.dumps({"clicks": clicks, "rows": rows, "raw": {
            "app": app, "baseline": base}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
