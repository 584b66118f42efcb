"""Benchmarks of the data foundation, each as a ratio to plain DuckDB in the same run.

1. Validation + publish of a scores CSV (1,000,000 rows by default) against DuckDB's own
   ``read_csv`` → ``COPY … TO parquet`` of the same file.
2. Opening the store and answering "overall score per region" on regions × 60 indicators ×
   2 groups × 2 editions (100,000 regions = 24M rows by default) against the same query in
   plain DuckDB on the same Parquet files.

    python bench/bench_store.py [--quick] [--rows N] [--regions N] [--repeat K]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data.config import Settings  # noqa: E402
from data.imports import Upload, plan_import, publish_plan  # noqa: E402
from data.query import OVERALL_SQL, Reader  # noqa: E402
from data.store import Store  # noqa: E402

AREAS = ["labour market", "education", "health", "housing", "language", "vocational training",
         "social security", "culture & religion", "anti-discrimination"]
PHASES = ["formulation", "output", "implementation", "evaluation"]


def framework(n_ind=60):
    ids = [f"I{i:02d}" for i in range(n_ind)]
    return pd.DataFrame({
        "indicator_id": ids, "label": ids, "question": "?", "area": [AREAS[i % 9] for i in range(n_ind)],
        "phase": [PHASES[i % 4] for i in range(n_ind)], "system": "actions",
        "target_groups": "TCN;BIP", "answers": "A=100;B=50;C=0", "weight": 1.0, "kind": "policy",
        "direction": 1, "unit": "points", "source": "bench"})


def region_frame(n):
    ids = [f"R{i:06d}" for i in range(n)]
    return pd.DataFrame({"region_id": ids, "name": ids, "country": "ES", "level": "LAU",
                         "parent_id": None, "lat": 40.0, "lon": -3.0, "nuts_version": None})


def scores_frame(regions, indicators, rows=None, seed=1):
    rng = np.random.default_rng(seed)
    r, i, g, e = np.meshgrid(np.arange(len(regions)), np.arange(len(indicators)), [0, 1], [0, 1],
                             indexing="ij")
    r, i, g, e = r.ravel(), i.ravel(), g.ravel(), e.ravel()
    if rows:
        r, i, g, e = r[:rows], i[:rows], g[:rows], e[:rows]
    return pd.DataFrame({
        "region_id": np.asarray(regions["region_id"])[r], "indicator_id": np.asarray(indicators["indicator_id"])[i],
        "target_group": np.array(["TCN", "BIP"])[g], "edition": np.array([2021, 2024])[e],
        "answer": np.array(["A", "B", "C"])[rng.integers(0, 3, len(r))],
        "value": "", "note": "", "source": ""})


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_publish(rows, repeat, tmp: Path):
    indicators = framework()
    n_regions = -(-rows // 240)
    regions = region_frame(n_regions)
    csv = tmp / "scores.csv"
    scores_frame(regions, indicators, rows).to_csv(csv, index=False)
    content = csv.read_bytes()
    settings = Settings(tmp / "store", keep_versions=2, max_upload_bytes=2**31, max_rows=10**8)

    def fresh_store():
        shutil.rmtree(settings.store_path, ignore_errors=True)
        store = Store(settings.store_path, 2)
        plan = plan_import(store, [Upload("r.csv", regions.to_csv(index=False).encode(), "regions"),
                                   Upload("i.csv", indicators.to_csv(index=False).encode(), "indicators")],
                           settings)
        publish_plan(store, plan, who="bench")
        return store

    def ours():
        store = fresh_store()
        t0 = time.perf_counter()
        plan = plan_import(store, [Upload("scores.csv", content, "scores")], settings)
        assert plan.ok, plan.problems.head()
        publish_plan(store, plan, who="bench")
        return time.perf_counter() - t0

    def duck():
        out = tmp / "duck.parquet"
        con = duckdb.connect()
        con.execute("COPY (SELECT * FROM read_csv(?)) TO '" + str(out) + "' (FORMAT parquet)", [str(csv)])
        con.close()

    t_ours = statistics.median(ours() for _ in range(repeat))
    t_duck = timed(duck, repeat)
    return t_ours, t_duck


def bench_overall(n_regions, repeat, tmp: Path):
    indicators = framework()
    regions = region_frame(n_regions)
    store = Store(tmp / "big", 2)
    tables = {"regions": regions.astype({"parent_id": "str"}), "indicators": indicators,
              "scores": scores_frame(regions, indicators).assign(
                  value=lambda d: d["answer"].map({"A": 100.0, "B": 50.0, "C": 0.0})),
              "practices": pd.DataFrame(columns=["practice_id"]),
              "outcomes": pd.DataFrame(columns=["region_id", "measure", "group", "year"])}
    from data.schema import TABLE_ORDER, empty_frame

    for t in TABLE_ORDER:
        if t not in tables or tables[t].empty:
            tables[t] = empty_frame(t)
    store.publish(tables, base_version=None, who="bench")
    n_rows = len(tables["scores"])
    del tables

    def ours():
        reader = Reader(Store(store.root), None)
        out = reader.overall_by_region(2024, "TCN")
        reader.close()
        return out

    def plain():
        con = duckdb.connect()
        vdir = store.version_dir(store.current_id())
        for t in ("scores", "indicators"):
            con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{vdir / (t + '.parquet')}')")
        out = con.execute(OVERALL_SQL, [2024, "TCN"]).df()
        con.close()
        return out

    assert len(ours()) == n_regions
    return n_rows, timed(ours, repeat), timed(plain, repeat)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--regions", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    if args.quick:
        args.rows, args.regions, args.repeat = 50_000, 2_000, 2
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        t_ours, t_duck = bench_publish(args.rows, args.repeat, tmp)
        n_rows, q_ours, q_plain = bench_overall(args.regions, args.repeat, tmp)
    print("| benchmark | ours (s) | plain DuckDB (s) | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| validate + publish {args.rows:,}-row scores CSV | {t_ours:.2f} | {t_duck:.2f} "
          f"(read_csv → COPY parquet) | {t_ours / t_duck:.2f}× |")
    print(f"| open store + overall per region, {n_rows:,} rows | {q_ours:.3f} | {q_plain:.3f} | "
          f"{q_ours / q_plain:.2f}× |")


if __name__ == "__main__":
    main()
