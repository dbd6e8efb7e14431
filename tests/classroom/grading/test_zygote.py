"""Kernels forked from the worker's zygote (classroom.grading.zygote): each child has every guard a fresh
sandboxed kernel has, nothing left by the child before it, and no way to reach the zygote."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from classroom.grading import zygote
from classroom.grading.sandbox import Limits, Sandbox, claim_uid

from tests.classroom.grading.test_grading_adversarial import require_sandbox

pytestmark = pytest.mark.root  # bubblewrap, a uid of its own for the children (so: slow tier)

LIMITS = Limits(cpu_seconds=40, memory_mb=1800, processes=24, file_size_mb=16, tmp_mb=32)


async def _run(box: Sandbox, code: str, kernels: str | None, timeout: float) -> tuple[str | None, str, list]:
    km = box.kernel_manager(box.scratch / ".k", kernels=kernels)
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    printed: list[str] = []
    displays: list[dict] = []

    def hook(msg: dict) -> None:
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            printed.append(f"{msg['content']['ename']}: {msg['content']['evalue']}\n")
        elif msg["msg_type"] == "display_data":
            displays.append(msg["content"]["data"])

    try:
        await kc.wait_for_ready(timeout=120)
        try:
            await kc.execute_interactive(code, timeout=timeout, output_hook=hook)
        except TimeoutError:
            printed.append("<no reply>")
    finally:
        kc.stop_channels()
        if km.has_kernel:
            await km.shutdown_kernel(now=True)
    return km.kernel_source, "".join(printed), displays


class Worker:
    """One grading worker's view: a uid of its own, a scratch per submission under one directory."""

    def __init__(self, base: Path) -> None:
        self.base, self.uid, self.n = base, claim_uid(62600), 0

    def kernel(self, code: str, kernels: str | None = None, timeout: float = 60) -> tuple[str | None, str, list]:
        self.n += 1
        box = Sandbox(scratch=self.base / "scratch" / f"sub{self.n}", uid=self.uid, limits=LIMITS,
                      private=self.base / "private" / f"sub{self.n}" / "etc")
        box.prepare()
        try:
            return asyncio.run(_run(box, code, kernels, timeout))
        finally:
            box.reap()

    def facts(self, code: str, kernels: str | None = None) -> dict:
        source, printed, _ = self.kernel(code + "\nimport json\nprint('FACTS' + json.dumps(facts))", kernels)
        line = [x for x in printed.splitlines() if x.startswith("FACTS")]
        assert line, printed
        return {"source": source, **json.loads(line[-1][5:])}


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    require_sandbox()
    if os.geteuid() != 0:
        pytest.skip("zygote kernels need a root grader (a uid for the children that is not the zygote's)")
    yield Worker(tmp_path_factory.mktemp("zygote"))
    zygote.stop_all()


GUARDS = r'''
import os, resource, socket, sys
st = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
def refused(fn):
    try:
        fn()
        return False
    except OSError:
        return True
facts = {
    "uid": [os.getuid(), os.geteuid(), os.getgid()], "groups": os.getgroups(),
    "caps": {k: int(st[k].strip(), 16) for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")},
    "no_new_privs": st["NoNewPrivs"].strip(), "seccomp": st["Seccomp"].strip(),
    "setsid_refused": refused(os.setsid),
    "limits": [resource.getrlimit(r)[0] for r in (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_NPROC,
                                                   resource.RLIMIT_FSIZE, resource.RLIMIT_CORE)],
    "nice": os.getpriority(os.PRIO_PROCESS, 0),
    "cwd": os.getcwd(), "beside": sorted(os.listdir("..")),
    "scratch_parent_writable": not refused(lambda: open("../planted.txt", "w").write("x")),
    "network": not refused(lambda: socket.create_connection(("pypi.org", 443), timeout=3)),
    "write_venv": not refused(lambda: open(sys.prefix + "/PWNED", "w").write("x")),
    "path_last": sys.path[-1], "path_first": sys.path[0],
    "student": [l for l in open("/etc/passwd") if l.startswith("student:")],
}
'''


