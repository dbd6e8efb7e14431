"""Prototype measurement: kernels forked from a preloaded zygote (benchmarks/zygote.py) against fresh kernels.

Four ways to get one submission's kernel, each running the course's first problem set's set-up cell (its imports)
and shutting down, measured interleaved (one of each per round) so the machine's load hits them alike:

1. fresh kernel, unsandboxed (what plain nbgrader starts);
2. fresh kernel in the grader's sandbox (classroom.grading.sandbox: bubblewrap, rlimits, own uid, launcher guard);
3. a child forked from a zygote, unsandboxed;
4. a child forked from a zygote that itself runs in the same sandbox (started once, outside the rounds);
5. the same, but the zygote keeps root (CAP_SETUID/CAP_SETGID only) and each child drops to a uid of its own
   before it runs anything, so no child can signal or trace the zygote (how a grader would have to run it).

Prints the median kernel CPU seconds and wall seconds of each, and the ratios. Never asserts. Not wired into
grade-class (the zygote's own safety needs a uid the children cannot reach: see benchmarks/zygote.py).
BENCH_ZYGOTE_ROUNDS sets the rounds (default 7).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.kernels import SandboxCPU, children_cpu, default_setup, fresh_kernel_cpu

ROOT = Path(__file__).resolve().parents[1]
ZYGOTE = ROOT / "benchmarks" / "zygote.py"
ROUNDS = int(os.environ.get("BENCH_ZYGOTE_ROUNDS", "7"))


class Zygote:
    """A running zygote (optionally wrapped by ``wrap``) and the kernels it forks."""

    def __init__(self, workdir: Path, wrap: Callable[[list[str]], list[str]] | None = None,
                 owner: int | None = None) -> None:
        self.workdir, self.owner = workdir, owner  # owner: the uid the zygote itself runs as (None: ours)
        argv = [sys.executable, "-I", str(ZYGOTE)]
        cpu0, t0 = children_cpu(), time.perf_counter()
        self.proc = subprocess.Popen(wrap(argv) if wrap else argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, cwd=workdir)
        hello = json.loads(self.proc.stdout.readline() or "{}")
        if not hello.get("ready"):
            raise RuntimeError("the zygote did not start")
        self.start_wall = time.perf_counter() - t0
        self.preload_cpu = float(hello["preload_cpu"])
        self.threads = int(hello["threads"])
        self._cpu0 = cpu0
        self.n = 0

    def _ask(self, req: dict) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def kernel_cpu(self, source: str, timeout: float = 300, uid: int | None = None,
                   nproc: int | None = None, printed: list[str] | None = None) -> tuple[float, float]:
        """(child CPU s, wall s) of one forked kernel running ``source`` then shutting down (as ``uid``); what
        the cell prints is added to ``printed``."""
        from jupyter_client import BlockingKernelClient
        from jupyter_client.connect import write_connection_file

        self.n += 1
        t0 = time.perf_counter()
        cwd = self.workdir / f"c{self.n}"
        cwd.mkdir()
        if (uid if uid is not None else self.owner) is not None:
            os.chown(cwd, *(2 * [uid if uid is not None else self.owner]))
        cf, _ = write_connection_file(fname=str(cwd / "kernel.json"), transport="ipc", ip=str(cwd / "kernel"))
        os.chmod(cf, 0o644)
        pid = self._ask({"fork": cf, "cwd": str(cwd), "uid": uid, "nproc": nproc})["pid"]
        kc = BlockingKernelClient(connection_file=cf)
        kc.load_connection_file()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=timeout)
            def hook(msg: dict) -> None:
                if printed is not None and msg["msg_type"] == "stream":
                    printed.append(msg["content"]["text"])

            reply = kc.execute_interactive(source, timeout=timeout, output_hook=hook)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"set-up cell failed in a forked kernel: {reply['content'].get('evalue')}")
            kc.shutdown()
        finally:
            kc.stop_channels()
        done = self._ask({"wait": pid})
        return float(done["cpu"]), time.perf_counter() - t0

    def close(self) -> float:
        """Stop the zygote; its own CPU (the preload, paid once per worker) in seconds."""
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)
        return children_cpu() - self._cpu0


def _sandbox(scratch: Path):
    from classroom.grading.sandbox import Sandbox, claim_uid

    box = Sandbox(scratch=scratch, uid=claim_uid(63700), read_only=(str(ZYGOTE),))
    box.prepare()
    return box


def _sandboxed_fresh_kernel_cpu(box, source: str, n: int, timeout: float = 300) -> tuple[float, float]:
    async def go() -> None:
        km = box.kernel_manager(box.scratch / f"fresh{n}")
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=timeout)
            reply = await kc.execute_interactive(source, timeout=timeout, output_hook=lambda msg: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"set-up cell failed in a sandboxed kernel: {reply['content'].get('evalue')}")
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=False)

    cpu0, t0 = children_cpu(), time.perf_counter()
    with SandboxCPU(os.getpid()) as boxed:  # the kernel's CPU inside bubblewrap never reaches our rusage
        asyncio.run(go())
    return children_cpu() - cpu0 + boxed.seconds, time.perf_counter() - t0


PROBE = """import os
try:
    os.kill(os.getppid(), 0)
    parent = 'MAY SIGNAL the zygote'
