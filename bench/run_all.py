"""Run every benchmark the README quotes, one after the other, and print their tables.

    python bench/run_all.py [--quick]

The load test (bench/loadtest.py) is not included: it starts servers and a browser and
takes minutes per load level; run it on its own (see the README).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["bench_store.py", "bench_scoring.py", "bench_map.py", "bench_practices_map.py",
           "bench_pages.py", "bench_memory.py"]


def main(argv: list[str]) -> int:
    failed = 0
    for script in SCRIPTS:
        print(f"\n## {script}\n", flush=True)
        failed += subprocess.call([sys.executable, str(HERE / script), *argv]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
