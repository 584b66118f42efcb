"""Run every benchmark the README quotes, one after the other, and print their tables.

    python bench/run_all.py [--quick] [--skip loadtest.py ...]

``--quick`` is passed to every script (fewer repeats, smaller stores, shorter load levels).
The load test runs issue 18's row (``--issue-row``: 50 sessions, 1,000 regions, 2 replicas,
with its no-work baseline); the Chromium click probe (bench_click.py) and the
100,000-unit store (bench_scale.py; 10,000 with ``--quick``) need /usr/bin/chromium. Each
script's exit status is counted; the run goes on after a failure.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: (script, extra arguments), run in this order: the in-process benchmarks first, then the
#: ones that start servers and a browser.
SCRIPTS = [("bench_store.py", []), ("bench_scoring.py", []), ("bench_map.py", []),
           ("bench_practices_map.py", []), ("bench_pages.py", []), ("bench_memory.py", []),
           ("bench_click.py", []), ("bench_scale.py", []), ("loadtest.py", ["--issue-row"])]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="passed to every script")
    ap.add_argument("--skip", nargs="*", default=[], metavar="SCRIPT", help="scripts not to run")
    args = ap.parse_args(argv)
    failed = []
    for script, extra in SCRIPTS:
        if script in args.skip or not (HERE / script).exists():
            continue
        print(f"\n## {script}\n", flush=True)
        cmd = [sys.executable, str(HERE / script), *extra, *(["--quick"] if args.quick else [])]
        if subprocess.call(cmd) != 0:
            failed.append(script)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
