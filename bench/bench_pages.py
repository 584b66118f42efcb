"""Server-side time of a full rerun of each page, as a multiple of an empty page's rerun.

Each page is opened through app.py with AppTest (the sidebar and page together, as a
browser session runs them), then rerun ``--repeat`` times; the median of those warm reruns
is divided by the median rerun of an empty Streamlit script measured the same way in the
same process. Two stores: the default (demo) data and a generated store with 1,000 regions
(the demo framework of 61 indicators, random answers, ~4 % missing, two editions, TCN/BIP),
published through ``data.store.Store.publish``. The first run after opening a page (cold:
caches filled for this data version) is shown too.

"First view of a region" is what a visitor waits for when picking a region nobody has looked
at in this server process yet: on the 1,000-region store, the Region page is opened (its
default region, warm), then the Region picker is set to regions not yet viewed, one after the
other; each of those runs is timed (median of ``--regions-viewed``), in seconds and as a
multiple of the empty page. Whatever the app caches per version (or computes at publish) is
then already there; what is per region is not.

    python bench/bench_pages.py                      # 7 repeats, 7 first views
    python bench/bench_pages.py --quick              # 3 repeats, 3 first views, 1,000 regions still
    python bench/bench_pages.py --json out.json      # the figures as JSON too
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.demo import build_demo  # noqa: E402
from data.imports import derive, ensure_default  # noqa: E402
from data.schema import TABLE_ORDER, empty_frame, parse_answers, split_list  # noqa: E402
from data.store import Store  # noqa: E402

# The page caches are warmed in the background when a version is loaded (MIPEXR_WARM);
# here that would run during the timings of the next pages. Off: each page's own first run
# and reruns are measured alone.
os.environ.setdefault("MIPEXR_WARM", "0")

PAGES = ["overview", "region", "compare", "gaps", "methodology", "practices"]


def synthetic_tables(n_regions: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    demo = derive(build_demo())
    ind = demo["indicators"]
    regions = pd.DataFrame({
        "region_id": [f"X{i:04d}" for i in range(n_regions)],
        "name": [f"Synthetic region {i}" for i in range(n_regions)],
        "country": rng.choice(["AT", "BE", "DE", "IT", "PT", "ES", "SE"], n_regions),
        "level": "NUTS2", "parent_id": None,
        "lat": rng.uniform(36, 60, n_regions), "lon": rng.uniform(-9, 20, n_regions),
        "nuts_version": 2021})
    frames = []
    for row in ind.itertuples():
        codes = list(parse_answers(row.answers))
        for group in split_list(row.target_groups):
            for edition in (2021, 2024):
                ans = rng.choice(codes, n_regions).astype(object)
                ans[rng.random(n_regions) < 0.04] = None
                frames.append(pd.DataFrame({
                    "region_id": regions["region_id"], "indicator_id": row.indicator_id,
                    "target_group": group, "edition": edition, "answer": ans}))
    scores = pd.concat(frames, ignore_index=True)
    scores = scores[scores["answer"].notna()]
    return {"regions": regions, "indicators": ind, "scores": scores,
            "practices": empty_frame("practices"), "outcomes": empty_frame("outcomes")}


def make_stores(tmp: Path, n_regions: int) -> dict[str, Path]:
    """The default data (as a first start publishes it) and the synthetic store, both
    published through the store's public API, so that whatever publishing computes and
    stores with a version is there as it would be in production."""
    default = tmp / "default"
    ensure_default(Store(default))
    big = tmp / f"big{n_regions}"
    store = Store(big)
    store.publish(synthetic_tables(n_regions), base_version=store.current_id(), who="bench",
                  note="synthetic", illustrative=dict.fromkeys(TABLE_ORDER, True))
    return {"default data": default, f"{n_regions:,} regions": big}


def time_runs(at, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        at.run()
        out.append(time.perf_counter() - t0)
        if at.exception:
            raise RuntimeError(at.exception[0].value)
    return out


def bench_page(page: str, store: Path, repeat: int) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    os.environ["MIPEXR_STORE"] = str(store)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    at.switch_page(f"pages/{page}.py")
    cold = time_runs(at, 1)[0]
    return cold, statistics.median(time_runs(at, repeat))


def _region_picker(at):
    """The Region page's region selectbox (label "Region", the page's first selectbox)."""
    boxes = [b for b in at.selectbox if b.label == "Region"]
    if not boxes:
        raise RuntimeError("no 'Region' selectbox on the Region page")
    return boxes[0]


def bench_first_views(store: Path, n: int, seed: int = 3) -> list[float]:
    """Seconds of the first run of the Region page for ``n`` regions never viewed in this
    process: open the page (its default region, run twice so the page itself is warm),
    then pick other regions one at a time through the page's own picker."""
    import random

    from streamlit.testing.v1 import AppTest

    os.environ["MIPEXR_STORE"] = str(store)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    at.switch_page("pages/region.py")
    time_runs(at, 2)
    picker = _region_picker(at)
    # AppTest lists a selectbox's options as shown (after format_func); set_value wants
    # the region id behind the label.
    regions = Store(store).tables(Store(store).current_id())["regions"]["region_id"]
    by_label = {picker.format_func(r): r for r in regions}
    candidates = [by_label[o] for o in picker.options if o in by_label and by_label[o] != picker.value]
    rng = random.Random(seed)
    out = []
    for region in rng.sample(candidates, min(n, len(candidates))):
        _region_picker(at).set_value(region)
        out.append(time_runs(at, 1)[0])
        if _region_picker(at).value != region:
            raise RuntimeError(f"the Region page did not switch to {region}")
    return out


