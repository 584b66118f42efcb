"""Benchmark ui/compat.py's patches: each measured with and without, in the same run.

    python bench/bench_compat.py [--quick] [--skip-server]

1. ``vega_spec`` and ``freeze_deck_json``: warm reruns of the Overview (map + charts) and
   the Region profile (charts) in AppTest, default data, each in a fresh process with
   ``MIPEXR_COMPAT_OFF`` naming the patch turned off (``-`` = all patches on), against an
   empty Streamlit page. Plus the cost of one conversion: ``deck.to_json()`` of the
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
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

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

    def best(fn):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    return {"deck.to_json() of the Overview map": best(deck.to_json),
            "Altair → Vega-Lite, st.altair_chart's way (validated)": best(
                lambda: _convert_altair_to_vega_lite_spec(chart)),
            "Altair → Vega-Lite, compat.vega_spec (not validated)": best(lambda: compat.vega_spec(chart)),
            "map regions": len(matched)}


# ------------------------------------------------------------ 2. TCP_NODELAY, real servers

def nodelay(store: Path, rounds: int, per_round: int) -> dict[str, float]:
    from bench.loadtest import Session
    from deploy import servers

    procs, sessions = {}, {}
    try:
        for off in ("", "tcp_nodelay"):
            proc, port = servers.start_replica({k: v for k, v in _env(store, off).items()
                                                if k.startswith("MIPEXR")},
                                               Path(tempfile.gettempdir()) / f"bench-compat-{off or 'on'}.log")
            procs[off] = proc
            url = f"http://127.0.0.1:{port}"
            Session(url).rerun()  # the first run installs the patch; later connections get it
            s = Session(url)
            s.rerun()
            s.open_page("methodology")
            sessions[off] = s
        times = {off: [] for off in sessions}
        for _ in range(rounds):
            for off, s in sessions.items():
                for _ in range(per_round):
                    times[off].append(s.rerun())
        return {("patch on" if not off else "patch off"): statistics.median(v) for off, v in times.items()}
    finally:
        for s in sessions.values():
            s.close()
        for proc in procs.values():
            servers.stop_pid(proc.pid)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skip-server", action="store_true", help="leave out the TCP_NODELAY part")
    args = ap.parse_args(argv)
    repeat = 5 if args.quick else 11
    from data.imports import ensure_default
    from data.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        ensure_default(Store(store))
        rows = []
        empty = page_rerun("empty", store, "", repeat)
        for page in ("overview", "region"):
            base = page_rerun(page, store, "", repeat)
            rows.append((page, "- (all on)", base, base))
            for off in ("vega_spec", "freeze_deck_json"):
                rows.append((page, off, page_rerun(page, store, off, repeat), base))
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
            print(f"| {k} | {v:.0f} |" if k == "map regions" else f"| {k} | {v * 1000:.2f} |")
        if not args.skip_server:
            got = nodelay(store, 3 if args.quick else 5, 10)
            print("\n| TCP_NODELAY (real server, Methodology rerun) | median (ms) | × patch on |")
            print("|---|---:|---:|")
            for k, v in got.items():
                print(f"| {k} | {v * 1000:.1f} | {v / got['patch on']:.2f} |")


if __name__ == "__main__":
    main()
