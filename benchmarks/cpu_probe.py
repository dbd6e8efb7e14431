"""How fast this machine computes right now: a fixed single-threaded workload (PBKDF2-SHA256 and an integer sum,
the kinds of work the suite's Python does), its CPU seconds as the median of five rounds. `.ci/run` prints it
before the fast tier and after the slow tier, so two runs' test times can be read beside the machine's speed at the
time (on one 2-core machine the same code's fast tier took 59 s in one run and 85 s in the next)."""

from __future__ import annotations

import hashlib
import statistics
import sys
import time

ROUNDS = 5


def one_round() -> float:
    """CPU seconds of one round of the fixed workload (about 0.2 s on the 2-core machine of benchmarks/README.md)."""
    start = time.process_time()
    for _ in range(4):
        hashlib.pbkdf2_hmac("sha256", b"probe", b"salt", 100_000)
    sum(i * i for i in range(600_000))
    return time.process_time() - start


def probe(rounds: int = ROUNDS) -> float:
    """The median CPU seconds of ``rounds`` rounds: lower is a faster machine."""
    return statistics.median(one_round() for _ in range(rounds))


def main(argv: list[str]) -> int:
    label = " ".join(argv) or "now"
    print(f"== CPU probe ({label}): {probe():.3f} CPU-s for the fixed workload (median of {ROUNDS}; lower is faster)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
