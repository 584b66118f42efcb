"""Pre-load NUTS boundaries for a server that cannot reach GISCO::

    python -m geo fetch --out DIR [--year 2021 2024] [--level 0 1 2 3] [--base URL]

Downloads GISCO's files (1:20M, else 1:10M, else 1:60M; per level, else the all-levels
file) with their source records (``sources.json``: address, time, sha256). Copy DIR to the
server's ``<store>/boundaries``, or point ``MIPEXR_BOUNDARIES`` at it.
"""

from __future__ import annotations

import argparse
import sys

from geo import fetch as gf


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geo", description="NUTS boundaries from Eurostat GISCO")
    sub = ap.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fetch", help="download NUTS boundary files into a folder")
    f.add_argument("--out", required=True, help="folder to write the files and sources.json into")
    f.add_argument("--year", type=int, nargs="+", default=[2021, 2024], help="NUTS editions (default: 2021 2024)")
    f.add_argument("--level", type=int, nargs="+", default=[0, 1, 2, 3], help="NUTS levels (default: 0 1 2 3)")
    f.add_argument("--base", default=None, help=f"download address (default: MIPEXR_GISCO_URL or {gf.GISCO_BASE})")
    f.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    args = ap.parse_args(argv)
    needs = sorted({(y, lv) for y in args.year for lv in args.level})
    result = gf.fetch(needs, args.out, base=args.base, timeout=args.timeout)
    for path in result.files:
        print(f"fetched {path}")
    have = [p for p in needs if p not in result.missing]
    print(f"{len(have)} of {len(needs)} edition/level pairs are in {args.out}. {gf.LICENCE}.")
    if result.error:
        print(f"error: {result.error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