def test_a_forked_kernel_has_every_guard_of_a_fresh_one(worker):
    forked = worker.facts(GUARDS)
    fresh = worker.facts(GUARDS, kernels="fresh")
    assert forked["source"] == "zygote" and fresh["source"] == "fresh"
    uid = worker.uid
    assert forked["uid"] == [uid, uid, uid] and forked["groups"] == []
    assert forked["caps"] == dict.fromkeys(forked["caps"], 0)
    assert forked["no_new_privs"] == "1" and forked["seccomp"] == "2" and forked["setsid_refused"]
    mb = 1024 * 1024
    assert forked["limits"] == [40, 1800 * mb, 24, 16 * mb, 0]
    assert forked["nice"] == LIMITS.nice
    assert forked["beside"] == [Path(forked["cwd"]).name]  # no other submission's scratch
    assert not forked["scratch_parent_writable"] and not forked["network"] and not forked["write_venv"]
    assert forked["path_last"] == "" and forked["path_first"] != ""  # the launcher guard
    assert forked["student"] == [f"student:x:{uid}:{uid}:student:/home/student:/usr/sbin/nologin\n"]
    for key in ("uid", "groups", "caps", "no_new_privs", "seccomp", "setsid_refused", "limits", "nice",
                "scratch_parent_writable", "network", "write_venv", "path_last", "student"):
        assert forked[key] == fresh[key], key


LEAVE = r'''
import ctypes, os, subprocess, sys, random
import osteonecrosis.teaching as teaching
open("/tmp/left.txt", "w").write("secret")
open(os.path.expanduser("~/left.txt"), "w").write("secret")
open("left.txt", "w").write("secret")
teaching.LEFT_BEHIND = "secret"
sys.modules["left_behind"] = teaching
os.environ["LEFT_BEHIND"] = "secret"
libc = ctypes.CDLL(None, use_errno=True)
shm = libc.shmget(0x5EC2E7, 4096, 0o1000 | 0o666)  # IPC_CREAT: a SysV segment outlives its process
subprocess.Popen(["sleep", "300"])  # left running: the worker's clean-up must end it
import numpy
facts = {"shm": shm, "random": random.random(), "numpy": float(numpy.random.random())}
'''

FIND = r'''
import ctypes, glob, os, subprocess, sys, random
import osteonecrosis.teaching as teaching
libc = ctypes.CDLL(None, use_errno=True)
import numpy
facts = {
    "files": glob.glob("/tmp/*left*") + glob.glob(os.path.expanduser("~/*left*")) + glob.glob("../*/left.txt"),
    "module": getattr(teaching, "LEFT_BEHIND", None), "sys_modules": "left_behind" in sys.modules,
    "environ": os.environ.get("LEFT_BEHIND"), "shm": libc.shmget(0x5EC2E7, 0, 0),
    "sleepers": subprocess.run(["pgrep", "-x", "sleep"], capture_output=True).stdout.decode().split(),
    "random": random.random(), "numpy": float(numpy.random.random()),
}
'''


def test_a_child_finds_nothing_the_previous_child_left(worker):
    left = worker.facts(LEAVE)
    found = worker.facts(FIND)
    assert left["source"] == found["source"] == "zygote"
    assert left["shm"] >= 0  # the segment was made
    assert found["files"] == [] and found["module"] is None and not found["sys_modules"]
    assert found["environ"] is None and found["shm"] == -1 and found["sleepers"] == []
    assert (found["random"], found["numpy"]) != (left["random"], left["numpy"])  # seeds drawn per child


ATTACK = r'''
import ctypes, os, signal
zygote = os.getppid()
def refused(fn):
    try:
        fn()
        return False
    except OSError:
        return True
libc = ctypes.CDLL(None, use_errno=True)
facts = {
    "signal": refused(lambda: os.kill(zygote, signal.SIGKILL)),
    "init": refused(lambda: os.kill(1, signal.SIGKILL)),  # the sandbox's init, whose end ends the zygote
    "ptrace": libc.ptrace(16, zygote, None, None),  # PTRACE_ATTACH
    "environ": refused(lambda: open(f"/proc/{zygote}/environ").read()),
    "mem": refused(lambda: open(f"/proc/{zygote}/mem", "rb").read(1)),
    "own_group": os.getpgid(0) == os.getpid(),
}
'''


