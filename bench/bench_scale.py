"""The app at municipality scale: a store of 100,000 units, served, opened in Chromium.

A synthetic store is generated with NumPy (the 61 indicators of the demo framework, editions
2021 and 2024, TCN/BIP where an indicator has them, ~4 % of answers missing; units at LAU
level with NUTS-like ids and a country) and published through the store's public API
(``open_store().publish``, so whatever publishing computes for a version is computed, as in
production). Then ``streamlit run app.py`` serves it (deploy/'s serving settings,
``MIPEXR_BOUNDARIES=off``) and Chromium opens the Overview, then a region page, each timed
until the page is idle (as bench/bench_click.py waits: the run's "script finished" message,
then no running state, skeleton or status widget), within ``--timeout`` seconds each.

Reported: time to generate and publish, time to the first page (the Overview, cold server)
and to a region page, each ÷ the same load of an empty Streamlit page on a second server in
the same run; and the server's memory: peak resident size (``VmHWM`` of /proc/<pid>/status)
and resident size at the end. A page that does not arrive in time is reported as "did not
serve within N s" with the memory reached so far: that is a figure too.

    python bench/bench_scale.py                    # 100,000 units, 300 s per page
    python bench/bench_scale.py --quick            # 10,000 units, 120 s per page
    python bench/bench_scale.py --units 30000 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import bench_click as bc  # noqa: E402

COUNTRIES = ["AT", "BE", "DE", "ES", "FR", "IT", "NL", "PL", "PT", "SE"]
EDITIONS = (2021, 2024)


def synthetic_units(n_units: int, seed: int = 11) -> dict[str, pd.DataFrame]:
    """The demo framework's indicators with ``n_units`` LAU-level units, generated in
    vectorised NumPy (one array per column, no per-row Python)."""
    from data.demo import build_demo
    from data.imports import derive
    from data.schema import empty_frame, parse_answers, split_list

    rng = np.random.default_rng(seed)
    ind = derive(build_demo())["indicators"]
    country = rng.choice(COUNTRIES, n_units)
    nuts3 = rng.integers(1, 10, n_units)
    ids = np.char.add(np.char.add(country.astype("U2"), np.char.mod("%d", nuts3)),
                      np.char.mod("%06d", np.arange(n_units)))
    regions = pd.DataFrame({
        "region_id": ids, "name": np.char.add("Municipality ", np.char.mod("%06d", np.arange(n_units))),
        "country": country, "level": "LAU", "parent_id": None,
        "lat": rng.uniform(36, 60, n_units), "lon": rng.uniform(-9, 24, n_units),
        "nuts_version": 2021})
    # Columns as integer codes, made categorical at the end: at 100,000 units (~24M rows)
    # object arrays of strings would cost gigabytes before the store even sees them.
    all_codes = sorted({c for text in ind["answers"] for c in parse_answers(text)})
    groups = sorted({g for text in ind["target_groups"] for g in split_list(text)})
    cols = {k: [] for k in ("unit", "indicator", "group", "edition", "answer", "value")}
    for i, row in enumerate(ind.itertuples()):
        answers = parse_answers(row.answers)
        codes = np.array([all_codes.index(c) for c in answers], dtype=np.int16)
        values = np.array(list(answers.values()), dtype=float)
        for group in split_list(row.target_groups):
            for edition in EDITIONS:
                keep = np.flatnonzero(rng.random(n_units) >= 0.04).astype(np.int32)
                pick = rng.integers(0, len(codes), len(keep))
                cols["unit"].append(keep)
                cols["indicator"].append(np.full(len(keep), i, dtype=np.int16))
                cols["group"].append(np.full(len(keep), groups.index(group), dtype=np.int8))
                cols["edition"].append(np.full(len(keep), edition, dtype=np.int64))
                cols["answer"].append(codes[pick])
                cols["value"].append(values[pick])
    flat = {k: np.concatenate(v) for k, v in cols.items()}
    scores = pd.DataFrame({
        "region_id": pd.Categorical.from_codes(flat["unit"], categories=ids),
        "indicator_id": pd.Categorical.from_codes(flat["indicator"],
                                                  categories=ind["indicator_id"].tolist()),
        "target_group": pd.Categorical.from_codes(flat["group"], categories=groups),
        "edition": flat["edition"],
        "answer": pd.Categorical.from_codes(flat["answer"], categories=all_codes),
        "value": flat["value"]})
    return {"regions": regions, "indicators": ind, "scores": scores,
            "practices": empty_frame("practices"), "outcomes": empty_frame("outcomes")}


def publish_units(store_path: Path, n_units: int) -> tuple[float, float, int, str]:
    """Generate and publish; (seconds generating, seconds publishing, score rows, a unit's id
    for the region page)."""
    from data.config import settings
    from data.schema import TABLE_ORDER
    from data.backends import open_store

    t0 = time.perf_counter()
    tables = synthetic_units(n_units)
    t1 = time.perf_counter()
    old = os.environ.get("MIPEXR_STORE")
    os.environ["MIPEXR_STORE"] = str(store_path)
    try:
        store = open_store(cfg=settings())
        store.publish(tables, base_version=store.current_id(), who="bench",
                      note=f"synthetic, {n_units} units",
                      illustrative=dict.fromkeys(TABLE_ORDER, True))
    finally:
        if old is None:
            os.environ.pop("MIPEXR_STORE", None)
        else:
            os.environ["MIPEXR_STORE"] = old
    return t1 - t0, time.perf_counter() - t1, len(tables["scores"]), str(tables["regions"]["region_id"].iloc[n_units // 2])


def memory_kb(pid: int) -> dict[str, int]:
    """VmHWM (peak resident) and VmRSS of ``pid`` and its children, in kB (0 when gone)."""
    out = {"VmHWM": 0, "VmRSS": 0}
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                key = line.split(":", 1)[0]
                if key in out:
                    out[key] += int(line.split()[1])
        except OSError:
            pass
    return out


class MemoryGuard(threading.Thread):
    """Stops the server if its resident memory passes ``limit_mb``: on a shared machine a
    server that grows without bound must fail alone, not wake the kernel's OOM killer for
    everyone. Samples every half second (a monitor, not a wait of the benchmark)."""

    def __init__(self, proc, limit_mb: float):
        super().__init__(daemon=True)
        self.proc, self.limit_kb = proc, limit_mb * 1024
        self.tripped_mb: int | None = None
        self.tripped_after_s: float | None = None
        self.started = time.perf_counter()
        self.peak_kb = 0  # the highest VmHWM seen: a stopped process's own is gone
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.5) and self.proc.poll() is None:
            mem = memory_kb(self.proc.pid)
            rss, self.peak_kb = mem["VmRSS"], max(self.peak_kb, mem["VmHWM"])
            if rss > self.limit_kb:
                self.tripped_mb = round(rss / 1024)
                self.tripped_after_s = round(time.perf_counter() - self.started, 1)
                bc.stop(self.proc)
                return


def load_page(browser, url: str, timeout_s: float) -> tuple[float | None, str]:
    """Seconds until ``url`` is idle in a fresh tab, or (None, why) past ``timeout_s``."""
    page = bc.new_page(browser)
    try:
        took = bc.open_url(page, url, timeout_s * 1000)
        errors = page.query_selector_all('[data-testid="stException"]')
        return took, (f"{len(errors)} exception box(es) on the page" if errors else "")
    except Exception as exc:  # noqa: BLE001 — a timeout is the figure, not a crash
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    finally:
        page.context.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10,000 units, 120 s per page")
    ap.add_argument("--units", type=int, default=None, help="units in the store (default 100,000)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds a page may take")
    ap.add_argument("--max-rss-mb", type=float, default=8000,
                    help="stop the server past this resident size (default 8,000 MB)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    units = args.units or (10_000 if args.quick else 100_000)
    timeout = args.timeout or (120 if args.quick else 300)
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="mipexr-scale-"))
    result = {"units": units, "timeout_s": timeout}
    procs = []
    try:
        store_path = folder / "store"
        gen_s, pub_s, rows, region = publish_units(store_path, units)
        result.update(generate_s=round(gen_s, 1), publish_s=round(pub_s, 1), score_rows=rows,
                      region=region)
        empty_app = folder / "empty_app.py"
        empty_app.write_text(bc.EMPTY_APP)
        base_proc, base_url = bc.start_streamlit(empty_app, {}, folder / "empty.log")
        procs.append(base_proc)
        env = {"MIPEXR_STORE": str(store_path), "MIPEXR_BOUNDARIES": "off"}
        t0 = time.perf_counter()
        app_proc, app_url = bc.start_streamlit(ROOT / "app.py", env, folder / "app.log",
                                               timeout=timeout)
        procs.append(app_proc)
        result["server_start_s"] = round(time.perf_counter() - t0, 1)
        guard = MemoryGuard(app_proc, args.max_rss_mb)
        guard.start()
        with sync_playwright() as pw:
            browser = bc.launch(pw)
            base_first, _ = load_page(browser, base_url + "/", 60)
            base_region, _ = load_page(browser, base_url + "/region", 60)
            result["baseline_first_page_s"] = round(base_first, 3)
            result["baseline_region_page_s"] = round(base_region, 3)
            first, why = load_page(browser, app_url + "/", timeout)
            result["first_page_s"] = None if first is None else round(first, 2)
            result["first_page_note"] = why
            mem = memory_kb(app_proc.pid)
            result["rss_after_first_page_mb"] = round(mem["VmRSS"] / 1024)
            if first is not None:
                reg, why = load_page(browser, f"{app_url}/region?region={region}", timeout)
                result["region_page_s"] = None if reg is None else round(reg, 2)
                result["region_page_note"] = why
            browser.close()
        guard.done.set()
        guard.join()
        mem = memory_kb(app_proc.pid)
        result["server_rss_peak_mb"] = round(max(mem["VmHWM"], guard.peak_kb) / 1024)
        result["server_rss_end_mb"] = round(mem["VmRSS"] / 1024)
        result["server_alive"] = app_proc.poll() is None
        result["stopped_at_rss_limit_mb"] = guard.tripped_mb
        result["stopped_after_s"] = guard.tripped_after_s
    finally:
        for proc in procs:
            bc.stop(proc)
        shutil.rmtree(folder, ignore_errors=True)

    print(f"Store of {units:,} units ({result['score_rows']:,} score rows): generated in "
          f"{result['generate_s']} s, published in {result['publish_s']} s; server up in "
          f"{result['server_start_s']} s\n")
    print("| what | app | empty Streamlit page (same run) | × empty |")
    print("|---|---:|---:|---:|")
    for key, base_key, label in (("first_page_s", "baseline_first_page_s", "first page (Overview)"),
                                 ("region_page_s", "baseline_region_page_s", "a region page")):
        value, base = result.get(key), result[base_key]
        if value is None:
            note = result.get(key.replace("_s", "_note"), "not tried (the first page did not serve)")
            if key not in result:
                shown = note
            elif result["stopped_at_rss_limit_mb"]:
                shown = (f"did not serve: the server passed --max-rss-mb "
                         f"({result['stopped_at_rss_limit_mb']:,} MB) after "
                         f"{result['stopped_after_s']} s and was stopped")
            else:
                shown = f"did not serve within {timeout:.0f} s ({note})"
            print(f"| {label} | {shown} | {base:.2f} s | — |")
        else:
            print(f"| {label} | {value:.2f} s | {base:.2f} s | {value / base:.1f} |")
    print(f"\nServer memory: peak resident (VmHWM) {result['server_rss_peak_mb']:,} MB, "
          f"resident at the end {result['server_rss_end_mb']:,} MB "
          f"(after the first page: {result['rss_after_first_page_mb']:,} MB); "
          f"server {'still running' if result['server_alive'] else 'NOT RUNNING'}")
    if result["stopped_at_rss_limit_mb"]:
        print(f"The server was stopped at {result['stopped_at_rss_limit_mb']:,} MB resident, "
              f"{result['stopped_after_s']} s after it started (limit --max-rss-mb "
              f"{args.max_rss_mb:,.0f}).")
    for key in ("first_page_note", "region_page_note"):
        if result.get(key):
            print(f"{key.split('_note')[0].replace('_', ' ')}: {result[key]}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
