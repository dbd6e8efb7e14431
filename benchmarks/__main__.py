"""``make bench``: runs every ``benchmarks/bench_*.py`` module's ``run()`` in one process, in name order.

Each benchmark prints medians (and ratios where two ways are compared) measured side by side in this run.
Pass module names to run only some: ``python -m benchmarks widgets cohort``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from benchmarks import cpu_probe


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    names = sorted(p.stem for p in here.glob("bench_*.py"))
    wanted = [f"bench_{a.removeprefix('bench_')}" for a in argv] or names
    for name in wanted:
        if name not in names:
            print(f"benchmarks: no benchmark {name!r} (known: {', '.join(names)})", file=sys.stderr)
            return 2
    cpu_probe.main(["before the benchmarks"])
    for name in wanted:
        print(f"\n=== {name.removeprefix('bench_')} ===", flush=True)
        importlib.import_module(f"benchmarks.{name}").run()
    cpu_probe.main(["after the benchmarks"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