def test_a_child_cannot_signal_trace_or_read_the_zygote(worker):
    attack = worker.facts(ATTACK)
    assert attack["source"] == "zygote"
    assert attack["signal"] and attack["init"] and attack["ptrace"] == -1
    assert attack["environ"] and attack["mem"] and attack["own_group"]
    (running,) = zygote._ZYGOTES.values()
    source, printed, _ = worker.kernel("import os, signal\nos.kill(-1, signal.SIGKILL)", timeout=10)
    assert source == "zygote"
    assert running.alive()  # killing every process it may signal ended only the child itself
    after = worker.facts("facts = {}")
    assert after["source"] == "zygote" and list(zygote._ZYGOTES.values()) == [running]


def test_a_figure_shows_in_a_forked_kernel_as_in_a_fresh_one(worker):
    code = "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()"
    for kernels in ("zygote", "fresh"):
        source, _, displays = worker.kernel(code, kernels=kernels)
        assert source == kernels
        assert any("image/png" in d for d in displays), kernels


def test_fresh_kernels_can_be_chosen(worker, monkeypatch):
    monkeypatch.setenv(zygote.KERNELS_ENV, "fresh")
    assert worker.kernel("pass")[0] == "fresh"
    monkeypatch.setenv(zygote.KERNELS_ENV, "forked")
    with pytest.raises(ValueError, match="expected 'zygote' or 'fresh'"):
        zygote.kernels_mode()


def test_the_zygote_warms_tracebacks_and_the_debugger_without_a_thread():
    """What each child used to load on its first error (the grader's canary) and at start-up (ipykernel's
    debugger) is loaded once in the zygote: it must start no thread (the zygote refuses to fork with one)."""
    import subprocess
    import sys

    from classroom.grading import zygote_main

    assert "ipykernel.debugger" in zygote_main.PRELOAD
    probe = ("import os, sys\nfrom classroom.grading import zygote_main as z\nz.warm_tracebacks()\n"
             "import ipykernel.debugger\n"
             "print(len(os.listdir('/proc/self/task')), 'stack_data' in sys.modules,"
             " 'pygments.lexers.python' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["1", "True", "True"]


def test_a_forked_kernel_imports_nothing_the_zygote_did_not_preload(tmp_path):
    """The zygote imports PRELOAD (and starts no thread doing so); a child that becomes a kernel
    (IPKernelApp.initialize, as zygote_main._kernel) then imports no module of its own: its start-up costs no
    import. A new ipykernel or IPython that imports more at start-up fails here, naming what to add."""
    import subprocess
    import sys

    probe = f"""
import importlib, os, sys
from classroom.grading import zygote_main as z
for name in z.PRELOAD:
    importlib.import_module(name)
z.warm_tracebacks()
assert len(os.listdir('/proc/self/task')) == 1, 'a thread after the preload'
from jupyter_client.connect import write_connection_file
path = write_connection_file({str(tmp_path / 'k.json')!r}, transport='ipc', ip={str(tmp_path / 'k')!r})[0]
before = set(sys.modules)
r, w = os.pipe()
if os.fork() == 0:
    os.close(r)
    sys.stdout = sys.stderr = open(os.devnull, 'w')
    from ipykernel import kernelapp
    kernelapp.IPKernelApp.instance().initialize(['-f', path])
    sys.modules['ipywidgets']._handle_ipython()
    os.write(w, ' '.join(sorted(set(sys.modules) - before)).encode())
    os._exit(0)
os.close(w)
print('NEW:' + os.read(r, 1 << 20).decode())
os.wait()
"""
    from classroom.grading.sandbox import kernel_environment

    env = {**kernel_environment(), "HOME": str(tmp_path), "MPLCONFIGDIR": str(tmp_path / "mpl"),
           "PYTHONPATH": os.pathsep.join(sys.path)}  # the zygote's environment, with a home of its own
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    new = done.stdout.rsplit("NEW:", 1)[1].split()
    assert new == [], f"a forked kernel imported these at start-up: add them to zygote_main.PRELOAD: {new}"
