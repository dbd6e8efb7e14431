"""Preloaded sandboxed kernels: the grader's side of the zygote (``zygote_main`` is the side in the sandbox).

A grading worker that runs as root (one unprivileged uid of its own, see ``sandbox.claim_uid``) starts one
zygote: a process in the same bubblewrap sandbox as a fresh kernel's (read-only system and Python, no network,
its own pid and IPC namespaces, the no-``setsid`` seccomp filter, ``--die-with-parent``) that has imported
ipykernel and the course's libraries once. Each notebook's kernel is then a child forked from it, which sets
itself up as a fresh kernel would be (``zygote_main``'s docstring: own mount and IPC namespaces, fresh /tmp and
home, only its own scratch visible, the kernel's rlimits, the worker's uid with no capability) before it runs
anything. The zygote itself keeps root with five capabilities and never runs student code; a child, whose uid
is not root's, cannot signal or trace it.

Used only when it keeps every guard: as root (a uid for the children that is not the zygote's), with the
sandbox available. Otherwise, or when the zygote fails to start or to fork, the kernel is a fresh sandboxed
process as before. ``CLASSROOM_KERNELS=fresh`` (environment) always chooses fresh kernels.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ZYGOTE_MAIN = Path(__file__).with_name("zygote_main.py")
KERNELS_ENV = "CLASSROOM_KERNELS"  # "zygote" (default) or "fresh"
CAPS = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP", "CAP_KILL")
MB = 1024 * 1024


class ZygoteError(RuntimeError):
    """The zygote could not start or could not give a kernel (the caller falls back to a fresh kernel)."""


def kernels_mode() -> str:
    """'zygote' or 'fresh', from ``CLASSROOM_KERNELS`` (default 'zygote'); anything else is an error."""
    mode = os.environ.get(KERNELS_ENV, "zygote").strip().lower() or "zygote"
    if mode not in ("zygote", "fresh"):
        raise ValueError(f"{KERNELS_ENV}={mode!r}: expected 'zygote' or 'fresh'")
    return mode


def zygote_argv(python: str = "python") -> list[str]:
    """The zygote's command inside the sandbox: its source passed with ``-c`` (no host path to bind)."""
    return [python, "-I", "-c", ZYGOTE_MAIN.read_text()]


@dataclass(frozen=True)
class _Key:
    uid: int
    home: str
    limits: object


class Zygote:
    """One running zygote (a bubblewrap process) serving the scratches directly inside ``home``."""

    def __init__(self, command: list[str], launch, home: Path, uid: int, seccomp: bool,
                 timeout: float = 120) -> None:
        argv, fds = launch(command)
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, pass_fds=fds, cwd=home)
        finally:
            for fd in fds:
                os.close(fd)
        self.home, self.uid, self.seccomp = home, uid, seccomp
        self.home_id = _identity(home)  # the zygote sees this directory: a new one at the same path needs a new zygote
        self._lock = threading.Lock()
        self.broken: str | None = None
        try:
            hello = self._read(timeout)
        except (ZygoteError, ValueError) as exc:
            self.stop()
            raise ZygoteError(f"the zygote did not start: {exc}") from exc
        if not hello.get("ready") or hello.get("threads") != 1:
            self.stop()
            raise ZygoteError(f"the zygote did not start ({hello})")
        self.preload_cpu = float(hello.get("preload_cpu", 0.0))

    def _read(self, timeout: float) -> dict:
        import selectors

        assert self.proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                raise ZygoteError("the zygote did not answer in time")
        line = self.proc.stdout.readline(1 << 16)
        if not line:
            raise ZygoteError("the zygote ended")
        return json.loads(line)

    def ask(self, req: dict, timeout: float = 60) -> dict:
        with self._lock:
            if self.broken:
                raise ZygoteError(self.broken)
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps(req).encode() + b"\n")
                self.proc.stdin.flush()
                return self._read(timeout)
            except (OSError, ValueError, ZygoteError) as exc:
                self.broken = f"the zygote failed: {exc}"
                raise ZygoteError(self.broken) from exc

    def alive(self) -> bool:
        return self.broken is None and self.proc.poll() is None and _identity(self.home) == self.home_id

    def fork(self, connection_file: str, scratch: Path, limits, timeout: float = 60) -> int:
        """A new kernel child on ``connection_file`` (relative to ``scratch``); returns its pid in the zygote."""
        req = {"fork": connection_file, "cwd": str(scratch), "uid": self.uid, "seccomp": self.seccomp,
               "limits": {"cpu": limits.cpu_seconds, "as": limits.memory_mb * MB, "nproc": limits.processes,
                          "fsize": limits.file_size_mb * MB, "tmp_bytes": limits.tmp_mb * MB,
                          "nice": limits.nice}}
        reply = self.ask(req, timeout)
        if "pid" not in reply:
            raise ZygoteError(f"the zygote could not give a kernel: {reply.get('error', reply)}")
        return int(reply["pid"])

    def stop(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class ZygoteChild:
    """What jupyter_client's local provisioner needs of a ``Popen``, for a kernel forked by the zygote."""

    stdin = stdout = stderr = None

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.zygote, self.pid = zygote, pid
        self.returncode: int | None = None
        self.cpu = 0.0

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                reply = self.zygote.ask({"poll": self.pid})
            except ZygoteError:
                self.returncode = -9  # the zygote is gone, and with it (pid namespace) every child
                return self.returncode
            if reply.get("status") is not None:
                self.returncode, self.cpu = int(reply["status"]), float(reply.get("cpu", 0.0))
                try:
                    self.zygote.ask({"forget": self.pid})
                except ZygoteError:
                    pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired("zygote child", timeout or 0)
            time.sleep(0.05)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            try:
                self.zygote.ask({"signal": self.pid, "sig": int(sig)})
            except ZygoteError:
                pass

    def kill(self) -> None:
        self.send_signal(9)

    def terminate(self) -> None:
        self.send_signal(15)


_ZYGOTES: dict[_Key, Zygote] = {}  # one per grading worker process (per uid, scratch home and limits)
_FAILED: set[_Key] = set()


def for_sandbox(box) -> Zygote | None:
    """This worker's zygote for ``box`` (a ``Sandbox``), started on first use; None when kernels must be fresh:
    ``CLASSROOM_KERNELS=fresh``, not root (the children would share the zygote's uid), or it failed before."""
    from classroom.grading.sandbox import isolation_problem

    if kernels_mode() != "zygote" or box.uid is None or os.geteuid() != 0:
        return None
    home = box.scratch.parent
    key = _Key(box.uid, str(home), box.limits)
    zygote = _ZYGOTES.get(key)
    if zygote is not None and zygote.alive():
        return zygote
    if zygote is not None:  # ended, failed, or its directory was replaced: a new one
        _ZYGOTES.pop(key).stop()
    if key in _FAILED:
        return None
    for other in list(_ZYGOTES):  # a worker grades one course at a time: an older zygote is not needed
        _ZYGOTES.pop(other).stop()
    if isolation_problem() is not None:
        _FAILED.add(key)
        return None
    try:
        command, launch = box.zygote_command(zygote_argv())
        zygote = Zygote(command, launch, home=home, uid=box.uid, seccomp=box.seccomp_expected())
    except (ZygoteError, OSError, ValueError) as exc:
        _FAILED.add(key)
        print(f"grade-class: no zygote kernels in this worker ({exc}); fresh sandboxed kernels instead",
              file=sys.stderr)
        return None
    _ZYGOTES[key] = zygote
    return zygote


def stop_all() -> None:
    while _ZYGOTES:
        _ZYGOTES.popitem()[1].stop()


atexit.register(stop_all)
