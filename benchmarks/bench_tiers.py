"""Test-tier times: ``make test-fast`` (pytest -m "not slow") run here in a process of its own, as the Makefile runs
it (on pytest-xdist workers: FAST_WORKERS, default one per core), its wall time and CPU seconds, with the size of
each tier. BENCH_TIERS=all also runs the slow tier (most of ``make test``: minutes to a quarter of an hour); by
default only its size is printed. Prints only: tests never time anything."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.kernels import children_cpu

ROOT = Path(__file__).resolve().parents[1]
FAST_GOAL_S = 120.0  # issue 21: make test-fast under 2 minutes on a 2-core machine
TEST_GOAL_S = 900.0  # issue 21: make test under 15 minutes on a quiet 2-core machine
# as the Makefile's test targets: the fast tier one worker per core, the slow tier one more than cores
WORKERS = {"fast": os.environ.get("FAST_WORKERS", "auto"),
           "slow": os.environ.get("TEST_WORKERS", str((os.cpu_count() or 1) + 1))}


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def _count(marks: str) -> int:
    done = subprocess.run([sys.executable, "-m", "pytest", "-m", marks, "--collect-only", "-q", "-p",
                           "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True)
    found = re.search(r"(\d+)(?:/\d+)? tests? collected", done.stdout)
    return int(found.group(1)) if found else -1


def _tier(name: str, marks: str) -> float:
    load0 = _load()
    cpu, t0 = children_cpu(), time.perf_counter()
    xdist = ["-n", WORKERS[name], "--dist", "loadgroup"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as the Makefile's PYTEST
    done = subprocess.run([sys.executable, "-m", "pytest", "-m", marks, *xdist, "-q", "--no-header", "-p",
                           "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True, env=env)
    wall, used = time.perf_counter() - t0, children_cpu() - cpu
    summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    verdict = ""
    if name == "fast":
        verdict = f"; {'under' if wall < FAST_GOAL_S else 'OVER'} the {FAST_GOAL_S:.0f} s goal"
    print(f"{name} tier (pytest -m \"{marks}\" -n {WORKERS[name]}): {wall:6.1f} s wall, {used:6.1f} CPU-s on "
          f"{os.cpu_count()} cores"
          f"{verdict}; load average {load0} -> {_load()}")
    print(f"  {summary}")
    return wall


def run() -> None:
    print(f"tier sizes: fast {_count('not slow')} tests, slow {_count('slow')} tests")
    fast = _tier("fast", "not slow")
    if os.environ.get("BENCH_TIERS") == "all":
        both = fast + _tier("slow", "slow")
        print(f"make test (both tiers): {both:6.1f} s wall; {'under' if both < TEST_GOAL_S else 'OVER'} the "
              f"{TEST_GOAL_S:.0f} s goal on a quiet 2-core machine")
    else:
        print("slow tier not run (BENCH_TIERS=all runs it too; CI's .ci/run prints both tiers' wall times)")


if __name__ == "__main__":
    run()
