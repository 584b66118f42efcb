"""Load test: N concurrent sessions doing real interactions, over Streamlit's own protocol.

Each session is a websocket to ``/_stcore/stream`` speaking the protobuf messages of the
installed Streamlit (``BackMsg`` out, ``ForwardMsg`` in), as a browser tab does. It loads
the app, then repeats a cycle of real interactions with think time between them:

    open the region page → pick a region → switch TCN/BIP → open the map (overview) page

and times each from the message sent to the server's "script finished" (the updated
content has then been sent). One real browser (Playwright + Debian's Chromium) probes the
same server meanwhile and times a target-group switch to a finished page. Server CPU and
memory are read from /proc for the replica processes.

The baseline, in the same run: the same sessions doing the same cycle for
``--baseline-duration`` seconds against one ``streamlit run`` of an app with the same controls
and no work (bench/bench_click.py's EMPTY_APP: the navigation, a Region picker, a Target group
radio, empty pages). Each level's p50/p95 is printed beside the baseline's and as a ratio.

Bounded and loopback only: at most ``--sessions`` sessions (≤ 200), ``--duration`` seconds
(≤ 600), a hard deadline after which every socket is closed; it stops by itself.

    python bench/loadtest.py --sessions 10 25 50                  # one replica, default data
    python bench/loadtest.py --sessions 50 --replicas 2           # two replicas behind nginx
    python bench/loadtest.py --sessions 50 --regions 1000         # a 1,000-region store
    python bench/loadtest.py --issue-row     # 50 sessions, 1,000 regions, 2 replicas (issue 18)
    python bench/loadtest.py --issue-row --quick                  # the same, 20 s
    python bench/loadtest.py --url http://127.0.0.1:8501 --pids 1234 --sessions 10
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

MAX_SESSIONS, MAX_DURATION = 200, 600
MAP_PAGE = "(default)"  # the overview page, with the map, is the app's default page
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _loopback(url: str) -> str:
    host = urllib.parse.urlparse(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise SystemExit(f"Refusing {url}: the load test only targets loopback addresses.")
    return url.rstrip("/")


# ---------------------------------------------------------------------- one session

@dataclass
class Widget:
    id: str
    kind: str
    label: str
    options: list[str]
    value: str | None = None


@dataclass
class Timing:
    action: str
    seconds: float
    ok: bool


class Session:
    """One browser tab's worth of protocol: a websocket and the widgets it was sent."""

    def __init__(self, url: str, timeout: float = 60):
        import websocket

        self.url, self.timeout = url, timeout
        self.cookie = cookie = self._cookie()
        ws_url = "ws" + url[len("http"):] + "/_stcore/stream"
        self.ws = websocket.create_connection(
            ws_url, subprotocols=["streamlit"], timeout=timeout,
            header=[f"Cookie: {cookie}"] if cookie else None, origin=url)
        self.widgets: dict[str, Widget] = {}
        self.pages: dict[str, str] = {}  # url path → page script hash
        self.page_hash = ""
        self.texts: list[str] = []
        self.states: dict[str, object] = {}
        self.query = ""  # the page URL's query string, as the app last set it

    def _cookie(self) -> str:
        """GET / first, as a browser does: nginx issues its sticky replica cookie here."""
        with urllib.request.urlopen(self.url + "/", timeout=self.timeout) as resp:
            cookies = resp.headers.get_all("Set-Cookie") or []
        return "; ".join(c.split(";", 1)[0] for c in cookies)

    def close(self):
        with contextlib.suppress(Exception):  # a socket the server already dropped
            self.ws.close()

    def rerun(self, page_hash: str | None = None) -> float:
        """Send a rerun with the current widget states; wait for the script to finish."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        cs = msg.rerun_script
        # A browser sends the address bar's query string with every rerun; a page switch
        # through the navigation starts without one.
        cs.query_string = "" if page_hash is not None else self.query
        cs.page_script_hash = page_hash if page_hash is not None else self.page_hash
        for wid, value in self.states.items():
            w = cs.widget_states.widgets.add()
            w.id = wid
            w.string_value = value
        self.texts = []
        start = time.perf_counter()
        self.ws.send_binary(msg.SerializeToString())
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                self._element(fwd.delta)
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
                # The default page is served at "/", under an empty path.
                for p in fwd.navigation.app_pages:
                    if p.is_default:
                        self.pages["(default)"] = p.page_script_hash
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash or self.page_hash
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                if fwd.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise RuntimeError(f"script finished with status {fwd.script_finished}")
                return time.perf_counter() - start
        raise TimeoutError("no script_finished in time")

    def _element(self, delta):
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind in ("selectbox", "radio"):
            proto = getattr(el, kind)
            self.widgets[proto.label] = Widget(proto.id, kind, proto.label, list(proto.options))
        elif kind == "markdown":
            self.texts.append(el.markdown.body)
        elif kind == "exception":
            raise RuntimeError(f"app exception: {el.exception.message}")

    def widget(self, *labels: str) -> Widget | None:
        for label, w in self.widgets.items():
            if any(word.lower() in label.lower() for word in labels):
                return w
        return None

    def choose(self, widget: Widget, value: str) -> float:
        self.states[widget.id] = value
        return self.rerun()

    def open_page(self, path: str) -> float:
        target = self.pages.get(path) or self.pages.get(path or "(default)")
        if target is None:
            raise RuntimeError(f"no page {path}; pages: {sorted(self.pages)}")
        self.widgets = {}
        took = self.rerun(target)
        self.page_hash = target
        return took

    def version(self) -> str | None:
        """The data version the sidebar shows (`Data version: <id>`)."""
        for text in self.texts:
            if "version" in text.lower() and "`" in text:
                return text.split("`")[1]
        return None


def run_session(url: str, stop_at: float, think: float, timings: list, errors: list,
                seed: int):
    """Load the app, then cycle through the four interactions until ``stop_at``."""
    rng = random.Random(seed)
    try:
        s = Session(url)
    except Exception as exc:  # noqa: BLE001 — counted and reported, the run goes on
        errors.append(f"connect: {exc}")
        return
    try:
        timings.append(Timing("load", s.rerun(), True))
        while time.time() < stop_at:
            steps = [("region page", lambda: s.open_page("region"))]
            for action, step in steps + [("pick region", None), ("switch group", None),
                                         ("map page", lambda: s.open_page(MAP_PAGE))]:
                if time.time() >= stop_at:
                    break
                time.sleep(rng.uniform(0.5, 1.5) * think)
                if action == "pick region":
                    w = s.widget("region")
                    if w is None or not w.options:
                        errors.append("no region select on the region page")
                        continue
                    step = (lambda w=w: s.choose(w, rng.choice(w.options)))
                elif action == "switch group":
                    w = s.widget("target group", "group")
                    if w is None:
                        errors.append("no target-group switch")
                        continue
                    current = s.states.get(w.id, w.options[0])
                    other = next((o for o in w.options if o != current), current)
                    step = (lambda w=w, other=other: s.choose(w, other))
                timings.append(Timing(action, step(), True))
    except Exception as exc:  # noqa: BLE001
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        s.close()


# ---------------------------------------------------------------------- the browser probe

def browser_probe(url: str, stop_at: float, out: list, errors: list):
    """One real Chromium tab: load, then switch the target group until ``stop_at``."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        errors.append("browser probe skipped: no Chromium")
        return
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    done = ("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
            " && document.querySelector('[data-testid=\"stMain\"]')")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=args)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            t0 = time.perf_counter()
            page.goto(url + "/", timeout=60_000)
            page.wait_for_selector('[data-testid="stSidebar"] [role="radiogroup"]', timeout=60_000)
            page.wait_for_function(done, timeout=60_000)
            out.append(Timing("browser load", time.perf_counter() - t0, True))
            while time.time() < stop_at:
                page.wait_for_timeout(1500)
                radios = page.locator('[data-testid="stSidebar"] [role="radiogroup"] label')
                n = radios.count()
                if n < 2:
                    errors.append("browser probe: no target-group radio")
                    break
                target = radios.nth(random.randrange(n))
                t0 = time.perf_counter()
                target.click()
                page.wait_for_timeout(50)  # let the status widget appear
                page.wait_for_function(done, timeout=60_000)
                out.append(Timing("browser switch group", time.perf_counter() - t0, True))
            browser.close()
    except Exception as exc:  # noqa: BLE001
        errors.append(f"browser probe: {type(exc).__name__}: {exc}")


