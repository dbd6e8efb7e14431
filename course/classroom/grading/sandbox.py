"""Isolation for running a student's notebook kernel: bubblewrap namespaces, rlimits, an unprivileged uid.

The kernel (the only process that runs student code) is started as::

    bwrap --args <fd> -- prlimit <limits> -- nice -n 10 -- setpriv <unprivileged uid, no capabilities> --
        python -I -c <launcher> -f .k/kernel.json

bubblewrap's options (namespaces, read-only system and Python, the writable scratch) are handed over on a
pipe (``--args``), and the kernel is found on PATH with a connection file relative to its working directory:
the sandbox's pid 1 (bubblewrap's reaper, ``/proc/1/cmdline``) shows no host path. ``nice`` and a low
process limit (one uid per worker) keep a submission's busy children from taking more than their share of
the CPU (cgroups are not used: they are rarely delegated to an unprivileged grader).

As root, a worker's kernels are by default not started this way but forked from the worker's zygote
(``classroom.grading.zygote``): a process in this same sandbox that has imported ipykernel and the course's
libraries once; each child takes the kernel's namespaces, limits and uid before it runs anything.
``CLASSROOM_KERNELS=fresh`` (or ``kernel_manager(..., kernels="fresh")``) starts every kernel as above.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

MB = 1024 * 1024


def kernel_environment() -> dict[str, str]:
    """The whole environment of a sandboxed kernel, checker or zygote (nothing of the grader's is passed on)."""
    return {
        "HOME": "/home/student",
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NBGRADER_EXECUTION": "autograde",
        "JUPYTER_PLATFORM_DIRS": "1",
    }


class SandboxUnavailable(RuntimeError):
    """This machine cannot isolate student code (no bubblewrap, or namespaces are forbidden)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's kernel."""

    cpu_seconds: int = 300  # CPU time of the whole kernel process (RLIMIT_CPU)
    memory_mb: int = 2048  # address space (RLIMIT_AS)
    processes: int = 32  # processes and threads of the sandbox uid (RLIMIT_NPROC; one uid per worker)
    file_size_mb: int = 64  # largest file the kernel may write (RLIMIT_FSIZE)
    tmp_mb: int = 64  # size of the in-memory /tmp and home
    cell_timeout: int = 60  # nbgrader's per-cell timeout, seconds
    wall_seconds: int = 900  # whole submission, seconds
    output_bytes: int = 1_000_000  # output kept per cell; the rest is dropped with a note
    notebook_bytes: int = 20_000_000  # output kept per notebook (bounds the autograded notebook and feedback)
    nice: int = 10  # scheduling priority of everything in the sandbox (the grader itself stays at 0)


def isolation_problem() -> str | None:
    """Why student code cannot be isolated here, or None when bubblewrap works."""
    if not sys.platform.startswith("linux"):
        return f"no sandbox on {sys.platform}: bubblewrap (Linux namespaces) is needed"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
    probe = [bwrap, *_namespace_args(), "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap does not run: {exc}"
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        return f"bubblewrap cannot create namespaces here: {reason}"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "setpriv (util-linux) is needed to drop to an unprivileged user"
    return None


def _namespace_args() -> list[str]:
    """Namespaces: as root we skip the user namespace so that setpriv can drop to a real unprivileged uid."""
    if os.geteuid() == 0:
        return ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    return ["--unshare-all", "--unshare-user", "--disable-userns"]  # bwrap: --disable-userns needs --unshare-user


def _system_binds() -> list[str]:
    args: list[str] = []
    for top in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / top
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--perms", "0755", "--dir", "/etc"]  # else bubblewrap makes it 0700: the generated passwd unreadable
    for etc in ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf", "/etc/mime.types"):
        if Path(etc).exists():
            args += ["--ro-bind", etc, etc]
    return args


def python_paths() -> list[Path]:
    """What the kernel needs to read: the Python installation, the venv and the domain package only."""
    import osteonecrosis

    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.prefix)}
    paths.add(Path(osteonecrosis.__file__).resolve().parent)
    return sorted(p for p in paths if not str(p).startswith("/usr"))