except PermissionError:
    parent = 'may not signal the zygote'
print(f'uid {os.getuid()}, gid {os.getgid()}, groups {os.getgroups()}, {parent}, '
      f"capabilities {open('/proc/self/status').read().split('CapEff:')[1].split()[0]}")
"""


def _root_zygote_command(box, argv: list[str]) -> list[str]:
    """The sandbox's command for a zygote that keeps root with CAP_SETUID/CAP_SETGID only (children drop)."""
    cmd = box.command(argv)
    cmd = [a for a in cmd if not a.startswith("--nproc=")]  # root's process count is the host's: children set it
    return [cmd[0], "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", *cmd[1:]]


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run() -> None:
    from classroom.grading.sandbox import Limits, Sandbox, claim_uid, isolation_problem

    source, label = default_setup()
    problem = isolation_problem()
    print(f"kernel for one submission, running {label} then shutting down; {ROUNDS} interleaved rounds; "
          f"{os.cpu_count()} cores; load average at the start {_load()}")
    base = Path(tempfile.mkdtemp(prefix="bench-zygote-"))
    os.chmod(base, 0o755)
    results: dict[str, list[tuple[float, float]]] = {}
    zygotes: list[Zygote] = []
    try:
        ways: dict[str, Callable[[int], tuple[float, float]]] = {}
        ways["fresh kernel"] = lambda i: fresh_kernel_cpu(source)
        (base / "plain").mkdir()
        plain = Zygote(base / "plain")
        zygotes.append(plain)
        ways["zygote child"] = lambda i: plain.kernel_cpu(source)
        if problem is None:
            fresh_box = _sandbox(base / "fresh-box")
            zy_box = _sandbox(base / "zygote-box")
            boxed = Zygote(zy_box.scratch, wrap=zy_box.command, owner=zy_box.uid)
            zygotes.append(boxed)
            ways["fresh kernel, sandboxed"] = lambda i: _sandboxed_fresh_kernel_cpu(fresh_box, source, i)
            ways["zygote child, sandboxed"] = lambda i: boxed.kernel_cpu(source)
            if os.geteuid() == 0:

                root_box = Sandbox(scratch=base / "root-zygote-box", uid=None, read_only=(str(ZYGOTE),))
                root_box.prepare()
                os.chmod(root_box.scratch, 0o755)
                child_uid = claim_uid(63800)
                rooted = Zygote(root_box.scratch, wrap=lambda argv: _root_zygote_command(root_box, argv))
                zygotes.append(rooted)
                ways["zygote child, own uid"] = lambda i: rooted.kernel_cpu(source, uid=child_uid,
                                                                           nproc=Limits().processes)
        else:
            print(f"  (no sandbox here: {problem}; the sandboxed ways are left out)")
        for i in range(ROUNDS):
            for name, way in ways.items():
                results.setdefault(name, []).append(way(i))
        med = {name: (statistics.median(c for c, _ in r), statistics.median(w for _, w in r))
               for name, r in results.items()}
        for name, (cpu, wall) in med.items():
            print(f"  {name:<26} {cpu:5.2f} CPU-s  {wall:5.2f} s wall  (median of {len(results[name])})")
        for z, name in zip(zygotes, ("zygote", "sandboxed zygote", "sandboxed root zygote"), strict=False):
            print(f"  {name} start-up, paid once per worker: {z.start_wall:.1f} s wall, preload {z.preload_cpu:.2f}"
                  f" CPU-s, {z.threads} thread(s) when forking")
        for fresh, forked in (("fresh kernel", "zygote child"),
                              ("fresh kernel, sandboxed", "zygote child, sandboxed"),
                              ("fresh kernel, sandboxed", "zygote child, own uid")):
            if fresh in med and forked in med:
                print(f"  {forked} vs {fresh}: {med[fresh][0] / med[forked][0]:.1f}x less CPU, "
                      f"{med[fresh][1] / med[forked][1]:.1f}x less wall per kernel")
        if "zygote child, own uid" in ways:
            said: list[str] = []
            rooted.kernel_cpu(PROBE, uid=child_uid, nproc=Limits().processes, printed=said)
            print(f"  a child of the root zygote, from inside: {''.join(said).strip()}")
        print(f"  load average at the end {_load()}")
    finally:
        for z in zygotes:
            z.close()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    run()
