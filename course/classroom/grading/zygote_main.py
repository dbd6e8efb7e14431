"""The zygote itself (runs inside the sandbox; its source is passed with ``python -I -c``, like the checker's).

It imports the kernel machinery and the course's libraries once, starts no thread and never runs student code,
then forks one child per kernel the grader asks for. The zygote runs as root inside bubblewrap (no network,
read-only system, its own pid and IPC namespaces) with five capabilities only (SYS_ADMIN, SETUID, SETGID,
SETPCAP, KILL): what a child needs to set itself up. Each child, before it runs anything else:

1. leaves the zygote's process group and closes every descriptor it inherited (the zygote's pipes);
2. takes new mount and IPC namespaces: fresh ``/tmp`` and home (tmpfs), the directory that holds the
   workers' scratches covered by a read-only tmpfs with only its own scratch bound back, no SysV IPC object
   of an earlier child;
3. takes the kernel's resource limits (CPU, address space, processes, file size, no core) and priority;
4. empties its capability bounding set, drops to the worker's unprivileged uid and gid with no groups and no
   capability left (checked in ``/proc/self/status``, as are no_new_privs and the no-``setsid`` seccomp filter
   it inherits from bubblewrap: the child refuses to run when one is missing);
5. draws fresh random seeds (``random``, numpy), so no two submissions see the same numbers;

and only then becomes an IPython kernel on the connection file it was given, with the grader's launcher guard
(the scratch is never ahead of the standard library on ``sys.path``). A child cannot signal or trace the zygote
(root) and shares nothing with the previous child, which has exited and been reaped (the grader also kills
every process left with the worker's uid after each notebook). What children do share with each other and
with the zygote: the imported modules' code as it was before any child ran, and Python's hash seed.

Protocol on stdin/stdout, one JSON object a line: the zygote says ``{"ready": true, ...}`` once its imports
are done; ``{"fork": ...}`` -> ``{"pid": n}`` (once the child is set up and about to start the kernel) or
``{"error": "..."}``; ``{"poll": n}`` -> ``{"status": None | returncode, "cpu": s}``; ``{"signal": n, "sig": s}``
-> ``{}``. End of input: the zygote exits.
"""

import ctypes
import importlib
import json
import os
import resource
import sys
import time

PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython", "zmq", "yaml", "numpy",
           "matplotlib",
           "matplotlib.pyplot", "ipywidgets", "osteonecrosis.teaching", "osteonecrosis.exercises",
           "osteonecrosis.risk", "osteonecrosis.staging", "osteonecrosis.rules", "osteonecrosis.cases",
           # what a kernel's start-up imports (IPKernelApp.initialize): loaded once here, not in every child
           "sqlite3", "pdb", "faulthandler", "IPython.core.debugger", "IPython.core.completerlib",
           "IPython.core.oinspect", "IPython.extensions.storemagic", "tornado.platform.asyncio")

CLONE_NEWNS, CLONE_NEWIPC = 0x00020000, 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 8, 32, 4096, 16384, 1 << 18)
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
O_PATH = getattr(os, "O_PATH", 0o10000000)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    def enc(text):
        return text.encode() if isinstance(text, str) else text

    _check(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _status() -> dict:
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            out[key] = value.split()
    return out


def _python_paths_below(roots: tuple[str, ...]) -> list[str]:
    """The Python installation, the venv and the course package (what the sandbox binds read-only) where they
    lie below one of ``roots``, outermost first."""
    paths = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)} | {sys.prefix, sys.base_prefix}
    package = sys.modules.get("osteonecrosis")
    if package is not None and getattr(package, "__file__", None):
        paths.add(os.path.dirname(os.path.realpath(package.__file__)))
    below = sorted(p for p in paths if any(p != r and os.path.commonpath([p, r]) == r for r in roots)
                   and os.path.isdir(p))
    return [p for p in below if not any(q != p and os.path.commonpath([p, q]) == q for q in below)]