# ---------------------------------------------------------------------- server figures

def proc_sample(pids: list[int]) -> tuple[float, int]:
    """(CPU seconds used so far, resident bytes) summed over ``pids``."""
    cpu, rss = 0.0, 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / CLK_TCK
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return cpu, rss


def settle(pids: list[int], idle: float = 0.15, limit: float = 180.0) -> float:
    """Wait until the servers are idle (below ``idle`` of a core over 2 s): a freshly
    started or freshly published server warms its page caches in the background
    (MIPEXR_WARM), and the figures are for a server in service. Returns seconds waited."""
    t0 = time.time()
    while pids and time.time() - t0 < limit:
        c0 = proc_sample(pids)[0]
        time.sleep(2)
        if (proc_sample(pids)[0] - c0) / 2 < idle * len(pids):
            break
    return time.time() - t0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def measure(url: str, pids: list[int], sessions: int, duration: float, think: float,
            probe: bool) -> dict:
    """One load level: ``sessions`` sessions for ``duration`` seconds."""
    timings: list[Timing] = []
    errors: list[str] = []
    # Warm the servers (first-run imports; the first run of a version starts the cache
    # warming) before timing: a few sessions, so that nginx sends one to every replica.
    for _ in range(3 * max(len(pids), 1)):
        warm = Session(url)
        warm.rerun()
        warm.open_page("region")
        warm.close()
    settle(pids)
    cpu0, rss0 = proc_sample(pids)
    t0 = time.time()
    stop_at = t0 + duration
    threads = [threading.Thread(target=run_session, daemon=True,
                                args=(url, stop_at, think, timings, errors, i))
               for i in range(sessions)]
    probe_out: list[Timing] = []
    if probe:
        threads.append(threading.Thread(target=browser_probe, daemon=True,
                                        args=(url, stop_at, probe_out, errors)))
    peak = rss0
    for i, th in enumerate(threads):
        th.start()
        time.sleep(min(0.1, duration / 10 / max(len(threads), 1)))  # a ramp, not a thundering herd
    while any(th.is_alive() for th in threads) and time.time() < stop_at + 90:
        peak = max(peak, proc_sample(pids)[1])
        time.sleep(0.5)
    cpu1, _ = proc_sample(pids)
    wall = time.time() - t0
    interactions = [t.seconds for t in timings if t.action != "load"]
    by_action = {}
    for action in sorted({t.action for t in timings}):
        vals = [t.seconds for t in timings if t.action == action]
        by_action[action] = {"n": len(vals), "p50_ms": round(percentile(vals, .5) * 1000),
                             "p95_ms": round(percentile(vals, .95) * 1000)}
    browser = [t.seconds for t in probe_out if t.action == "browser switch group"]
    return {
        "sessions": sessions, "seconds": round(wall, 1), "interactions": len(interactions),
        "p50_ms": round(percentile(interactions, .5) * 1000),
        "p95_ms": round(percentile(interactions, .95) * 1000),
        "by_action": by_action,
        "browser_probe_p50_ms": round(percentile(browser, .5) * 1000) if browser else None,
        "browser_probe_n": len(browser),
        "server_cpu_percent": round((cpu1 - cpu0) / wall * 100),
        "server_rss_mb_before": round(rss0 / 2**20), "server_rss_mb_peak": round(peak / 2**20),
        "mb_per_session": round((peak - rss0) / 2**20 / sessions, 1),
        "errors": errors[:10], "n_errors": len(errors),
    }


