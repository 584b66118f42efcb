"""Benchmark the maps: time to build them and the size of their JSON.

    python bench/bench_map.py [--quick] [--nuts DIR]

1. The choropleth (the Overview's map, :func:`geo.choropleth_deck`) with boundaries against
   the points-only map of the same regions, measured in the same run: the default data
   (25 scored regions, NUTS 2021 1:60M as fetched from GISCO, country outlines), the 299
   NUTS-2 regions of NUTS 2024 1:20M, and 1,000 regions (each 1:20M NUTS-2 polygon cut into
   quarters: NUTS-3-sized shapes with GISCO's real coastlines).
2. The Integration Lab's practices: few vs many (aggregated into cells).

Regions are NUTS files in DIR (default ../shared/data/nuts) when present, else generated
points (part 1 then needs the files). Prints Markdown tables.
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


def quarters(b, n: int):
    """``n`` NUTS-3-sized regions: each polygon of ``b`` cut into its four bbox quarters."""
    import geopandas as gpd
    import shapely

    rows = []
    for code, geom in zip(b["NUTS_ID"], b.geometry):
        x0, y0, x1, y1 = geom.bounds
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        for k, box in enumerate([(x0, y0, xm, ym), (xm, y0, x1, ym), (x0, ym, xm, y1), (xm, ym, x1, y1)]):
            part = shapely.intersection(geom, shapely.box(*box))
            if not part.is_empty and part.area > 0:
                rows.append({"NUTS_ID": f"{code}{k}", "LEVL_CODE": 3, "CNTR_CODE": code[:2],
                             "NAME_LATN": f"{code} part {k}", "source": "quarters", "nuts_year": 2024,
                             "scale": "20M", "geometry": part})
    gdf = gpd.GeoDataFrame(rows[:n], geometry="geometry", crs=4326)
    pts = gdf.geometry.representative_point()
    regions = pd.DataFrame({"region_id": gdf["NUTS_ID"], "name": gdf["NAME_LATN"], "country": gdf["CNTR_CODE"],
                            "level": "NUTS3", "lat": pts.y, "lon": pts.x, "nuts_version": 2024})
    return regions, gdf


def choropleth_cases(nuts_dir: Path, rng):
    """(label, regions, boundaries, countries) of part 1, or [] without the NUTS files."""
    need = ["NUTS_RG_60M_2021_4326_LEVL_0.geojson", "NUTS_RG_60M_2021_4326_LEVL_1.geojson",
            "NUTS_RG_60M_2021_4326_LEVL_2.geojson", "NUTS_RG_20M_2024_4326_LEVL_0.geojson",
            "NUTS_RG_20M_2024_4326_LEVL_2.geojson"]
    if not all((nuts_dir / f).is_file() for f in need):
        return []
    from data.demo import build_demo

    tabs = build_demo()
    scored = tabs["regions"][tabs["regions"]["region_id"].isin(tabs["scores"]["region_id"])]
    b21 = geo.load_boundaries([nuts_dir / f for f in need[:3]])
    b24 = geo.load_boundaries([nuts_dir / f for f in need[3:]])
    l2 = b24[b24["LEVL_CODE"] == 2]
    pts = l2.geometry.representative_point()
    nuts2 = pd.DataFrame({"region_id": l2["NUTS_ID"], "name": l2["NAME_LATN"], "country": l2["CNTR_CODE"],
                          "level": "NUTS2", "lat": pts.y.to_numpy(), "lon": pts.x.to_numpy(), "nuts_version": 2024})
    thousand, parts = quarters(l2, 1000)
    c24 = geo.countries(b24)
    return [("default data (25 regions, NUTS 2021 1:60M)", scored, b21, geo.countries(b21, scored)),
            (f"{len(nuts2)} NUTS-2 regions (NUTS 2024 1:20M)", nuts2, b24, c24),
            (f"{len(thousand):,} regions (1:20M NUTS-2 cut in quarters)", thousand,
             pd.concat([b24, parts], ignore_index=True), c24)]


def choropleth(regions, boundaries, countries, scores):
    matched, _ = geo.match_regions(regions, boundaries)
    matched["score"] = scores
    deck, _ = geo.choropleth_deck(matched, "score", countries=countries)
    return deck.to_json()


def measure_choropleth(label, regions, boundaries, countries, rng, repeats):
    scores = np.where(rng.random(len(regions)) < 0.1, np.nan, rng.uniform(0, 100, len(regions)))
    out = {}
    for kind, b, c in (("points", None, None), ("boundaries", boundaries, countries)):
        best, spec = float("inf"), ""
        for _ in range(repeats):
            t0 = time.perf_counter()
            spec = choropleth(regions, b, c, scores)
            best = min(best, time.perf_counter() - t0)
        out[kind] = (best, len(spec.encode()))
    return label, len(regions), out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one repeat, no un-aggregated 100k case")
    ap.add_argument("--nuts", type=Path, default=DEFAULT_NUTS, help="directory of GISCO NUTS files")
    ap.add_argument("--n", type=int, default=100_000, help="number of practices in the big case")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(42)
    repeats = 1 if args.quick else 3
    cases = choropleth_cases(args.nuts, rng)
    if cases:
        print("| map | regions | points: build + JSON | points: JSON | boundaries: build + JSON "
              "| boundaries: JSON | time ratio | size ratio |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for label, regions, b, c in cases:
            label, n, out = measure_choropleth(label, regions, b, c, rng, repeats)
            (tp, bp), (tb, bb) = out["points"], out["boundaries"]
            print(f"| {label} | {n:,} | {tp * 1000:,.0f} ms | {bp / 1024:,.0f} KB | {tb * 1000:,.0f} ms "
                  f"| {bb / 1024:,.0f} KB | {tb / tp:.1f}x | {bb / bp:.1f}x |")
        print()
    regions, boundaries, source = make_regions(args.nuts, rng)
    scores = np.where(rng.random(len(regions)) < 0.1, np.nan, rng.uniform(0, 100, len(regions)))
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