@dataclass
class Sandbox:
    """One worker's sandbox: a writable scratch directory, a uid of its own, resource limits."""

    scratch: Path
    uid: int | None
    limits: Limits = field(default_factory=Limits)
    private: Path | None = None  # trusted directory (never visible inside) for the generated /etc/passwd
    read_only: tuple[str, ...] = ()  # further files bound read-only at their own path (the checker script)

    def prepare(self) -> None:
        """Create the scratch directory and give it to the sandbox uid."""
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.prepare_private()
        if self.uid is not None:
            for dirpath, dirnames, filenames in os.walk(self.scratch):
                os.chown(dirpath, self.uid, self.uid)
                for name in dirnames + filenames:
                    os.chown(os.path.join(dirpath, name), self.uid, self.uid, follow_symlinks=False)

    def prepare_private(self) -> None:
        """The generated /etc/passwd and /etc/group (the sandbox uid is 'student') in ``private``, if set."""
        if self.private is not None:
            self.private.mkdir(parents=True, exist_ok=True)
            uid = self.uid if self.uid is not None else os.getuid()
            (self.private / "passwd").write_text(
                f"root:x:0:0:root:/root:/usr/sbin/nologin\nstudent:x:{uid}:{uid}:student:/home/student:"
                "/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
            )
            (self.private / "group").write_text(f"root:x:0:\nstudent:x:{uid}:\nnogroup:x:65534:\n")

    def command(self, argv: list[str]) -> list[str]:
        """Wrap ``argv`` so that it runs isolated, limited and unprivileged, with ``scratch`` as cwd."""
        return self._wrap(argv, self.scratch, self.private)

    def zygote_command(self, argv: list[str]) -> tuple[list[str], object]:
        """(command, launch) for this worker's zygote (classroom.grading.zygote).

        The same sandbox around the directory holding the scratches, but root with the capabilities its children
        need to set themselves up (each child then takes the limits and drops to ``uid``); ``launch`` is
        ``hide_options``."""
        from classroom.grading.zygote import CAPS

        if self.uid is None:
            raise SandboxUnavailable("a zygote needs a uid for its children (run the grader as root)")
        private = self.private  # bound at the zygote's start: the file outlives this submission's directory
        if private is not None and not (private / "passwd").is_file():
            self.prepare_private()
        caps = [a for cap in CAPS for a in ("--cap-add", cap)]
        return self._wrap(argv, self.scratch.parent, private, caps=caps), Sandbox.hide_options

    @staticmethod
    def seccomp_expected() -> bool:
        """Whether kernels run under the no-setsid seccomp filter on this machine."""
        return no_setsid_filter() is not None

    def _wrap(self, argv: list[str], scratch_path: Path, private: Path | None,
              caps: list[str] | None = None) -> list[str]:
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
        lim = self.limits
        scratch = str(scratch_path)
        cmd = [bwrap, *_namespace_args(), "--die-with-parent", "--clearenv", *(caps or [])]
        cmd += _system_binds()
        cmd += ["--proc", "/proc", "--dev", "/dev"]
        cmd += ["--size", str(lim.tmp_mb * MB), "--perms", "1777", "--tmpfs", "/tmp"]
        cmd += ["--size", str(lim.tmp_mb * MB), "--perms", "1777", "--tmpfs", "/home/student"]
        made: set[str] = {"/", "/tmp", "/home"}
        binds = [("--ro-bind", str(path)) for path in python_paths()]
        binds += [("--ro-bind", path) for path in self.read_only] + [("--bind", scratch)]
        for how, path in binds:
            for parent in reversed(Path(path).parents):
                if str(parent) not in made:
                    cmd += ["--perms", "0755", "--dir", str(parent)]
                    made.add(str(parent))
            cmd += [how, path, path]
        if private is not None:
            cmd += ["--ro-bind", str(private / "passwd"), "/etc/passwd"]
            cmd += ["--ro-bind", str(private / "group"), "/etc/group"]
        cmd += ["--chdir", scratch]
        for key, value in kernel_environment().items():
            cmd += ["--setenv", key, value]
        cmd += ["--", shutil.which("prlimit") or "/usr/bin/prlimit"]
        if not caps:  # a zygote's children take these themselves (root's process count is the host's)
            cmd += [f"--cpu={lim.cpu_seconds}", f"--nproc={lim.processes}"]
        cmd += [
            f"--as={lim.memory_mb * MB}",
            f"--fsize={lim.file_size_mb * MB}",
            "--core=0",
            "--",
            shutil.which("nice") or "/usr/bin/nice",
            "-n",
            str(lim.nice),
            "--",
        ]
        if self.uid is not None and not caps:
            cmd += [
                shutil.which("setpriv") or "/usr/bin/setpriv",
                f"--reuid={self.uid}",
                f"--regid={self.uid}",
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--no-new-privs",
                "--",
            ]
        return cmd + argv

    @staticmethod
    def hide_options(cmd: list[str]) -> tuple[list[str], tuple[int, ...]]:
        """``cmd`` (from ``command``) with bubblewrap's options moved to a pipe, plus the no-``setsid`` filter.

        Returns the command and the fds the child must inherit (``pass_fds``); the caller closes them after
        the launch.
        """
        split = cmd.index("--")
        opts = cmd[1:split]
        fds: list[int] = []
        try:
            program = no_setsid_filter()
            if program is not None:
                fds.append(_pipe_with(program))
                opts = [*opts, "--seccomp", str(fds[-1])]
            data = b"".join(arg.encode() + b"\0" for arg in opts)
            if len(data) > 60_000:  # a pipe holds 64 KiB without a reader
                raise SandboxUnavailable("bubblewrap options too long for a pipe")
            fds.append(_pipe_with(data))
        except BaseException:
            for fd in fds:
                os.close(fd)
            raise
        return [cmd[0], "--args", str(fds[-1]), *cmd[split:]], tuple(fds)

    def reap(self) -> int:
        """Kill every process left with this sandbox's uid (a uid used by this worker only); returns how many."""
        if self.uid is None or self.uid < 1000:
            return 0
        killed = 0
        for _ in range(5):
            found = 0
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit():
                    continue
                try:
                    if entry.stat().st_uid == self.uid:
                        os.kill(int(entry.name), 9)
                        found += 1
                except OSError:
                    continue
            killed += found
            if not found:
                break
        return killed

    def kernel_manager(self, connection_dir: Path, kernels: str | None = None) -> AsyncKernelManager:
        """A kernel manager whose kernel runs in this sandbox and talks over unix sockets in ``connection_dir``.

        The kernel is a child of this worker's zygote (``classroom.grading.zygote``: preloaded, same guards)
        when one can be used, else a fresh sandboxed process. ``kernels`` ('zygote' or 'fresh') overrides the
        ``CLASSROOM_KERNELS`` environment variable; ``km.kernel_source`` tells which one ran once started.
        """
        connection_dir.mkdir(parents=True, exist_ok=True)
        if self.uid is not None:
            os.chown(connection_dir, self.uid, self.uid)
        from classroom.grading import zygote
        from classroom.grading.guards.launcher import kernel_argv

        argv = self.command(kernel_argv("python"))
        km = _SandboxKernelManager(transport="ipc", ip=str(connection_dir / "kernel"))
        km.sandbox_uid = self.uid
        km.sandbox_scratch = str(self.scratch)
        km.sandbox_limits = self.limits
        if (kernels or zygote.kernels_mode()) == "zygote" and connection_dir.parent == self.scratch:
            km.zygote = zygote.for_sandbox(self)
        km.connection_file = str(connection_dir / "kernel.json")
        km._kernel_spec = KernelSpec(
            argv=argv, display_name="Python 3 (sandboxed)", language="python", interrupt_mode="message"
        )
        km.kernel_name = "python3"
        return km


