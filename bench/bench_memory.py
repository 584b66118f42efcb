"""Memory given back: the server process's resident size around a large import and a rollback.

What a server does, in one process: the pages load the current version (its tables and
scoring cube, through the app's caches), a staff member imports a scores file of 1,000,000
rows and publishes it, the pages load the new version, then the staff member rolls back and
the pages load the restored version. The resident set size (RSS, from /proc) is printed
after each step, with the start as the baseline: memory held for versions no longer current
shows as the difference between "after the rollback" and "before the import".

    python bench/bench_memory.py [--quick] [--rows N]

``MIPEXR_CODE`` (a checkout's directory) runs the same steps on another checkout's code, to
compare a change with its base in the same run of the machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("MIPEXR_CODE", str(ROOT)))
sys.path.insert(1, str(ROOT / "bench"))
os.environ.setdefault("MIPEXR_WARM", "0")  # the page-cache warming thread is not measured


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--quick", action="store_true", help="100,000 rows")
    args = p.parse_args(argv)
    if args.quick:
        args.rows = 100_000

    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from data.config import Settings
    from data.imports import Upload, plan_import, publish_plan
    from data.store import Store
    from ui import state

    # after the code measured: bench_store puts this checkout first on the path
    from bench_store import framework, region_frame, scores_frame

    try:
        from data.memory import give_back
    except ImportError:  # a checkout from before it
        def give_back():
            pass

    def serve(store, version):
        """What the pages hold after a visit: the current version (read as a page run reads
        it), its tables and cube, via the caches."""
        assert state.version() == version
        state._all_tables(str(store.root), version)
        state._cube(str(store.root), version)

    rows: list[tuple[str, float]] = []

    def mark(what):
        gc.collect()
        rows.append((what, rss_mb()))

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(store_path=Path(tmp) / "store", max_upload_bytes=2**31,
                            max_rows=10**8)
        store = Store(settings.store_path)
        os.environ["MIPEXR_STORE"] = str(settings.store_path)  # the app's store, for ui.state
        n_regions = max(1, args.rows // 240)  # 60 indicators × 2 groups × 2 editions
        regions, indicators = region_frame(n_regions), framework()
        base_scores = scores_frame(regions, indicators, rows=1000)
        plan = plan_import(store, [
            Upload("r.csv", regions.to_csv(index=False).encode(), "regions"),
            Upload("i.csv", indicators.to_csv(index=False).encode(), "indicators"),
            Upload("s.csv", base_scores.to_csv(index=False).encode(), "scores")], settings)
        assert plan.ok, plan.problems.head().to_string()
        base = publish_plan(store, plan, who="bench")
        del plan
        content = scores_frame(regions, indicators, rows=args.rows, seed=2).to_csv(
            index=False).encode()
        mark("start (store of the base version, the file in memory)")
        serve(store, base)
        mark("pages serve the base version")
        plan = plan_import(store, [Upload("scores.csv", content, "scores")], settings)
        assert plan.ok, plan.problems.head().to_string()
        mark(f"import of {args.rows:,} rows planned (preview in memory)")
        big = publish_plan(store, plan, who="bench")
        del plan
        give_back()  # as the staff page does after a publish or a rollback
        mark("published; the preview forgotten")
        serve(store, big)
        mark("pages serve the new version")
        store.rollback(base, base_version=big, who="bench")
        give_back()
        serve(store, base)
        mark("rolled back; pages serve the base version again")
    import data

    print(f"code: {Path(data.__file__).resolve().parent.parent}; memory given back: "
          f"{give_back.__module__ == 'data.memory'}")
    start = rows[1][1]
    print(f"{'step':<62} {'RSS MB':>8} {'vs serving base':>16}")
    for what, mb in rows:
        print(f"{what:<62} {mb:8.0f} {mb - start:+16.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
