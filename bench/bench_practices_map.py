"""Benchmark the Integration Lab: map build + payload, full-text search, filters, gap ranking.

    python bench/bench_practices_map.py [--quick] [--n 100000] [--nuts DIR]

Builds on bench/bench_map.py (same regions: every NUTS region of the 1:20M files in DIR,
default ../shared/data/nuts, else generated points; same generated practices) and adds
text columns so that search has something to rank. The map is built the way the page
builds it (geo layers + ``ui.practices.tune_layers``), for 40 practices and for ``--n``
in the same run. Search: DuckDB fts (BM25) vs the pre-folded LIKE engine vs a plain
``ILIKE`` scan over the raw columns, same queries, same data. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_map  # noqa: E402

import geo  # noqa: E402
from data import practices as dp  # noqa: E402
from ui.practices import tune_layers  # noqa: E402

WORDS = ("housing refugees language course mentoring employers health mediators school training "
         "volunteers municipality desk counselling women youth skills recognition diploma rural "
         "agriculture interpreters discrimination network library café coaching entrepreneurship "
         "accommodation placement certificate validation newcomers tenants guarantee").split()
QUERIES = ["housing refugees", "mentoring", "language café", "diploma recognition", "zzzunknown"]


def vocabulary(rng, size=20_000):
    """Pseudo-words with Zipf-like frequencies; the topical WORDS sit at ranks 300-3,000, so
    each query word occurs in a few per cent of practices, as real words do."""
    syl = np.array(["ka", "lo", "mi", "re", "tu", "sa", "ne", "vo", "di", "pe", "ro", "gu", "fa", "zi"])
    words = ["".join(rng.choice(syl, 3)) + str(i) for i in range(size)]
    ranks = np.linspace(300, 3000, len(WORDS)).astype(int)
    for r, w in zip(ranks, WORDS):
        words[r] = w
    p = 1 / np.arange(1, size + 1) ** 1.05
    return np.array(words), p / p.sum()


def add_text(practices: pd.DataFrame, rng) -> pd.DataFrame:
    n = len(practices)
    vocab, prob = vocabulary(rng)

    def sentences(k):
        idx = rng.choice(len(vocab), size=(n, k), p=prob)
        return pd.Series([" ".join(r) for r in vocab[idx]])

    return practices.assign(title=sentences(6), summary=sentences(60), lessons_learnt=sentences(35),
                            transferability_tips=sentences(20),
                            target_groups=np.where(rng.random(n) < 0.5, "TCN;BIP", "BIP"),
                            authority_role=np.where(rng.random(n) < 0.5, "direct", "indirect"),
                            stakeholders="NGOs;employers", criteria="innovation", funding="AMIF",
                            start_year=rng.integers(2010, 2024, n), end_year=pd.NA)


def build_map(regions, boundaries, practices, scores):
    """As the page: countries, regions by score, practices (aggregated above 5,000)."""
    deck, _, layer = bench_map.build(regions, boundaries, practices, scores, geo.layers.MAX_POINTS)
    deck = tune_layers(deck)
    return deck, deck.to_json(), layer


def time_best(fn, repeats):
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def raw_ilike(con, query):
    words = dp.terms(query)
    cond = " OR ".join(["title ILIKE ? OR summary ILIKE ? OR lessons_learnt ILIKE ? "
                        "OR transferability_tips ILIKE ?"] * len(words))
    params = [f"%{w}%" for w in words for _ in range(4)]
    return con.execute(f"SELECT practice_id FROM docs WHERE {cond}", params).df()


def search_rows(practices, repeats):
    rows = []
    con = duckdb.connect()
    con.register("src", practices[["practice_id", *dp.SEARCH_COLUMNS]])
    con.execute("CREATE TABLE docs AS SELECT * FROM src")
    for engine in ("fts", "ilike"):
        t0 = time.perf_counter()
        ix = dp.SearchIndex(practices, engine=engine)
        build = time.perf_counter() - t0
        times, hits = [], []
        for q in QUERIES:
            t, res = time_best(lambda: ix.search(q), repeats)
            times.append(t)
            hits.append(len(res))
        rows.append((f"SearchIndex engine={engine} (ranked)", build, statistics.median(times), max(times), hits))
        ix.close()
    times, hits = [], []
    for q in QUERIES:
        t, res = time_best(lambda: raw_ilike(con, q), repeats)
        times.append(t)
        hits.append(len(res))
    rows.append(("plain ILIKE scan on raw columns (unranked)", 0.0, statistics.median(times), max(times), hits))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one repeat")
    ap.add_argument("--nuts", type=Path, default=bench_map.DEFAULT_NUTS)
    ap.add_argument("--n", type=int, default=100_000)
    args = ap.parse_args(argv)
    repeats = 1 if args.quick else 3
    rng = np.random.default_rng(7)
    regions, boundaries, source = bench_map.make_regions(args.nuts, rng)
    scores = np.where(rng.random(len(regions)) < 0.1, np.nan, rng.uniform(0, 100, len(regions)))
    small = add_text(bench_map.make_practices(regions, 40, rng), rng)
    big = add_text(bench_map.make_practices(regions, args.n, rng), rng)

    print(f"Regions: {len(regions):,} from {source}.\n")
    print("| map | practices | objects drawn | build + JSON (s) | deck JSON (KB) | practices layer (KB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, prac in (("40 practices", small), (f"{args.n:,} practices (aggregated)", big)):
        t, (deck, spec, layer) = time_best(lambda: build_map(regions, boundaries, prac, scores), repeats)
        print(f"| {label} | {len(prac):,} | {len(layer.data):,} | {t:.2f} | {len(spec.encode()) / 1024:,.0f} "
              f"| {geo.payload_bytes(layer) / 1024:,.0f} |")

    print(f"\nSearch over {args.n:,} practices (title, summary, lessons, tips; "
          f"~{big[list(dp.SEARCH_COLUMNS)].apply(lambda c: c.str.len()).sum(axis=1).mean():.0f} characters each), "
          f"queries {QUERIES}:\n")
    print("| method | index build (s) | median query (ms) | slowest query (ms) | hits per query |")
    print("|---|---:|---:|---:|---|")
    for name, build, med, worst, hits in search_rows(big, repeats):
        print(f"| {name} | {build:.2f} | {med * 1000:.0f} | {worst * 1000:.0f} | {hits} |")

    f = dp.Filters(areas=("housing", "health"), target_groups=("BIP",), years=(2015, 2020))
    t, mask = time_best(lambda: dp.filter_mask(big, f), repeats)
    print(f"\nFacet filters (2 areas, target group, years) on {args.n:,} practices: {t * 1000:.0f} ms, "
          f"{int(mask.sum()):,} kept.")
    area_table = pd.DataFrame([(r, "BIP", 2024, a, s) for r, s0 in zip(regions["region_id"], scores)
                               for a, s in zip(bench_map.AREAS, rng.uniform(0, 100, len(bench_map.AREAS)))],
                              columns=["region_id", "target_group", "edition", "area", "score"])
    target = regions["region_id"].iloc[len(regions) // 2]
    t, res = time_best(lambda: dp.gap_suggestions(big, regions, area_table, target, target_group="BIP",
                                                  edition=2024), repeats)
    print(f"Practices for my gaps ({len(regions):,} regions × {len(bench_map.AREAS)} areas, {args.n:,} "
          f"practices): {t * 1000:.0f} ms, {len(res.practices):,} suggestions for {target}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
