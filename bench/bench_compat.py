"""Benchmark ui/compat.py's patches: each measured with and without, in the same run.

    python bench/bench_compat.py [--quick] [--skip-server]

1. ``vega_spec`` and ``freeze_deck_json``: warm reruns of the Overview (map + charts) and
   the Region profile (charts) in AppTest, default data, each in a fresh process with
   ``MIPEXR_COMPAT_OFF`` naming the patch turned off (``-`` = all patches on), the modes in
   turn ``--rounds`` times (median of the rounds), against an empty Streamlit page. Plus the cost of one conversion: ``deck.to_json()`` of the
   Overview's map and ``st.altair_chart``'s Altair → Vega-Lite conversion of a page chart.
2. ``tcp_nodelay``: two real servers (``streamlit run app.py``, default data), one with the
   patch off; a websocket session per server (Streamlit's own protocol, as
   bench/loadtest.py) reruns the Methodology page, alternating between the servers.

Prints Markdown tables (medians, and ratios against the patch being on).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NUTS = ROOT.parent / "shared" / "data" / "nuts"


def _env(store: Path, off: str) -> dict:
    env = dict(os.environ, MIPEXR_STORE=str(store), MIPEXR_WARM="0", MIPEXR_COMPAT_OFF=off,
               MIPEXR_BOUNDARIES=str(NUTS) if NUTS.is_dir() else "off")
    env["PYTHONPATH"] = str(ROOT)
    return env


# ------------------------------------------------------------ 1. pages in AppTest

CHILD = r"""
import json, statistics, sys, time
from streamlit.testing.v1 import AppTest
from ui import compat

page, repeat = sys.argv[1], int(sys.argv[2])
def runs(at, n):
    out = []
    for _ in range(n):
        t0 = time.perf_counter(); at.run(); out.append(time.perf_counter() - t0)
        if at.exception:
            raise SystemExit(at.exception[0].value)
    return out
with compat.apptest_navigation():
    if page == "empty":
        at = AppTest.from_string("import streamlit as st\n", default_timeout=60)
        at.run()
    else:
        at = AppTest.from_file("app.py", default_timeout=600)
        at.run()
        at.switch_page(f"pages/{page}.py")
        runs(at, 2)
    print(json.dumps(statistics.median(runs(at, repeat))))
"""


def page_rerun(page: str, store: Path, off: str, repeat: int) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD, page, str(repeat)], cwd=ROOT, env=_env(store, off),
                         capture_output=True, text=True, timeout=900)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def conversions(store: Path, repeat: int) -> dict[str, float]:
    """One Overview map's ``to_json`` and one chart's ``st.altair_chart`` conversion (s)."""
    os.environ.update({k: v for k, v in _env(store, "").items() if k.startswith("MIPEXR")})
    import geo
    import scoring
    from data.store import Store
    from ui import charts, compat, profile

    store_ = Store(store)
    tabs = store_.tables(store_.current_id())
    cube = scoring.prepare(tabs["indicators"], tabs["scores"])
    boundaries = geo.load_boundaries([f.path for f in geo.discover_files(NUTS)]) if NUTS.is_dir() else None
    edition, group = max(cube.editions), "TCN"
    parts = profile.overview_parts(cube, tabs["regions"], edition, group, None)
    chart = parts["bars"]
    matched, _r, countries = profile.map_frame(tabs["regions"], parts["table"], boundaries)
    deck, _legend = geo.choropleth_deck(matched, "score", value_label="score", palette=charts.MAP_PALETTE,
                                        detail=charts.map_details(matched, "score", "score"),
                                        countries=countries, height=charts.MAP_HEIGHT,
                                        width_px=charts.MAP_FIT_WIDTH)

    import copy

    import numpy as np
    import streamlit as st

    def interleaved(**fns):
        """Median time of each function, called in turn ``repeat`` times (load falls alike)."""
        times = {k: [] for k in fns}
        for _ in range(repeat):
            for k, fn in fns.items():
                t0 = time.perf_counter()
                fn()
                times[k].append(time.perf_counter() - t0)
        return {k: statistics.median(v) for k, v in times.items()}

    out = {}
    decks = {f"Overview map, default data ({len(matched)} regions)": deck}
    if boundaries is not None:
        nuts2 = boundaries[(boundaries["LEVL_CODE"] == 2) & (boundaries["nuts_year"] == 2024)]
        rng = np.random.default_rng(1)
        big = nuts2.drop(columns="geometry").rename(columns={"NUTS_ID": "region_id", "NAME_LATN": "name",
                                                             "CNTR_CODE": "country"})
        big = big.assign(level="NUTS2", nuts_version=2024, lat=0.0, lon=0.0,
                         score=rng.uniform(20, 90, len(big)), coverage=1.0)
        m2, _r = geo.match_regions(big[["region_id", "name", "country", "level", "nuts_version", "lat", "lon"]],
                                   boundaries)
        m2 = m2.merge(big[["region_id", "score", "coverage"]], on="region_id")
        d2, _ = geo.choropleth_deck(m2, "score", value_label="score", palette=charts.MAP_PALETTE,
                                    detail=charts.map_details(m2, "score", "score"),
                                    countries=geo.countries(boundaries, big), height=charts.MAP_HEIGHT,
                                    width_px=charts.MAP_FIT_WIDTH)
        decks[f"NUTS-2 2024 map ({len(m2)} regions)"] = d2
    for name, live in decks.items():
        frozen = copy.copy(live)
        compat.freeze_deck_json(frozen)
        got = interleaved(live=lambda d=live: st.pydeck_chart(d, height=400),
                          frozen=lambda d=frozen: st.pydeck_chart(d, height=400))
        out[f"st.pydeck_chart, {name}: deck live"] = got["live"]
        out[f"st.pydeck_chart, {name}: JSON frozen"] = got["frozen"]
    got = interleaved(validated=lambda: compat.streamlit_vega_spec(chart),
                      compat=lambda: compat.vega_spec(chart))
    out["Overview bar chart: Altair → Vega-Lite as st.altair_chart does it (validated)"] = got["validated"]
    out["Overview bar chart: compat.vega_spec, uncached (not validated)"] = got["compat"]
    return out


# ------------------------------------------------------------ 2. TCP_NODELAY, real servers

#: A five-element page behind the app's own server settings: its rerun is a few ms, so a
#: delayed-ACK stall (~40 ms) shows; the app's pages pay the same stall on top of their work.
SMALL_APP = """
from ui import serving
serving.no_nagle()
import streamlit as st
for i in range(5):
    st.write(f"line {i}")
