"""CPU cost of a kernel per notebook: the fresh-kernel floor that every grader pays per submission.

``fresh_kernel_cpu(source)`` starts a new kernel (the course's ``python3`` kernel spec, as nbgrader and
grade-class do), runs ``source`` (the notebook's set-up cell: the imports), shuts it down, and returns the CPU
seconds the kernel process used (user + system, from the reaped child's rusage) and the wall seconds.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def children_cpu() -> float:
    """CPU seconds (user + system) of every reaped child process of this one so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def self_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def setup_source(notebook: Path) -> str:
    """The notebook's set-up code (nbgrader cells that are neither answers nor tests, before the first answer)."""
    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("solution") or meta.get("grade"):
            break
        if meta.get("grade_id"):
            parts.append(cell.source)
    return "\n".join(parts) or "pass"


def default_setup() -> tuple[str, str]:
    """(set-up source, label) of the course's first problem set, else a bare kernel."""
    found = sorted((ROOT / "assignments").glob("ps1*/*.ipynb"))
    if found:
        return setup_source(found[0]), f"{found[0].parent.name}'s set-up cell"
    return "pass", "an empty cell"


def fresh_kernel_cpu(source: str, timeout: float = 300) -> tuple[float, float]:
    """(kernel CPU seconds, wall seconds) of one fresh kernel running ``source`` then shutting down."""
    from jupyter_client.manager import start_new_kernel

    before, t0 = children_cpu(), time.perf_counter()
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=timeout, stderr=subprocess.DEVNULL)
    try:
        reply = kc.execute_interactive(source, timeout=timeout, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the set-up cell failed in a fresh kernel: {reply['content'].get('evalue')}")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    return children_cpu() - before, time.perf_counter() - t0


def medians(measure: Callable[[], tuple[float, float]], repeats: int) -> tuple[float, float, list[float]]:
    """(median CPU s, median wall s, every CPU figure) of ``repeats`` calls of ``measure``."""
    cpu, wall = [], []
    for _ in range(repeats):
        c, w = measure()
        cpu.append(c)
        wall.append(w)
    return statistics.median(cpu), statistics.median(wall), cpu


class SandboxCPU:
    """CPU of the processes running inside bubblewrap below one process of ours (sampled).

    A sandbox's processes live in their own pid namespace whose init is never waited for, so their CPU never
    reaches our ``RUSAGE_CHILDREN``. This thread reads /proc every ``interval`` seconds and keeps, for each
    process below ``root`` with a ``bwrap`` ancestor, its own latest user + system time (less what it had used
    already when the sampling began). Processes shorter than the interval, and each process's last interval, are
    missed: the figure is a slight underestimate.
    """

    def __init__(self, root: int, interval: float = 0.2) -> None:
        import os
        import threading

        self.root, self.interval = root, interval
        self._tick = os.sysconf("SC_CLK_TCK")
        self._info: dict[int, tuple[int, str, int]] = {}  # pid -> (ppid, comm, starttime)
        self._cpu: dict[tuple[int, int], float] = {}
        self._base: dict[tuple[int, int], float] = {}
        self._first = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> SandboxCPU:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(cpu - self._base.get(key, 0.0) for key, cpu in self._cpu.items())

    def _stat(self, pid: int) -> tuple[int, str, int, float] | None:
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                raw = fh.read().decode(errors="replace")
        except OSError:
            return None
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        # fields[0] is the state (stat field 3): ppid 4, utime 14, stime 15, starttime 22
        return int(fields[1]), comm, int(fields[19]), (int(fields[11]) + int(fields[12])) / self._tick

    def _inside(self, pid: int) -> bool:
        """Below ``root`` with a bwrap process between them."""
        seen_bwrap, node = False, pid
        for _ in range(64):
            info = self._info.get(node)
            if info is None:
                return False
            ppid, comm, _ = info
            if ppid == self.root:
                return seen_bwrap or comm == "bwrap" and node != pid
            seen_bwrap = seen_bwrap or (comm == "bwrap" and node != pid)
            node = ppid
        return False

    def _loop(self) -> None:
        import os

        while not self._stop.is_set():
            pids = {int(n) for n in os.listdir("/proc") if n.isdigit()}
            for pid in list(self._info):
                if pid not in pids:
                    del self._info[pid]
            for pid in pids:
                if pid in self._info and not self._inside(pid):
                    continue
                stat = self._stat(pid)
                if stat is None:
                    continue
                ppid, comm, start, cpu = stat
                self._info[pid] = (ppid, comm, start)
                if self._inside(pid):
                    self._cpu[(pid, start)] = cpu
                    if self._first:
                        self._base[(pid, start)] = cpu
            self._first = False
            self._stop.wait(self.interval)