class _SandboxKernelManager(AsyncKernelManager):
    """Hands the connection file to the sandbox uid just before the kernel starts."""

    sandbox_uid: int | None = None
    sandbox_scratch: str | None = None
    sandbox_limits: Limits | None = None
    zygote = None  # classroom.grading.zygote.Zygote when the kernel is forked from one
    kernel_source: str | None = None  # "zygote" or "fresh", once launched

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw):  # type: ignore[override]
        if self.sandbox_uid is not None:
            os.chown(self.connection_file, self.sandbox_uid, self.sandbox_uid)
        if self.zygote is not None and self.sandbox_scratch and self._launch_from_zygote():
            return None
        self.kernel_source = "fresh"
        kw["stdout"] = subprocess.DEVNULL  # the kernel's own stdio never reaches the grader's terminal
        kw["stderr"] = subprocess.DEVNULL
        kw["stdin"] = subprocess.DEVNULL
        if self.sandbox_scratch:  # the connection file relative to the kernel's working directory
            rel = os.path.relpath(self.connection_file, self.sandbox_scratch)
            kernel_cmd = [rel if arg == self.connection_file else arg for arg in kernel_cmd]
        kernel_cmd, fds = Sandbox.hide_options(kernel_cmd)
        kw["pass_fds"] = fds
        try:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:
            for fd in fds:
                os.close(fd)


    def _launch_from_zygote(self) -> bool:
        """Fork the kernel from the zygote; False (a fresh kernel is started instead) when it cannot."""
        from classroom.grading.zygote import ZygoteChild, ZygoteError

        rel = os.path.relpath(self.connection_file, self.sandbox_scratch)
        try:
            pid = self.zygote.fork(rel, Path(self.sandbox_scratch), self.sandbox_limits or Limits())
        except ZygoteError:
            return False
        prov = self.provisioner
        prov.process = ZygoteChild(self.zygote, pid)
        prov.pid, prov.pgid, prov.cwd = pid, None, self.sandbox_scratch
        self._reconcile_connection_info(prov.connection_info)
        self.kernel_source = "zygote"
        return True