"""


def _small_server(folder: Path, off: str):
    import urllib.request

    from deploy import servers

    script = folder / "small_app.py"
    script.write_text(SMALL_APP)
    port = servers.free_port()
    env = dict(os.environ, MIPEXR_COMPAT_OFF=off, PYTHONPATH=str(ROOT))
    log = open(folder / f"small-{off or 'on'}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), *servers.serving_flags(),
                             "--server.address", "127.0.0.1", "--server.port", str(port)],
                            cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.3)
    servers.stop_pid(proc.pid)
    raise RuntimeError("the small app did not start")


def nodelay(folder: Path, reruns: int) -> dict[str, list[float]]:
    """Rerun times of the small page on a server with the patch on and one with it off,
    one rerun on each in turn (the machine's load falls on both alike)."""
    from bench.loadtest import Session
    from deploy import servers

    procs, sessions = {}, {}
    try:
        for off in ("", "tcp_nodelay"):
            procs[off], url = _small_server(folder, off)
            Session(url).rerun()  # the first run installs the patch; later connections get it
            sessions[off] = Session(url)
            sessions[off].rerun()
        times = {off: [] for off in sessions}
        for _ in range(reruns):
            for off, s in sessions.items():
                times[off].append(s.rerun())
        return {("patch on" if not off else "patch off"): v for off, v in times.items()}
    finally:
        for s in sessions.values():
            s.close()
        for proc in procs.values():
            servers.stop_pid(proc.pid)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skip-server", action="store_true", help="leave out the TCP_NODELAY part")
    ap.add_argument("--rounds", type=int, default=3, help="page processes per mode, in turn")
    args = ap.parse_args(argv)
    repeat = 5 if args.quick else 11
    from data.imports import ensure_default
    from data.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        ensure_default(Store(store))
        rows = []
        empty = page_rerun("empty", store, "", repeat)
        modes = ("", "vega_spec", "freeze_deck_json")
        for page in ("overview", "region"):
            # the modes in turn, ``rounds`` times: a busy spell of the machine falls on each
            got = {off: [] for off in modes}
            for _ in range(args.rounds):
                for off in modes:
                    got[off].append(page_rerun(page, store, off, repeat))
            base = statistics.median(got[""])
            for off in modes:
                rows.append((page, off or "- (all on)", statistics.median(got[off]), base))
        empty = statistics.median([empty, page_rerun("empty", store, "", repeat)])
        print(f"Empty Streamlit page, warm rerun median: {empty * 1000:.1f} ms (AppTest)\n")
        print("| page | patch off | warm rerun (ms) | × empty page | × all patches on |")
        print("|---|---|---:|---:|---:|")
        for page, off, t, base in rows:
            print(f"| {page} | {off} | {t * 1000:.1f} | {t / empty:.2f} | {t / base:.2f} |")
        print()
        conv = conversions(store, repeat)
        print("| one conversion | median (ms) |\n|---|---:|")
        for k, v in conv.items():
            print(f"| {k} | {v * 1000:.2f} |")
        if not args.skip_server:
            got = nodelay(Path(tmp), 30 if args.quick else 100)
            on = statistics.median(got["patch on"])
            print("\n| TCP_NODELAY (real server, a five-element page) | rerun median (ms) | × patch on "
                  "| reruns over 30 ms |")
            print("|---|---:|---:|---:|")
            for k, v in got.items():
                print(f"| {k} | {statistics.median(v) * 1000:.1f} | {statistics.median(v) / on:.2f} "
                      f"| {sum(x > 0.03 for x in v)}/{len(v)} |")


if __name__ == "__main__":
    main()
