"""Benchmark the map: time to build it and the size of its JSON, few vs many practices.

    python bench/bench_map.py [--quick] [--nuts DIR]

Regions are all NUTS regions of the 1:20M files (levels 0 and 2) in DIR (default
../shared/data/nuts) when present, else generated points. Practices are generated with
coordinates near their region. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import geo  # noqa: E402

AREAS = ["labour market", "education", "health", "housing", "language", "vocational training",
         "social security", "culture & religion", "anti-discrimination"]
DEFAULT_NUTS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "nuts"


def make_regions(nuts_dir: Path, rng) -> tuple[pd.DataFrame, object, str]:
    files = [f for f in geo.discover_files(nuts_dir) if f.scale == "20M" and f.level in (0, 2)]
    if files:
        b = geo.load_boundaries([f.path for f in files])
        pts = b.geometry.representative_point()
        regions = pd.DataFrame({"region_id": b["NUTS_ID"], "name": b["NAME_LATN"], "country": b["CNTR_CODE"],
                                "level": "NUTS" + b["LEVL_CODE"].astype(str), "lat": pts.y, "lon": pts.x,
                                "nuts_version": b["nuts_year"]})
        return regions, b, ", ".join(sorted({f.label for f in files}))
    n = 1800
    regions = pd.DataFrame({"region_id": [f"R{i:04d}" for i in range(n)], "name": [f"Region {i}" for i in range(n)],
                            "country": "XX", "level": "NUTS2", "lat": rng.uniform(36, 68, n),
                            "lon": rng.uniform(-10, 30, n), "nuts_version": 2024})
    return regions, None, f"{n} generated points (no boundary files)"


def make_practices(regions: pd.DataFrame, n: int, rng) -> pd.DataFrame:
    idx = rng.integers(0, len(regions), n)
    first = rng.integers(0, len(AREAS), n)
    second = rng.integers(0, len(AREAS), n)
    areas = np.where(rng.random(n) < 0.5, np.array(AREAS)[first],
                     np.char.add(np.char.add(np.array(AREAS)[first], ";"), np.array(AREAS)[second]))
    return pd.DataFrame({
        "practice_id": [f"P{i:06d}" for i in range(n)],
        "title": [f"Practice {i} <b>&</b>" for i in range(n)],
        "region_id": regions["region_id"].to_numpy()[idx],
        "lat": regions["lat"].to_numpy()[idx] + rng.normal(0, 0.2, n),
        "lon": regions["lon"].to_numpy()[idx] + rng.normal(0, 0.2, n),
        "areas": areas,
    })


def build(regions, boundaries, practices, scores, max_points):
    matched, _ = geo.match_regions(regions, boundaries)
    matched["score"] = scores
    region_layers, _ = geo.region_layer(matched, "score")
    practice_layer, _ = geo.practice_layer(practices, regions, area_order=AREAS, max_points=max_points)
    base = None
    if boundaries is not None and (boundaries["LEVL_CODE"] == 0).any():
        base = geo.country_layer(boundaries[boundaries["LEVL_CODE"] == 0])
    regions_only = matched[matched["LEVL_CODE"] != 0] if "LEVL_CODE" in matched else matched
    deck = geo.build_deck([base, region_layers, practice_layer], bounds=geo.extent(regions_only))
    return deck, deck.to_json(), practice_layer


def measure(label, regions, boundaries, practices, scores, repeats, max_points=geo.layers.MAX_POINTS):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        deck, spec, layer = build(regions, boundaries, practices, scores, max_points)
        best = min(best, time.perf_counter() - t0)
    return {"case": label, "practices": len(practices), "drawn": len(layer.data),
            "seconds": best, "bytes": len(spec.encode()), "practice_bytes": geo.payload_bytes(layer)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one repeat, no un-aggregated 100k case")
    ap.add_argument("--nuts", type=Path, default=DEFAULT_NUTS, help="directory of GISCO NUTS files")
    ap.add_argument("--n", type=int, default=100_000, help="number of practices in the big case")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(42)
    regions, boundaries, source = make_regions(args.nuts, rng)
    scores = np.where(rng.random(len(regions)) < 0.1, np.nan, rng.uniform(0, 100, len(regions)))
    repeats = 1 if args.quick else 3
    small = make_practices(regions, 40, rng)
    big = make_practices(regions, args.n, rng)
    rows = [measure("40 practices", regions, boundaries, small, scores, repeats),
            measure(f"{args.n:,} practices (aggregated)", regions, boundaries, big, scores, repeats)]
    if not args.quick:
        rows.append(measure(f"{args.n:,} practices, no aggregation (for comparison)", regions, boundaries,
                            big, scores, 1, max_points=10**9))
    base = rows[0]
    print(f"Regions: {len(regions):,} from {source}.\n")
    print("| case | practices | objects drawn | build + JSON (s) | deck JSON (KB) | practices layer (KB) "
          "| time ratio | size ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['case']} | {r['practices']:,} | {r['drawn']:,} | {r['seconds']:.2f} | {r['bytes'] / 1024:,.0f} "
              f"| {r['practice_bytes'] / 1024:,.0f} | {r['seconds'] / base['seconds']:.1f}x "
              f"| {r['bytes'] / base['bytes']:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
