"""One notebook's kernel, three ways, as the grader starts them (classroom.grading.sandbox.kernel_manager):

1. a fresh kernel, unsandboxed (what plain nbgrader starts: the fresh-kernel floor);
2. a fresh kernel in the grader's sandbox (bubblewrap, rlimits, own uid, seccomp, launcher guard);
3. a child forked from the worker's zygote (classroom.grading.zygote), every guard of 2 on.

Each runs the course's first problem set's set-up cell (its imports) and shuts down; one of each per round,
interleaved, so the machine's load hits them alike. Prints the median kernel CPU seconds and wall seconds of
each, the ratios, the zygote's own start-up cost (paid once per worker) and the load average. The CPU of a
forked child is its exact rusage (the zygote reaps it); a fresh sandboxed kernel's is sampled from /proc
(benchmarks.kernels.SandboxCPU: a slight underestimate). Never asserts. BENCH_ZYGOTE_ROUNDS sets the rounds
(default 7). Without root or bubblewrap only way 1 runs, and the output says why.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.kernels import SandboxCPU, children_cpu, default_setup, fresh_kernel_cpu

ROUNDS = int(os.environ.get("BENCH_ZYGOTE_ROUNDS", "7"))


async def _kernel(box, source: str, kernels: str, timeout: float = 300):
    km = box.kernel_manager(box.scratch / ".k", kernels=kernels)
    await km.start_kernel()
    child = km.provisioner.process
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=timeout)
        reply = await kc.execute_interactive(source, timeout=timeout, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"set-up cell failed in a {kernels} kernel: {reply['content'].get('evalue')}")
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=False)
    return km.kernel_source, child


def _sandboxed(base: Path, uid: int, n: int, source: str, kernels: str) -> tuple[float, float]:
    from classroom.grading.sandbox import Sandbox

    box = Sandbox(scratch=base / "scratch" / f"k{n}", uid=uid, private=base / "private" / f"k{n}" / "etc")
    box.prepare()
    cpu0, t0 = children_cpu(), time.perf_counter()
    try:
        with SandboxCPU(os.getpid()) as boxed:
            got, child = asyncio.run(_kernel(box, source, kernels))
        wall = time.perf_counter() - t0
    finally:
        box.reap()
    if got != kernels:
        raise RuntimeError(f"asked for a {kernels} kernel, got a {got} one")
    if kernels == "zygote":
        return float(child.cpu), wall
    return children_cpu() - cpu0 + boxed.seconds, wall


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run() -> None:
    from classroom.grading import zygote
    from classroom.grading.sandbox import claim_uid, isolation_problem

    source, label = default_setup()
    print(f"one notebook's kernel, running {label} then shutting down; {ROUNDS} interleaved rounds; "
          f"{os.cpu_count()} cores; load average at the start {_load()}")
    problem = isolation_problem() or (None if os.geteuid() == 0 else "not root: zygote kernels need a root grader")
    results: dict[str, list[tuple[float, float]]] = {}
    base = Path(tempfile.mkdtemp(prefix="bench-zygote-"))
    try:
        uid = claim_uid(63700) if problem is None else None
        t0 = time.perf_counter()
        if uid is not None:  # start the worker's zygote outside the rounds (paid once per worker)
            _sandboxed(base, uid, 0, "pass", "zygote")
        started = time.perf_counter() - t0
        n = 0
        for _ in range(ROUNDS):
            results.setdefault("fresh kernel, unsandboxed (nbgrader)", []).append(fresh_kernel_cpu(source))
            if uid is None:
                continue
            for name, kernels in (("fresh kernel, sandboxed", "fresh"), ("zygote child, sandboxed", "zygote")):
                n += 1
                results.setdefault(name, []).append(_sandboxed(base, uid, n, source, kernels))
        med = {name: (statistics.median(c for c, _ in r), statistics.median(w for _, w in r))
               for name, r in results.items()}
        for name, (cpu, wall) in med.items():
            print(f"  {name:<38} {cpu:5.2f} CPU-s  {wall:5.2f} s wall  (median of {len(results[name])})")
        if uid is None:
            print(f"  (sandboxed ways left out: {problem})")
            return
        running = list(zygote._ZYGOTES.values())
        if running:
            print(f"  the worker's zygote: started in {started:.1f} s wall (its first kernel included), preload "
                  f"{running[0].preload_cpu:.2f} CPU-s, paid once per worker")
        fresh, forked = med["fresh kernel, sandboxed"], med["zygote child, sandboxed"]
        floor = med["fresh kernel, unsandboxed (nbgrader)"]
        print(f"  zygote child vs fresh sandboxed kernel: {fresh[0] / forked[0]:.1f}x less CPU, "
              f"{fresh[1] / forked[1]:.1f}x less wall; vs the unsandboxed fresh-kernel floor: "
              f"{floor[0] / forked[0]:.1f}x less CPU")
        print(f"  load average at the end {_load()}")
    finally:
        zygote.stop_all()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    run()
