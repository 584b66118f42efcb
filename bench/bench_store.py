"""Benchmarks of the data foundation, each as a ratio to plain DuckDB in the same run.

1. Validation + publish of a scores CSV (1,000,000 rows by default) against DuckDB's own
   ``read_csv`` → ``COPY … TO parquet`` of the same file.
2. Opening the store and answering "overall score per region" on regions × 60 indicators ×
   2 groups × 2 editions (100,000 regions = 24M rows by default) against the same query in
   plain DuckDB on the same Parquet files.
3. A municipality-scale store (issue 18): ``--units`` generated units (100,000 by default)
   in countries of unequal size with parent regions, 61 indicators, 2 editions, 2 groups
   (24M score rows). Times: the publish with its results (what ``python -m data init``
   does into an empty store) against plain DuckDB writing the same tables to Parquet; the
   results of a version published without them (:meth:`Store.ensure_results`, a first
   read); and the views' queries through :class:`data.query.Reader` — the overall top 50,
   one unit's results, one area's column — each against plain DuckDB reading the same
   results file with the same filter. Peak RSS of the process is reported.

    python bench/bench_store.py [--quick] [--rows N] [--regions N] [--units N] [--repeat K]
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


def unit_frame(n, seed=2):
    """``n`` units in 27 countries of unequal size (most above the 5,000 units the
    neighbour search takes as one pool), each in a parent region of ~400 units."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, 28) ** 0.8
    country = rng.choice(27, n, p=weights / weights.sum())
    order = np.argsort(country, kind="stable")
    parent = np.empty(n, np.int64)
    parent[order] = np.arange(n) // 400
    codes = np.array([f"C{i:02d}" for i in range(27)], dtype=object)
    ids = np.array([f"U{i:06d}" for i in range(n)], dtype=object)
    return pd.DataFrame({"region_id": ids, "name": ids, "country": codes[country], "level": "LAU",
                         "parent_id": np.array([f"P{p:04d}" for p in parent], dtype=object),
                         "lat": 40.0, "lon": -3.0, "nuts_version": None})


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_units(n_units, repeat, tmp: Path) -> list[tuple]:
    """The municipality-scale store: publish with results, results of an old version, and
    the views' queries, each with its plain-DuckDB baseline."""
    from data.schema import TABLE_ORDER, empty_frame
    from data.store import RESULTS_DIR, write_results

    indicators = framework(61)
    units = unit_frame(n_units)
    scores = scores_frame(units, indicators).assign(value=np.nan, note=None, source=None)
    tables = {t: empty_frame(t) for t in TABLE_ORDER}
    tables.update(regions=units.astype({"parent_id": "str"}), indicators=indicators,
                  scores=scores)
    rows = []
    store = Store(tmp / "units", 2)
    t0 = time.perf_counter()
    version = store.publish(tables, base_version=None, who="bench")
    t_publish = time.perf_counter() - t0
    vdir = store.version_dir(version)
    rss_publish = peak_rss_mb()

    def plain_write():
        con = duckdb.connect()
        for t in ("regions", "indicators", "scores"):
            frame = tables[t]  # noqa: F841 (read by DuckDB's replacement scan)
            con.execute(f"COPY (SELECT * FROM frame) TO '{tmp / (t + '.parquet')}' "
                        "(FORMAT parquet, COMPRESSION zstd)")
        con.close()

    t0 = time.perf_counter()
    plain_write()
    t_plain = time.perf_counter() - t0
    rows.append((f"publish {len(scores):,} score rows of {n_units:,} units with results "
                 "(= `data init` into an empty store)", t_publish, t_plain,
                 "DuckDB COPY of the same tables to Parquet"))
    del tables, scores  # what follows starts from the store, as a server would
    t0 = time.perf_counter()
    write_results(store.results_inputs(version), tmp / "again")  # = Store.ensure_results
    t_results = time.perf_counter() - t0
    rows.append(("results of a version published without them (read tables + compute + "
                 "write)", t_results, t_plain, "DuckDB COPY of the same tables to Parquet"))
    res = vdir / RESULTS_DIR
    fw, group, edition, unit = "MIPEX-R", "TCN", 2024, f"U{n_units // 2:06d}"
    reader = Reader(store, version)
    plain = duckdb.connect()

    def p(sql, params):
        return plain.execute(sql, params).df()

    cases = [
        ("overall top 50", lambda: reader.overall(fw, group, edition, limit=50),
         lambda: p(f"SELECT * FROM read_parquet('{res / 'res_ranks.parquet'}') WHERE "
                   "framework = ? AND target_group = ? AND edition = ? ORDER BY rank NULLS "
                   "LAST LIMIT 50", [fw, group, edition])),
        ("one unit's results", lambda: reader.unit_results(fw, unit, group, edition),
         lambda: p(f"SELECT * FROM read_parquet('{res / 'res_scores.parquet'}') WHERE "
                   "framework = ? AND region_id = ? AND target_group = ? AND edition = ?",
                   [fw, unit, group, edition])),
        ("one area's column", lambda: reader.axis_column(fw, "area", "health", group, edition),
         lambda: p(f"SELECT region_id, score, coverage FROM read_parquet('"
                   f"{res / 'res_scores.parquet'}') WHERE framework = ? AND axis = 'area' AND "
                   "key = ? AND target_group = ? AND edition = ?",
                   [fw, "health", group, edition])),
    ]
    for name, ours, base in cases:
        assert len(ours()) == len(base()) > 0, name
        rows.append((f"query: {name}", timed(ours, repeat), timed(base, repeat),
                     "plain DuckDB on the same results file"))
    reader.close()
    plain.close()
    return rows, rss_publish, peak_rss_mb(), store.manifest(version)["results"]["files"]


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
    p.add_argument("--units", type=int, default=100_000,
                   help="units of the municipality-scale store (0: skip it)")
    p.add_argument("--only-units", action="store_true", help="run only the municipality-scale part")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    if args.quick:
        args.rows, args.regions, args.units, args.repeat = 50_000, 2_000, 2_000, 2
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if args.units:
            (tmp / "u").mkdir()
            unit_rows, rss_pub, rss, files = bench_units(args.units, args.repeat, tmp / "u")
            print("| municipality-scale store | ours (s) | baseline (s) | ratio | baseline |")
            print("|---|---:|---:|---:|---|")
            for name, ours, base, what in unit_rows:
                print(f"| {name} | {ours:.3f} | {base:.3f} | {ours / base:.2f}× | {what} |")
            print(f"\nPeak RSS after the publish: {rss_pub:,.0f} MB; at the end: {rss:,.0f} MB. "
                  "Results rows: " + ", ".join(f"{k} {v['rows']:,}" for k, v in files.items())
                  + "\n")
            shutil.rmtree(tmp / "u", ignore_errors=True)
        if args.only_units:
            return
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