def bench_empty(repeat: int) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string("import streamlit as st\n", default_timeout=60)
    at.run()
    return statistics.median(time_runs(at, repeat))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    ap.add_argument("--regions", type=int, default=1000)
    ap.add_argument("--regions-viewed", type=int, default=None,
                    help="first views of a region to time (default 7, --quick 3)")
    ap.add_argument("--json", type=Path, help="also write the figures here as JSON")
    ap.add_argument("--pages", nargs="+", choices=PAGES, default=PAGES,
                    help="only these pages (default: all)")
    args = ap.parse_args(argv)
    repeat = 3 if args.quick else 7
    n_views = args.regions_viewed or (3 if args.quick else 7)
    from ui import compat

    # AppTest re-detects Streamlit's old pages-folder mode before every run; the app uses
    # st.navigation, and so does every AppTest here (as in tests/conftest.py)
    pages = [p for p in args.pages if (ROOT / "pages" / f"{p}.py").exists()]
    with compat.apptest_navigation(), tempfile.TemporaryDirectory() as tmp:
        stores = make_stores(Path(tmp), args.regions)
        empty = bench_empty(max(repeat, 5))
        rows, views = [], []
        for label, path in stores.items():
            for page in pages:
                cold, warm = bench_page(page, path, repeat)
                rows.append((page, label, cold, warm))
            if label != "default data" and "region" in pages:
                views = bench_first_views(path, n_views)
        empty = statistics.median([empty, bench_empty(max(repeat, 5))])
    print(f"Empty Streamlit page, median rerun: {empty * 1000:.1f} ms "
          f"({repeat} warm reruns per page, AppTest, this machine)\n")
    print("| page | data | first run (ms) | warm rerun, median (ms) | × empty page |")
    print("|---|---|---:|---:|---:|")
    for page, label, cold, warm in rows:
        print(f"| {page} | {label} | {cold * 1000:.0f} | {warm * 1000:.0f} | "
              f"{warm / empty:.1f} |")
    first = statistics.median(views) if views else None
    if views:
        print(f"\nFirst view of a region, {args.regions:,} regions (Region page, a region not "
              f"yet viewed in this process, median of {len(views)}): {first:.3f} s = "
              f"{first / empty:.1f} × empty page (each: "
              f"{', '.join(f'{v:.3f}' for v in views)} s)")
    if args.json:
        payload = {
            "empty_page_ms": round(empty * 1000, 2), "repeat": repeat, "regions": args.regions,
            "pages": [{"page": page, "data": label, "first_run_ms": round(cold * 1000, 1),
                       "warm_rerun_ms": round(warm * 1000, 1),
                       "x_empty": round(warm / empty, 2)} for page, label, cold, warm in rows],
            "first_view_region": None if not views else {
                "regions": args.regions, "n": len(views), "median_s": round(first, 4),
                "each_s": [round(v, 4) for v in views], "x_empty": round(first / empty, 2)},
        }
        args.json.write_text(json.dumps(payload, indent=1))


if __name__ == "__main__":
    main()