def _pipe_with(data: bytes) -> int:
    """A pipe already holding ``data`` (write end closed); returns its read fd."""
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, data)
    finally:
        os.close(write_fd)
    return read_fd


# seccomp: setsid fails with EPERM inside the sandbox, so every process of a submission stays in the
# kernel's session, and so in one scheduler autogroup: however many busy children it starts, the whole
# sandbox gets one session's share of the CPU. (A syscall of a foreign ABI fails too.)
_SETSID = {"x86_64": (0xC000003E, 112, 0x40000000 | 112), "aarch64": (0xC00000B7, 157, 157)}


def no_setsid_filter() -> bytes | None:
    """A classic-BPF seccomp program (for bubblewrap's --seccomp) refusing setsid, or None on other machines."""
    import platform
    import struct

    arch = _SETSID.get(platform.machine())
    if arch is None:
        return None
    audit_arch, nr, nr_x32 = arch
    ld, jeq, ret = 0x20, 0x15, 0x06
    allow, eperm = 0x7FFF0000, 0x00050000 | 1
    program = [
        (ld, 0, 0, 4),  # seccomp_data.arch
        (jeq, 0, 4, audit_arch),  # a foreign ABI: refuse
        (ld, 0, 0, 0),  # seccomp_data.nr
        (jeq, 2, 0, nr),
        (jeq, 1, 0, nr_x32),
        (ret, 0, 0, allow),
        (ret, 0, 0, eperm),
    ]
    return b"".join(struct.pack("HBBI", *insn) for insn in program)


_CLAIMS: list[int] = []  # lock file descriptors held for the life of the worker process


def claim_uid(base: int, span: int = 1000) -> int | None:
    """A uid of our own for this worker's sandboxes, when we are root (else None).

    The first uid from ``base`` whose lock file (in /run/lock, or the temp dir) we can lock exclusively and
    that no process uses: two workers, or two grading runs on one machine, never share a uid, so one
    sandbox's process limit and final clean-up never touch another's.
    """
    if os.geteuid() != 0:
        return None
    import fcntl
    import tempfile

    lock_dir = Path("/run/lock") if os.access("/run/lock", os.W_OK) else Path(tempfile.gettempdir())
    busy = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                busy.add(entry.stat().st_uid)
            except OSError:
                continue
    for uid in range(base, base + span):
        if uid in busy:
            continue
        fd = os.open(lock_dir / f"grade-class-uid-{uid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        _CLAIMS.append(fd)
        return uid
    raise SandboxUnavailable(f"no free uid between {base} and {base + span - 1} for the sandbox")