def _isolate(req: dict) -> None:
    """Steps 2-4 of the module docstring, as root with the zygote's capabilities; raises on any failure."""
    cwd, uid = req["cwd"], int(req["uid"])
    lim = req["limits"]
    if uid < 1000:
        raise ValueError(f"refusing uid {uid} for a kernel")
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing this child mounts reaches the zygote
    parent, name = os.path.split(cwd.rstrip("/"))
    if parent != os.getcwd() or not name or name in (".", ".."):
        raise ValueError(f"{cwd} is not a scratch of this zygote")
    fd = os.open(cwd, O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW)  # before /tmp is replaced (it may be below)
    try:
        if os.fstat(fd).st_uid != uid:
            raise ValueError(f"{cwd} does not belong to uid {uid}")
        tmp = f"size={int(lim['tmp_bytes'])},mode=1777"
        # The Python installation may sit below /tmp or home (a clone in /tmp): bound back read-only over the
        # fresh tmpfs, as bubblewrap binds it after its own tmpfs (a module not preloaded must still import).
        below = _python_paths_below(("/tmp", "/home/student"))
        kept = [(path, os.open(path, O_PATH | os.O_DIRECTORY)) for path in below]
        try:
            for path in ("/tmp", "/home/student"):
                _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, tmp)
            for path, kept_fd in kept:
                os.makedirs(path, 0o755, exist_ok=True)
                _mount(f"/proc/self/fd/{kept_fd}", path, None, MS_BIND | MS_REC)
                _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        finally:
            for _path, kept_fd in kept:
                os.close(kept_fd)
        flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
        covered = os.path.isdir(parent)
        if covered:  # other workers' scratches: hidden under a read-only tmpfs
            _mount("tmpfs", parent, "tmpfs", flags, "size=65536,mode=0755")
        else:  # the scratches were below /tmp or home, replaced above: as bubblewrap, make the path
            os.makedirs(parent, 0o755)
        os.mkdir(cwd, 0o755)
        _mount(f"/proc/self/fd/{fd}", cwd, None, MS_BIND)
        if covered:
            _mount(None, parent, None, MS_REMOUNT | MS_RDONLY | flags, "size=65536,mode=0755")
    finally:
        os.close(fd)
    for what, value in ((resource.RLIMIT_CPU, lim["cpu"]), (resource.RLIMIT_AS, lim["as"]),
                        (resource.RLIMIT_NPROC, lim["nproc"]), (resource.RLIMIT_FSIZE, lim["fsize"]),
                        (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(what, (int(value), int(value)))
    os.setpriority(os.PRIO_PROCESS, 0, int(lim["nice"]))
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != 22:  # EINVAL: no such cap
            raise OSError(ctypes.get_errno(), f"dropping capability {cap} from the bounding set")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # root -> unprivileged: permitted, effective and ambient capabilities cleared

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable x 2 words: all zero
    _check(_libc.capset(ctypes.byref(Header(0x20080522, 0)), data), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    st = _status()
    for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        if key in st and int(st[key][0], 16) != 0:
            raise OSError(f"capabilities left after the drop: {key} {st[key][0]}")
    if set(st["Uid"]) != {str(uid)} or set(st["Gid"]) != {str(uid)} or st.get("Groups", []) != []:
        raise OSError("the uid drop did not take")
    if req.get("seccomp") and st.get("Seccomp", ["0"])[0] != "2":
        raise OSError("the no-setsid seccomp filter is missing")
    os.chdir(cwd)


def _reseed() -> None:
    import random

    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def _kernel(connection_file: str) -> None:
    from ipykernel import kernelapp

    def _init_path(self) -> None:  # the grader's launcher guard (classroom.grading.guards.launcher)
        while "" in sys.path:
            sys.path.remove("")
        sys.path.append("")

    kernelapp.IPKernelApp.init_path = _init_path
    app = kernelapp.IPKernelApp.instance()
    app.initialize(["-f", connection_file])
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None:  # what importing ipywidgets does when a kernel runs (it was imported before one ran)
        widgets._handle_ipython()
    app.start()


def _child(req: dict, ready: int) -> None:
    os.setpgid(0, 0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, ready)
    os.closerange(ready + 1, 1 << 16)
    try:
        _isolate(req)
        _reseed()
    except BaseException as exc:  # noqa: BLE001 - told to the zygote, then the child ends
        os.write(ready, ("E" + f"{type(exc).__name__}: {exc}"[:500]).encode())
        os._exit(71)
    os.write(ready, b"K")
    os.close(ready)
    _kernel(req["fork"])


def warm_tracebacks() -> None:
    """Format one traceback of the zygote's own, as a kernel formats a failing cell's (IPython's ``Context`` mode):
    the modules and caches that takes (stack_data, Pygments' Python lexer and styles) are then loaded once, not
    in every child on its first error (every graded notebook has one: the grader's canary). Runs no student
    code and starts no thread."""
    from IPython.core.ultratb import AutoFormattedTB

    try:
        raise AssertionError("warm-up")
    except AssertionError as exc:
        AutoFormattedTB(mode="Context", theme_name="neutral").structured_traceback(type(exc), exc, exc.__traceback__)


def _threads() -> int:
    """Threads of this process, native ones included (forking a process with threads can copy a held lock)."""
    return len(os.listdir("/proc/self/task"))


def main() -> int:
    t0 = time.process_time()
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    try:
        warm_tracebacks()
    except Exception:  # noqa: BLE001 - only a warm-up: a kernel still formats its tracebacks without it
        pass
    out = sys.stdout
    live: dict[int, None] = {}  # children not yet reaped: their pids cannot be reused, so signalling is safe
    done: dict[int, tuple[int, float]] = {}  # reaped: pid -> (returncode like Popen's, CPU s)

    def reap() -> None:
        while live:
            try:
                pid, status, ru = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            live.pop(pid, None)
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            done[pid] = (code, ru.ru_utime + ru.ru_stime)

    def say(msg: dict) -> None:
        out.write(json.dumps(msg) + "\n")
        out.flush()

    say({"ready": True, "threads": _threads(), "preload_cpu": time.process_time() - t0,
         "uid": os.getuid()})
    for line in sys.stdin:
        req = json.loads(line)
        reap()
        if "fork" in req:
            if _threads() != 1:
                say({"error": "the zygote has threads: refusing to fork"})
                continue
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                try:
                    os.close(r)
                    _child(req, w)
                finally:
                    os._exit(70)
            os.close(w)
            live[pid] = None
            with os.fdopen(r, "rb") as fh:
                word = fh.read()
            if word == b"K":
                say({"pid": pid})
            else:
                say({"error": word[1:].decode(errors="replace") or "the child ended while setting up"})
        elif "poll" in req:
            pid = int(req["poll"])
            code, cpu = done.get(pid, (None, 0.0))
            say({"status": code, "cpu": cpu, "known": pid in live or pid in done})
        elif "signal" in req:
            pid = int(req["signal"])
            if pid in live:
                for kill in (os.killpg, os.kill):
                    try:
                        kill(pid, int(req["sig"]))
                    except OSError:
                        pass
            say({})
        elif "forget" in req:
            done.pop(int(req["forget"]), None)
            say({})
    return 0


if __name__ == "__main__":
    sys.exit(main())
