"""Prototype (benchmarks only, not wired into the grader): a zygote that forks ready-made kernels.

The zygote imports the kernel machinery and the course's libraries once, starts no thread, then for each
request forks a child that becomes an IPython kernel on a connection file it is given (``ipc`` transport, so
it also works in a sandbox without a network). Each child is one submission's fresh kernel: a copy of the
warmed process, nothing shared with the previous child (it has exited and been reaped).

Protocol on stdin/stdout, one JSON object a line:

* zygote -> ``{"ready": true, "threads": 1, "preload_cpu": s}`` once the imports are done;
* ``{"fork": "<connection file>", "cwd": "<dir>", "uid": n, "nproc": n}`` -> ``{"pid": n}``: with ``uid`` (the
  zygote then runs as root with CAP_SETUID/CAP_SETGID only), the child drops to that uid for good, with no
  groups, no capabilities and no_new_privs, and takes its process limit, before it runs any kernel code;
* ``{"wait": n}`` -> ``{"pid": n, "cpu": user+system s of the child, "status": n}``;
* end of input: the zygote exits.

What a grader would still add (not done here): the seccomp filter the sandboxed kernel gets today, set by the
child after the uid drop; fresh random seeds in each child (``random`` and numpy's global generator are seeded
at import, so every child would otherwise draw the same numbers); and the grader's reaping of the slot uid after
each child.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time

PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "IPython", "zmq", "numpy", "matplotlib",
           "matplotlib.pyplot", "matplotlib_inline.backend_inline", "ipywidgets", "yaml",
           "osteonecrosis.teaching", "osteonecrosis.exercises", "osteonecrosis.risk", "osteonecrosis.staging")


def _drop(uid: int, nproc: int | None) -> None:
    """For good: the slot uid and gid, no groups, no capabilities left, no way back through setuid binaries."""
    import ctypes

    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # from root to a non-root uid: permitted and effective capabilities are cleared
    if ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if nproc is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))


def _child(connection_file: str, cwd: str, uid: int | None = None, nproc: int | None = None) -> None:
    if uid is not None:
        _drop(uid, nproc)
    os.chdir(cwd)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    from ipykernel.kernelapp import IPKernelApp

    def _init_path(self: IPKernelApp) -> None:  # the grader's launcher guard: the scratch never shadows a module
        while "" in sys.path:
            sys.path.remove("")
        sys.path.append("")

    IPKernelApp.init_path = _init_path
    app = IPKernelApp.instance()
    app.initialize(["-f", connection_file, "--HistoryManager.hist_file=:memory:", "--IPKernelApp.parent_handle=0"])
    app.start()
    os._exit(0)


def main() -> int:
    import importlib

    t0 = time.process_time()
    for name in PRELOAD:
        importlib.import_module(name)
    out = sys.stdout
    out.write(json.dumps({"ready": True, "threads": threading.active_count(),
                          "preload_cpu": time.process_time() - t0}) + "\n")
    out.flush()
    for line in sys.stdin:
        req = json.loads(line)
        if "fork" in req:
            out.flush()
            pid = os.fork()
            if pid == 0:
                try:
                    _child(req["fork"], req.get("cwd", "."), req.get("uid"), req.get("nproc"))
                finally:
                    os._exit(70)
            out.write(json.dumps({"pid": pid}) + "\n")
        elif "wait" in req:
            pid, status, ru = os.wait4(int(req["wait"]), 0)
            out.write(json.dumps({"pid": pid, "status": status, "cpu": ru.ru_utime + ru.ru_stime}) + "\n")
        out.flush()
    self_ru = resource.getrusage(resource.RUSAGE_SELF)
    sys.stderr.write(f"zygote cpu {self_ru.ru_utime + self_ru.ru_stime:.2f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
