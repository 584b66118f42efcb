"""Benchmark of scoring/ against a straightforward pandas groupby implementation.

Run: python bench/bench_scoring.py [--quick]. Prints a Markdown table: case, ours (s),
baseline (s), ratio (baseline / ours; > 1 means ours is faster). Times are medians of
repeated runs in the same process. Data are generated (seeded), never read from disk.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scoring  # noqa: E402

N_IND, GROUPS, EDITIONS = 60, ("TCN", "BIP"), (2020, 2024)
AREAS = [f"area{k}" for k in range(8)]
PHASES = ["formulation", "output", "implementation", "evaluation"]


def make_indicators(n=N_IND):
    return pd.DataFrame({
        "indicator_id": [f"I{i:02d}" for i in range(n)], "label": "", "question": "",
        "area": [AREAS[i % 8] for i in range(n)], "phase": [PHASES[i % 4] for i in range(n)],
        "system": [("actions", "actors & relations", "resources")[i % 3] for i in range(n)],
        "target_groups": "TCN;BIP", "answers": "A=100;B=50;C=0", "weight": 1.0,
        "kind": "policy", "direction": 1, "unit": "points", "source": "bench"})


def make_scores(n_regions, seed=0, missing=0.1, answers=False):
    """Dense long table (every key present), ~10% of values missing, as categoricals."""
    rng = np.random.default_rng(seed)
    n = n_regions * N_IND * len(GROUPS) * len(EDITIONS)
    idx = np.arange(n)
    e = idx % len(EDITIONS)
    g = (idx // len(EDITIONS)) % len(GROUPS)
    i = (idx // (len(EDITIONS) * len(GROUPS))) % N_IND
    r = idx // (len(EDITIONS) * len(GROUPS) * N_IND)
    value = rng.choice(np.array([0.0, 50.0, 100.0]), n)
    value[rng.random(n) < missing] = np.nan
    reg = pd.Categorical.from_codes(r, [f"R{k:06d}" for k in range(n_regions)])
    out = pd.DataFrame({
        "region_id": reg,
        "indicator_id": pd.Categorical.from_codes(i, [f"I{k:02d}" for k in range(N_IND)]),
        "target_group": pd.Categorical.from_codes(g, list(GROUPS)),
        "edition": np.asarray(EDITIONS)[e], "value": value})
    if answers:
        out["answer"] = pd.Series(np.where(np.isnan(value), None,
                                           np.where(value == 100, "A",
                                                    np.where(value == 50, "B", "C"))),
                                  dtype="str")
        out["value"] = np.nan
    return out


def make_regions(n_regions):
    ids = [f"R{k:06d}" for k in range(n_regions)]
    return pd.DataFrame({"region_id": ids, "country": [f"C{k % 7}" for k in range(n_regions)]})


# ---- baseline: the same aggregation written the obvious pandas way -------------------------

def baseline_aggregate(scores, indicators, threshold=0.5):
    """Area, phase and overall means with coverage, by groupby (no ALL group)."""
    meta = indicators.set_index("indicator_id")
    s = scores.assign(area=scores["indicator_id"].astype(str).map(meta["area"]),
                      phase=scores["indicator_id"].astype(str).map(meta["phase"]))
    keys = ["region_id", "target_group", "edition"]
    out = {}
    for axis in ("area", "phase"):
        total = meta.groupby(axis).size().rename("n_total")
        agg = (s.groupby(keys + [axis], observed=True)["value"]
               .agg(score="mean", n_present="count").reset_index())
        agg = agg.merge(total.reset_index(), on=axis)
        agg["coverage"] = agg["n_present"] / agg["n_total"]
        agg.loc[agg["coverage"] < threshold, "score"] = np.nan
        out[axis] = agg
    ov = out["area"].groupby(keys, observed=True)["score"].agg(score="mean",
                                                               n_present="count").reset_index()
    ov["coverage"] = ov["n_present"] / len(AREAS)
    ov.loc[ov["coverage"] < threshold, "score"] = np.nan
    out["overall"] = ov
    return out


def ours_aggregate(cube, regions=None):
    return (scoring.aggregate(cube, by="area"), scoring.aggregate(cube, by="phase"),
            scoring.overall(cube, regions=regions))


def baseline_profile(area, regions, region_id, peer_list, k=5):
    """Gaps of one region against all / country / list / similar peers, plain pandas."""
    t = area[(area["target_group"] == "TCN") & (area["edition"] == 2024)]
    t = t.assign(region_id=t["region_id"].astype(str), area=t["area"].astype(str))
    wide = t.pivot(index="region_id", columns="area", values="score")
    diff = (wide - wide.loc[region_id]) ** 2
    dist = np.sqrt(diff.sum(axis=1, min_count=1)).drop(region_id).sort_values()
    country = regions.set_index("region_id")["country"]
    groups = {"all": list(dist.index),
              "country": [r for r in dist.index if country[r] == country[region_id]],
              "list": peer_list, "similar": list(dist.index[:k])}
    best = t.loc[t.groupby("area")["score"].idxmax(), ["area", "region_id", "score"]]
    own = t[t["region_id"] == region_id].set_index("area")["score"]
    rows = []
    for name, ids in groups.items():
        pm = t[t["region_id"].isin(ids)].groupby("area")["score"].mean()
        rows.append(pd.DataFrame({"score": own, "peer_mean": pm, "gap_peers": own - pm,
                                  "best": best.set_index("area")["score"],
                                  "peer_group": name}))
    return pd.concat(rows)


def baseline_robustness_draw(long_tcn, indicators, w, gw):
    """One weight draw scored the pandas way: weighted mean per area, then overall."""
    s = long_tcn.assign(w=long_tcn["indicator_id"].map(w))
    s = s[s["value"].notna()]
    s["wv"] = s["w"] * s["value"]
    a = s.groupby(["region_id", "area"], observed=True)[["wv", "w"]].sum()
    a["score"] = a["wv"] / a["w"]
    a = a.reset_index()
    a["gw"] = a["area"].map(gw)
    a["gs"] = a["gw"] * a["score"]
    o = a.groupby("region_id")[["gs", "gw"]].sum()
    return (o["gs"] / o["gw"]).rank(method="min", ascending=False)


def timeit(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    args = ap.parse_args(argv)
    small, large = (300, 5_000) if args.quick else (300, 100_000)
    rep_small, rep_large = (3, 1) if args.quick else (5, 3)
    draws = 100 if args.quick else 1000
    ind = make_indicators()
    rows = []

    for n, rep in ((small, rep_small), (large, rep_large)):
        sc = make_scores(n, answers=(n == small))
        regions = make_regions(n)
        cube = scoring.prepare(ind, sc)
        base_sc = sc.copy()
        if "answer" in base_sc:  # the baseline gets values already mapped: it does less
            base_sc["value"] = base_sc["answer"].map({"A": 100.0, "B": 50.0, "C": 0.0})
        ours = timeit(lambda: ours_aggregate(cube, regions), rep)
        prep = timeit(lambda: ours_aggregate(scoring.prepare(ind, sc), regions), rep)
        base = timeit(lambda: baseline_aggregate(base_sc, ind), rep)
        rows.append((f"area + phase + overall, {n:,} regions (cube built once)", ours, base))
        rows.append((f"prepare + area + phase + overall, {n:,} regions", prep, base))
        del cube, sc, base_sc

    sc = make_scores(small)
    regions = make_regions(small)
    cube = scoring.prepare(ind, sc)
    area = scoring.aggregate(cube, by="area")
    peer_list = ["R000001", "R000002", "R000003"]
    ours = timeit(lambda: scoring.profile(area, "R000000", "TCN", 2024, regions=regions,
                                          peer_list=peer_list, k=5), 9)
    base = timeit(lambda: baseline_profile(area, regions, "R000000", peer_list), 9)
    rows.append((f"one region's profile, gaps vs 4 peer groups, {small} regions", ours, base))

    ours = timeit(lambda: scoring.robustness(cube, "TCN", 2024, n_draws=draws, seed=1),
                  rep_small)
    long_tcn = sc[(sc["target_group"] == "TCN") & (sc["edition"] == 2024)].copy()
    long_tcn["indicator_id"] = long_tcn["indicator_id"].astype(str)
    long_tcn["area"] = long_tcn["indicator_id"].map(ind.set_index("indicator_id")["area"])
    rng = np.random.default_rng(0)
    n_base = 20  # the pandas loop is slow: time 20 draws, scale to the same count
    ids = ind["indicator_id"].tolist()

    def base_draws():
        for _ in range(n_base):
            for _method in ("mean", "geometric"):
                w = dict(zip(ids, rng.uniform(0.75, 1.25, len(ids))))
                gw = dict(zip(AREAS, rng.uniform(0.75, 1.25, len(AREAS))))
                baseline_robustness_draw(long_tcn, ind, w, gw)

    base = timeit(base_draws, rep_small) * draws / n_base
    rows.append((f"robustness, {draws:,} draws × 2 methods, {small} regions "
                 f"(baseline: {n_base} draws scaled)", ours, base))

    print("| case | ours s | baseline s | ratio |")
    print("|---|---:|---:|---:|")
    for case, o, b in rows:
        print(f"| {case} | {o:.4f} | {b:.4f} | {b / o:.1f}× |")


if __name__ == "__main__":
    main()