# ---------------------------------------------------------------------- servers to test

def big_tables(n_regions: int):
    """The default data with its scored regions copied until there are ``n_regions``."""
    import numpy as np
    import pandas as pd

    from data.demo import build_demo
    from data.imports import derive

    tables = derive(build_demo())
    regions, scores = tables["regions"], tables["scores"]
    scored = regions[regions["region_id"].isin(scores["region_id"])]
    rows, new_scores, rng = [], [], np.random.default_rng(7)
    k = 0
    while len(scored) + len(rows) < n_regions:
        for _, reg in scored.iterrows():
            if len(scored) + len(rows) >= n_regions:
                break
            k += 1
            rid = f"{reg['country']}{k:04d}"
            rows.append(dict(reg, region_id=rid, name=f"{reg['name']} {k}",
                             lat=reg["lat"] + rng.normal(0, .3), lon=reg["lon"] + rng.normal(0, .3)))
            sc = scores[scores["region_id"] == reg["region_id"]].copy()
            sc["region_id"] = rid
            new_scores.append(sc)
    tables["regions"] = pd.concat([regions, pd.DataFrame(rows)], ignore_index=True)
    tables["scores"] = pd.concat([scores, *new_scores], ignore_index=True)
    return tables


def prepare_store(env: dict, n_regions: int | None):
    """Publish the default data (or a big copy of it) into the store ``env`` names."""
    from data.config import settings
    from data.imports import ensure_default
    from data.backends import open_store

    old = dict(os.environ)
    os.environ.update(env)
    try:
        store = open_store(cfg=settings())
        if n_regions:
            store.publish(big_tables(n_regions), base_version=store.current_id(), who="loadtest",
                          note=f"{n_regions} regions", illustrative={})
        else:
            ensure_default(store)
    finally:
        os.environ.clear()
        os.environ.update(old)


def serve(folder: Path, replicas: int, backend: str, n_regions: int | None):
    """Start the store's servers, the replicas and (for several) nginx; return
    (url, replica pids, stop function)."""
    from deploy import servers

    stops, env = [], {}
    try:
        if backend == "lake":
            pg_dir = Path(tempfile.mkdtemp(prefix="mipexr-lt-pg-"))
            stops.append(lambda: shutil.rmtree(pg_dir, ignore_errors=True))
            pg = servers.Postgres(pg_dir).start()
            stops.append(pg.stop)
            env = {"MIPEXR_CATALOG": pg.create_db("loadtest"),
                   "MIPEXR_DATA_PATH": str(folder / "lake") + "/"}
        else:
            env = {"MIPEXR_STORE": str(folder / "store")}
        prepare_store(env, n_regions)
        procs, ports = [], []
        for i in range(replicas):
            proc, port = servers.start_replica(env, folder / f"replica-{i}.log")
            procs.append(proc)
            ports.append(port)
            stops.append(lambda p=proc: servers.stop_pid(p.pid))
        url = f"http://127.0.0.1:{ports[0]}"
        if replicas > 1:
            ng, nport = servers.start_nginx(ports, folder / "nginx")
            stops.append(lambda: servers.stop_pid(ng.pid))
            url = f"http://127.0.0.1:{nport}"
    except BaseException:
        for stop in reversed(stops):
            stop()
        raise

    def stop_all():
        for stop in reversed(stops):
            stop()

    return url, [p.pid for p in procs], stop_all


def baseline(folder: Path, sessions: list[int], duration: float, think: float) -> dict[int, dict]:
    """The same load on an app with no work, one ``streamlit run``: {sessions: figures}."""
    sys.path.insert(0, str(HERE))
    import bench_click

    script = folder / "empty_app.py"
    script.write_text(bench_click.EMPTY_APP)
    proc, url = bench_click.start_streamlit(script, {}, folder / "empty.log")
    try:
        return {n: measure(url, [proc.pid], n, duration, think, False) for n in sessions}
    finally:
        bench_click.stop(proc)


def parse_args(argv=None) -> argparse.Namespace:
    """The options, with the defaults that depend on --issue-row and --quick filled in."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, nargs="+", default=None,
                    help="load levels (default 10 25 50; --issue-row or --quick: 50)")
    ap.add_argument("--duration", type=float, default=None,
                    help="seconds per load level (default 40, --quick 20)")
    ap.add_argument("--issue-row", action="store_true",
                    help="issue 18's row: 50 sessions, 1,000 regions, 2 replicas (each "
                         "overridable by its own option)")
    ap.add_argument("--quick", action="store_true", help="one level (50 sessions), 20 s each")
    ap.add_argument("--baseline-duration", type=float, default=None,
                    help="seconds of the no-work baseline per level (default: as --duration, "
                         "at most 20; 0: no baseline)")
    ap.add_argument("--think", type=float, default=2.0, help="mean seconds between interactions")
    ap.add_argument("--replicas", type=int, default=None, help="default 1 (--issue-row: 2)")
    ap.add_argument("--backend", choices=["local", "lake"], default=None,
                    help="store for the servers started here (default: local for 1 replica, "
                         "lake for several)")
    ap.add_argument("--regions", type=int, default=None, help="publish a store this big first")
    ap.add_argument("--url", help="test a running server instead (loopback only)")
    ap.add_argument("--pids", type=int, nargs="*", default=[], help="its process ids (CPU, RSS)")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    if args.sessions is None:
        args.sessions = [50] if (args.issue_row or args.quick) else [10, 25, 50]
    if args.duration is None:
        args.duration = 20 if args.quick else 40
    if args.replicas is None:
        args.replicas = 2 if args.issue_row else 1
    if args.regions is None and args.issue_row:
        args.regions = 1000
    if args.baseline_duration is None:
        args.baseline_duration = min(args.duration, 20)
    if max(args.sessions) > MAX_SESSIONS or args.duration > MAX_DURATION:
        raise SystemExit(f"At most {MAX_SESSIONS} sessions and {MAX_DURATION} s per level.")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    stop_all = lambda: None
    # A SIGTERM (timeout, CI) unwinds like Ctrl-C, so the servers started here are stopped.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    folder = Path(tempfile.mkdtemp(prefix="mipexr-loadtest-"))
    if args.url:
        url, pids = _loopback(args.url), args.pids
    else:
        backend = args.backend or ("lake" if args.replicas > 1 else "local")
        url, pids, stop_all = serve(folder, args.replicas, backend, args.regions)
    results, base = [], {}
    try:
        for n in args.sessions:
            r = measure(url, pids, n, args.duration, args.think, not args.no_browser)
            r.update(replicas=args.replicas, regions=args.regions or "default")
            results.append(r)
            print(json.dumps(r), flush=True)
        stop_all()  # the app's servers are done: the baseline runs alone on the machine
        stop_all = lambda: None
        if args.baseline_duration > 0:
            base = baseline(folder, args.sessions, args.baseline_duration, args.think)
            for n, b in base.items():
                print(json.dumps({"baseline": "no-work app, 1 process", **b}), flush=True)
    finally:
        stop_all()
        shutil.rmtree(folder, ignore_errors=True)
    for r in results:
        b = base.get(r["sessions"])
        r["baseline"] = b and {k: b[k] for k in ("p50_ms", "p95_ms", "interactions", "n_errors")}
    print("\nsessions  replicas  regions   interactions  p50 ms  p95 ms  browser p50  CPU %  "
          "MB/session  baseline p50/p95 ms  p50 × base  p95 × base")
    for r in results:
        b = r["baseline"]
        ratio = (lambda k: f"{r[k] / max(b[k], 1):.1f}") if b else (lambda k: "—")
        print(f"{r['sessions']:>8}  {r['replicas']:>8}  {r['regions']!s:>7}  "
              f"{r['interactions']:>13}  {r['p50_ms']:>6}  {r['p95_ms']:>6}  "
              f"{r['browser_probe_p50_ms']!s:>11}  {r['server_cpu_percent']:>5}  "
              f"{r['mb_per_session']:>10}  "
              f"{(str(b['p50_ms']) + ' / ' + str(b['p95_ms'])) if b else '—':>19}  "
              f"{ratio('p50_ms'):>10}  {ratio('p95_ms'):>10}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0 if all(r["n_errors"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
